package dev.strata.protocol.kafka.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.logging.LoggerLevels;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BROKER_LOGGER resources: Kafka's rules over a LoggerLevels service, and a clear refusal without one. */
class ConfigsHandlerTest {
    private static final String BROKER = Integer.toString(TestMetadataStore.BROKER_ID);

    @TempDir
    Path dir;

    /** A backend with two loggers, the way the Logback one reports them. */
    private static final class TwoLoggers implements LoggerLevels {
        final Map<String, String> levels = new TreeMap<>(Map.of(ROOT, "INFO", "a.b", "INFO"));

        @Override
        public Map<String, String> levels() {
            return Map.copyOf(levels);
        }

        @Override
        public void setLevel(String logger, String level) {
            levels.put(logger, level == null ? levels.get(ROOT) : level);
        }
    }

    private static DescribeConfigsRequestData describe(String name) {
        DescribeConfigsRequestData request = new DescribeConfigsRequestData();
        request.resources().add(new DescribeConfigsRequestData.DescribeConfigsResource()
                .setResourceType(ConfigsHandler.RESOURCE_BROKER_LOGGER).setResourceName(name));
        return request;
    }

    private static IncrementalAlterConfigsRequestData alter(String logger, int op, String level, boolean validateOnly) {
        IncrementalAlterConfigsRequestData request = new IncrementalAlterConfigsRequestData()
                .setValidateOnly(validateOnly);
        IncrementalAlterConfigsRequestData.AlterConfigsResource resource =
                new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                        .setResourceType(ConfigsHandler.RESOURCE_BROKER_LOGGER).setResourceName(BROKER);
        resource.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName(logger)
                .setConfigOperation((byte) op).setValue(level));
        request.resources().add(resource);
        return request;
    }

    private static void assertError(IncrementalAlterConfigsResponseData response, ErrorCode code, String message) {
        assertEquals(code.code(), response.responses().get(0).errorCode());
        assertEquals(message, response.responses().get(0).errorMessage());
    }

    @Test
    void loggersFollowKafkasRulesAndAreRefusedClearlyWithoutABackend() {
        FileBackedTestBroker broker = new FileBackedTestBroker(dir);
        DescribeConfigsResponseData.DescribeConfigsResult none = new ConfigsHandler(broker, () -> null)
                .describeConfigs(describe(BROKER), (short) 4).results().get(0);
        assertEquals(ErrorCode.INVALID_REQUEST.code(), none.errorCode());
        assertEquals("Broker loggers cannot be described or changed: no logging backend service "
                + "(dev.strata.api.logging.LoggerLevels) is installed", none.errorMessage());

        TwoLoggers levels = new TwoLoggers();
        ConfigsHandler handler = new ConfigsHandler(broker, () -> levels);
        DescribeConfigsResponseData.DescribeConfigsResult described = handler.describeConfigs(describe(BROKER),
                (short) 4).results().get(0);
        assertEquals(2, described.configs().size());
        assertEquals(6, described.configs().get(0).configSource(), "DYNAMIC_BROKER_LOGGER_CONFIG");
        assertEquals(ErrorCode.INVALID_REQUEST.code(), handler.describeConfigs(describe(""), (short) 4).results()
                .get(0).errorCode());

        assertError(handler.incrementalAlterConfigs(alter("a.b", 0, "LOUD", false), null), ErrorCode.INVALID_CONFIG,
                "Cannot set the log level of a.b to LOUD as it is not a supported log level. Valid log levels are "
                        + "DEBUG, ERROR, FATAL, INFO, TRACE, WARN");
        assertError(handler.incrementalAlterConfigs(alter("x.y", 0, "DEBUG", false), null), ErrorCode.INVALID_CONFIG,
                "Logger x.y does not exist!");
        assertError(handler.incrementalAlterConfigs(alter("root", 1, null, false), null), ErrorCode.INVALID_REQUEST,
                "Removing the log level of the root logger is not allowed");
        assertError(handler.incrementalAlterConfigs(alter("a.b", 2, "DEBUG", false), null), ErrorCode.INVALID_REQUEST,
                "APPEND operation is not allowed for the BROKER_LOGGER resource");
        assertError(handler.incrementalAlterConfigs(alter("a.b", 0, "DEBUG", true), null), ErrorCode.NONE, null);
        assertEquals("INFO", levels.levels.get("a.b"), "validateOnly changes nothing");
        handler.incrementalAlterConfigs(alter("a.b", 0, "FATAL", false), null);
        assertEquals("ERROR", levels.levels.get("a.b"), "FATAL is ERROR in Logback");
        handler.incrementalAlterConfigs(alter("a.b", 1, null, false), null);
        assertEquals("INFO", levels.levels.get("a.b"));
    }
}
