package dev.strata.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StrataComponentsTest {

    @Test
    void theDeepestCauseNamesTheFailure() {
        String trace = """
                java.lang.reflect.InvocationTargetException
                \tat java.base/jdk.internal.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)
                Caused by: java.net.BindException: Address already in use
                \tat java.base/sun.nio.ch.Net.bind0(Native Method)
                """;
        assertEquals("java.net.BindException: Address already in use", StrataComponents.cause(trace));
    }

    @Test
    void aWrapperThatAddsContextIsPreferred() {
        String trace = """
                org.osgi.service.component.ComponentException: java.lang.IllegalStateException: Kafka listener \
                cannot bind 127.0.0.1:9092: Address already in use
                \tat org.apache.felix.scr.impl.Foo.bar(Foo.java:1)
                Caused by: java.lang.IllegalStateException: Kafka listener cannot bind 127.0.0.1:9092: Address \
                already in use
                \tat dev.strata.X.y(X.java:2)
                Caused by: java.net.BindException: Address already in use
                \tat java.base/sun.nio.ch.Net.bind0(Native Method)
                """;
        assertEquals("Kafka listener cannot bind 127.0.0.1:9092: Address already in use",
                StrataComponents.cause(trace));
    }

    @Test
    void aFailureWithoutCausesIsItsFirstLine() {
        assertEquals("java.lang.IllegalArgumentException: log.dirs is not writable: /x",
                StrataComponents.cause("java.lang.IllegalArgumentException: log.dirs is not writable: /x\n\tat a.b(C)"));
        assertEquals("java.lang.NullPointerException", StrataComponents.cause("java.lang.NullPointerException\n"));
        assertEquals("no reason given", StrataComponents.cause(""));
    }
}
