package dev.strata.broker.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.broker.ConfigEntry;
import dev.strata.api.broker.ConfigEntry.Source;
import dev.strata.api.broker.ConfigEntry.Synonym;
import dev.strata.api.broker.ConfigOp;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The broker config model: Kafka's sources, synonyms, unit conversions and validation messages. */
class BrokerConfigsTest {
    private static final Path DIR = Path.of("data");

    private static BrokerSettings settings(Map<String, String> statics, Map<String, String> dflt,
                                           Map<String, String> broker) {
        return BrokerSettings.of(ConfigLayers.ofStatic(statics).withDynamic(dflt, broker), DIR);
    }

    private static ConfigEntry entry(List<ConfigEntry> entries, String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aTopicDefaultComesThroughKafkasSynonymsWithTheirSources() {
        BrokerSettings s = settings(Map.of("log.retention.hours", "1"), Map.of(), Map.of());
        assertEquals("3600000", TopicConfigs.effective("retention.ms", Map.of(), s));
        ConfigEntry retention = entry(TopicConfigs.describe(Map.of(), s), "retention.ms");
        assertEquals("3600000", retention.value());
        assertEquals(Source.STATIC_BROKER_CONFIG, retention.source());
        assertEquals(List.of(new Synonym("log.retention.hours", "1", Source.STATIC_BROKER_CONFIG),
                new Synonym("log.retention.hours", "168", Source.DEFAULT_CONFIG)), retention.synonyms());
        assertEquals(ConfigEntry.Type.LONG, retention.type());

        // minutes before hours; the dynamic default above static; this broker's dynamic setting above both
        s = settings(Map.of("log.retention.hours", "1"), Map.of("log.retention.minutes", "2"), Map.of());
        assertEquals("120000", TopicConfigs.effective("retention.ms", Map.of(), s));
        s = settings(Map.of("log.retention.ms", "5"), Map.of("log.retention.ms", "6"), Map.of("log.retention.ms", "7"));
        retention = entry(TopicConfigs.describe(Map.of(), s), "retention.ms");
        assertEquals("7", retention.value());
        assertEquals(Source.DYNAMIC_BROKER_CONFIG, retention.source());
        assertEquals(List.of(Source.DYNAMIC_BROKER_CONFIG, Source.DYNAMIC_DEFAULT_BROKER_CONFIG,
                Source.STATIC_BROKER_CONFIG, Source.DEFAULT_CONFIG),
                retention.synonyms().stream().map(Synonym::source).toList());

        // a topic override comes first; -1 hours is "no limit"
        retention = entry(TopicConfigs.describe(Map.of("retention.ms", "9"), s), "retention.ms");
        assertEquals(new Synonym("retention.ms", "9", Source.DYNAMIC_TOPIC_CONFIG), retention.synonyms().get(0));
        assertEquals("-1", TopicConfigs.effective("retention.ms", Map.of(),
                settings(Map.of("log.retention.hours", "-1"), Map.of(), Map.of())));
        assertEquals("3600000", TopicConfigs.effective("segment.ms", Map.of(),
                settings(Map.of("log.roll.hours", "1"), Map.of(), Map.of())));
        assertEquals("30000", TopicConfigs.effective("file.delete.delay.ms", Map.of(),
                settings(Map.of(), Map.of("log.segment.delete.delay.ms", "30000"), Map.of())));
        assertEquals("compact", TopicConfigs.effective("cleanup.policy", Map.of(),
                settings(Map.of("log.cleanup.policy", "compact"), Map.of(), Map.of())));

        ConfigEntry segment = entry(TopicConfigs.describe(Map.of(), settings(Map.of(), Map.of(), Map.of())),
                "segment.bytes");
        assertEquals(Source.DEFAULT_CONFIG, segment.source());
        assertEquals(List.of(new Synonym("log.segment.bytes", "1073741824", Source.DEFAULT_CONFIG)),
                segment.synonyms());
    }

    @Test
    void brokerDescribeReportsSourcesReadOnlyAndTheDefaultEntityOnlyItsOwn() {
        BrokerSettings s = settings(Map.of("broker.id", "0", "log.retention.hours", "2"),
                Map.of("log.retention.ms", "60000", "message.max.bytes", "2000"), Map.of("message.max.bytes", "3000"));
        List<ConfigEntry> all = s.layers().describeBroker();
        ConfigEntry max = entry(all, "message.max.bytes");
        assertEquals("3000", max.value());
        assertEquals(Source.DYNAMIC_BROKER_CONFIG, max.source());
        assertFalse(max.readOnly());
        assertEquals(List.of(new Synonym("message.max.bytes", "3000", Source.DYNAMIC_BROKER_CONFIG),
                new Synonym("message.max.bytes", "2000", Source.DYNAMIC_DEFAULT_BROKER_CONFIG),
                new Synonym("message.max.bytes", "1048588", Source.DEFAULT_CONFIG)), max.synonyms());
        assertTrue(entry(all, "broker.id").readOnly());
        assertEquals(Source.STATIC_BROKER_CONFIG, entry(all, "broker.id").source());
        assertTrue(entry(all, "log.retention.hours").readOnly(), "only the first synonym is dynamic, as in Kafka");
        // Kafka drops synonyms listed before the entry's own name: hours does not show the dynamic ms
        assertEquals(List.of(new Synonym("log.retention.hours", "2", Source.STATIC_BROKER_CONFIG),
                new Synonym("log.retention.hours", "168", Source.DEFAULT_CONFIG)),
                entry(all, "log.retention.hours").synonyms());
        ConfigEntry minutes = entry(all, "log.retention.minutes");
        assertNull(minutes.value());
        assertEquals(Source.DEFAULT_CONFIG, minutes.source());
        assertEquals("60000", TopicConfigs.effective("retention.ms", Map.of(), s));

        List<ConfigEntry> dflt = s.layers().describeDefault();
        assertEquals(List.of("log.retention.ms", "message.max.bytes"), dflt.stream().map(ConfigEntry::name).toList());
        assertEquals(List.of(new Synonym("message.max.bytes", "2000", Source.DYNAMIC_DEFAULT_BROKER_CONFIG)),
                entry(dflt, "message.max.bytes").synonyms());
        assertEquals("3000", s.raw().get("message.max.bytes"), "components reading raw keys see dynamic values");
        assertEquals(2000L, settings(Map.of(), Map.of("log.cleaner.threads", "2000"), Map.of())
                .longValue("log.cleaner.threads", 1, 0));
    }

    @Test
    void alterationsAreValidatedAsKafkaValidatesThem() {
        BrokerSettings s = settings(Map.of(), Map.of(), Map.of());
        assertInvalid(ErrorCode.INVALID_CONFIG, "Unknown broker config name: log.retention.weeks",
                () -> ConfigAlterations.validateBroker("0", Map.of("log.retention.weeks", "1"), s.layers(), DIR));
        assertInvalid(ErrorCode.INVALID_CONFIG, "Cannot update these configs dynamically: Set(broker.id, log.dirs)",
                () -> ConfigAlterations.validateBroker("0", Map.of("broker.id", "1", "log.dirs", "x"), s.layers(),
                        DIR));
        assertInvalid(ErrorCode.INVALID_CONFIG,
                "Invalid value soon for configuration log.retention.ms: Not a number of type LONG",
                () -> ConfigAlterations.validateBroker("", Map.of("log.retention.ms", "soon"), s.layers(), DIR));
        assertInvalid(ErrorCode.INVALID_CONFIG, "Invalid value lots for configuration retention.ms: Not a number of"
                + " type LONG", () -> ConfigAlterations.validateTopic(Map.of("retention.ms", "lots")));
        assertInvalid(ErrorCode.INVALID_CONFIG, "Unknown topic config name: retention.weeks",
                () -> ConfigAlterations.validateTopic(Map.of("retention.weeks", "1")));
        assertInvalid(ErrorCode.INVALID_CONFIG, "Can't APPEND to key retention.ms because its type is not LIST.",
                () -> ConfigAlterations.apply(Map.of(), List.of(new ConfigOp("retention.ms", ConfigOp.Type.APPEND,
                        "1")), true));
        assertInvalid(ErrorCode.INVALID_CONFIG, "Config value subtract is not allowed for config key: "
                + "message.max.bytes", () -> ConfigAlterations.apply(Map.of(), List.of(new ConfigOp(
                        "message.max.bytes", ConfigOp.Type.SUBTRACT, "1")), false));
        assertInvalid(ErrorCode.INVALID_REQUEST, "Error due to duplicate config keys",
                () -> ConfigAlterations.apply(Map.of(), List.of(new ConfigOp("a", ConfigOp.Type.SET, "1"),
                        new ConfigOp("a", ConfigOp.Type.DELETE, null)), true));

        assertEquals(Map.of("cleanup.policy", "delete,compact"), ConfigAlterations.apply(Map.of(),
                List.of(new ConfigOp("cleanup.policy", ConfigOp.Type.APPEND, "compact")), true));
        assertEquals(Map.of("cleanup.policy", "delete", "segment.ms", "5"), ConfigAlterations.apply(
                Map.of("cleanup.policy", "delete,compact", "retention.ms", "1"), List.of(
                        new ConfigOp("cleanup.policy", ConfigOp.Type.SUBTRACT, "compact"),
                        new ConfigOp("retention.ms", ConfigOp.Type.DELETE, null),
                        new ConfigOp("segment.ms", ConfigOp.Type.SET, "5")), true));
        assertEquals(Map.of("log.retention.ms", "1000", "log.cleanup.policy", "compact,delete"),
                ConfigAlterations.validateBroker("0", Map.of("log.retention.ms", " 1000",
                        "log.cleanup.policy", "compact,delete"), s.layers(), DIR));
    }

    private static void assertInvalid(ErrorCode code, String message, Runnable call) {
        StrataException e = assertThrows(StrataException.class, call::run);
        assertEquals(code, e.error());
        assertEquals(message, e.getMessage());
    }

    @Test
    void theClusterSettingsAreKafkasReadOnlyBrokerConfigs() {
        BrokerSettings s = settings(Map.of("zookeeper.connect", "127.0.0.1:2181/strata", "broker.rack", "r1"),
                Map.of(), Map.of());
        List<ConfigEntry> all = s.layers().describeBroker();
        ConfigEntry zk = entry(all, "zookeeper.connect");
        assertEquals("127.0.0.1:2181/strata", zk.value());
        assertEquals(Source.STATIC_BROKER_CONFIG, zk.source());
        assertTrue(zk.readOnly());
        assertEquals("r1", entry(all, "broker.rack").value());
        Map<String, String> defaults = Map.of("zookeeper.session.timeout.ms", "18000",
                "zookeeper.connection.timeout.ms", "18000", "auto.leader.rebalance.enable", "true",
                "leader.imbalance.check.interval.seconds", "300", "leader.imbalance.per.broker.percentage", "10",
                "controlled.shutdown.enable", "true", "unclean.leader.election.enable", "false");
        defaults.forEach((k, v) -> {
            assertEquals(v, entry(all, k).value(), k);
            assertEquals(Source.DEFAULT_CONFIG, entry(all, k).source(), k);
        });
        assertTrue(entry(all, "controlled.shutdown.enable").readOnly());
        assertEquals(ConfigEntry.Type.BOOLEAN, entry(all, "auto.leader.rebalance.enable").type());
        assertEquals(ConfigEntry.Type.LONG, entry(all, "leader.imbalance.check.interval.seconds").type());
        StrataException e = assertThrows(StrataException.class,
                () -> BrokerConfigs.validate("controlled.shutdown.enable", "maybe"));
        assertEquals("Invalid value maybe for configuration controlled.shutdown.enable: Expected value to be either "
                + "true or false", e.getMessage());
        // Static: an Admin alter of one is refused as Kafka refuses it.
        assertFalse(BrokerConfigs.def("zookeeper.connect").dynamic());
    }
}
