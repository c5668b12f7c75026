package dev.strata.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.compression.CompressionType;
import dev.strata.api.partition.Partitioner;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsAndPartitionersTest {

    @Test
    void producerDefaultsAreKafkasAndBadSettingsAreRefusedByName() {
        Settings.Producer p = Settings.producer(Map.of());
        assertEquals(-1, p.acks());
        assertTrue(p.idempotent());
        assertEquals(CompressionType.NONE, p.compression());
        assertEquals(16_384, p.batchSize());
        assertEquals(CompressionType.ZSTD, Settings.producer(Map.of("compression.type", "ZSTD")).compression());

        assertTrue(assertThrows(IllegalArgumentException.class, () -> Settings.producer(Map.of("linger.ms", "5")))
                .getMessage().startsWith("Unknown producer setting linger.ms"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Settings.producer(Map.of("acks", "1")))
                .getMessage().contains("enable.idempotence=true needs acks=all"));
        assertEquals(1, Settings.producer(Map.of("acks", "1", "enable.idempotence", "false")).acks());
        assertThrows(IllegalArgumentException.class, () -> Settings.producer(Map.of("batch.size", "0")));
        assertThrows(IllegalArgumentException.class, () -> Settings.producer(Map.of("compression.type", "brotli")));
        assertThrows(IllegalArgumentException.class, () -> Settings.consumer(Map.of("auto.offset.reset", "middle")));
        assertEquals("latest", Settings.consumer(Map.of("auto.offset.reset", "LATEST")).autoOffsetReset());
    }

    @Test
    void aMissingPartitionerFallsBackToTheDefaultAndBestRankingWins() {
        Partitioners partitioners = new Partitioners();
        StrataException none = assertThrows(StrataException.class, () -> partitioners.choose("vendor"));
        assertEquals(ErrorCode.UNKNOWN_SERVER_ERROR, none.error());
        assertTrue(none.getMessage().contains("No partitioner named 'vendor' nor 'default' is installed"),
                none.getMessage());

        Partitioner dflt = (topic, key, value, n) -> 0;
        Partitioner vendor = (topic, key, value, n) -> 1;
        Partitioner better = (topic, key, value, n) -> 2;
        partitioners.add(dflt, Map.of(Partitioner.PROPERTY_NAME, "default", "service.id", 1L));
        assertSame(dflt, partitioners.choose("vendor").partitioner());
        assertEquals("default", partitioners.choose(null).name());

        partitioners.add(vendor, Map.of(Partitioner.PROPERTY_NAME, "vendor", "service.id", 2L));
        partitioners.add(better, Map.of(Partitioner.PROPERTY_NAME, "vendor", "service.id", 3L,
                "service.ranking", 10));
        assertSame(better, partitioners.choose("vendor").partitioner());
        partitioners.remove(better, Map.of(Partitioner.PROPERTY_NAME, "vendor"));
        assertSame(vendor, partitioners.choose(" vendor ").partitioner());
        partitioners.remove(vendor, Map.of(Partitioner.PROPERTY_NAME, "vendor"));
        assertSame(dflt, partitioners.choose("vendor").partitioner());
    }
}
