package dev.strata.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.strata.api.broker.ConfigEntry;
import dev.strata.api.broker.ConfigOp;
import dev.strata.api.broker.ConfigResource;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.metadata.local.internal.LocalMetadataStore;
import dev.strata.replication.local.internal.LocalReplication;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dynamic broker settings through the component: applied live, persisted, and console edits recorded. */
class DynamicBrokerConfigTest {
    private static final RequestContext CTX = new RequestContext("test", RequestContext.ANONYMOUS, "127.0.0.1",
            "PLAINTEXT");
    private static final ConfigResource BROKER = new ConfigResource(ConfigResource.Type.BROKER, "0");
    private static final ConfigResource DEFAULT = new ConfigResource(ConfigResource.Type.BROKER, "");

    @TempDir
    Path dir;

    private static String value(List<ConfigEntry> entries, String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow().value();
    }

    private static ConfigEntry.Source source(List<ConfigEntry> entries, String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow().source();
    }

    private BrokerComponent start(Map<String, Object> props) throws Exception {
        BrokerComponent broker = new BrokerComponent(new InMemoryIndexLogStore(), new LocalMetadataStore(props),
                props, new LocalReplication());
        broker.openCore(props);
        return broker;
    }

    @Test
    void alteredSettingsApplyLiveSurviveARestartAndConsoleEditsAreRecorded() throws Exception {
        // as DS gives a ConfigAdmin configuration (FileInstall's): with its service.pid
        Map<String, Object> props = new HashMap<>(Map.of("log.dirs", dir.toString(), "log.retention.hours", "1",
                "service.pid", BrokerComponent.PID));
        BrokerComponent broker = start(props);
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, "t");
        assertEquals(ErrorCode.NONE, broker.createTopic("t", 1, (short) 1, Map.of(), false, CTX).error());
        assertEquals("3600000", value(broker.describeConfigs(topic), "retention.ms"));

        broker.incrementalAlterConfigs(DEFAULT, List.of(new ConfigOp("log.retention.ms", ConfigOp.Type.SET,
                "60000")), false, CTX);
        broker.incrementalAlterConfigs(BROKER, List.of(new ConfigOp("message.max.bytes", ConfigOp.Type.SET,
                "5000")), false, CTX);
        assertEquals("60000", value(broker.describeConfigs(topic), "retention.ms"));
        assertEquals(ConfigEntry.Source.DYNAMIC_DEFAULT_BROKER_CONFIG, source(broker.describeConfigs(topic),
                "retention.ms"));
        assertEquals("5000", value(broker.describeConfigs(topic), "max.message.bytes"));
        assertEquals(5000, broker.logManager().partition(new dev.strata.api.common.TopicPartition("t", 0))
                .settings().maxMessageBytes(), "the open log took the new default");

        // validateOnly and an invalid alter change nothing
        broker.incrementalAlterConfigs(BROKER, List.of(new ConfigOp("message.max.bytes", ConfigOp.Type.SET,
                "6000")), true, CTX);
        StrataException bad = assertThrows(StrataException.class, () -> broker.alterConfigs(BROKER,
                Map.of("message.max.bytes", "7000", "log.retention.ms", "never"), false, CTX));
        assertEquals(ErrorCode.INVALID_CONFIG, bad.error());
        assertEquals("5000", value(broker.describeConfigs(BROKER), "message.max.bytes"));

        // a console edit of a dynamic key is recorded as this broker's dynamic setting
        props.put("log.cleaner.threads", "3");
        broker.modified(props);
        assertEquals(ConfigEntry.Source.DYNAMIC_BROKER_CONFIG, source(broker.describeConfigs(BROKER),
                "log.cleaner.threads"));
        assertEquals("3", broker.metadata().dynamicBrokerConfigs("0").get("log.cleaner.threads"));
        // saving a form of defaults records nothing
        props.put("log.roll.ms", "604800000");
        broker.modified(props);
        assertEquals(Map.of("message.max.bytes", "5000", "log.cleaner.threads", "3"),
                broker.metadata().dynamicBrokerConfigs("0"));
        broker.deactivate();

        BrokerComponent again = start(props);
        assertEquals("60000", value(again.describeConfigs(topic), "retention.ms"));
        assertEquals(List.of("log.retention.ms"), again.describeConfigs(DEFAULT).stream().map(ConfigEntry::name)
                .toList());
        assertEquals(ConfigEntry.Source.DYNAMIC_BROKER_CONFIG, source(again.describeConfigs(BROKER),
                "message.max.bytes"));
        again.alterConfigs(BROKER, Map.of(), false, CTX);
        assertEquals(ConfigEntry.Source.DEFAULT_CONFIG, source(again.describeConfigs(BROKER), "message.max.bytes"));
        assertEquals(TopicConfigs.DEFAULT_MAX_MESSAGE_BYTES, again.logManager()
                .partition(new dev.strata.api.common.TopicPartition("t", 0)).settings().maxMessageBytes());
        again.deactivate();
    }
}
