package dev.strata.client.internal;

import dev.strata.api.client.LocalConsumer;
import dev.strata.api.client.LocalProducer;
import dev.strata.api.compression.CompressionType;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Parsing and checking of producer and consumer settings; every bad value is an IllegalArgumentException. */
final class Settings {
    private Settings() {
    }

    /** A producer's settings, checked. */
    record Producer(short acks, CompressionType compression, int batchSize, int maxRequestSize, int requestTimeoutMs,
                    boolean idempotent, String clientId, String partitioner) {
    }

    /** A consumer's settings, checked. */
    record Consumer(int maxPollRecords, int maxPartitionFetchBytes, int fetchMaxBytes, String autoOffsetReset,
                    String clientId) {
    }

    private static final Set<String> PRODUCER_KEYS = Set.of(LocalProducer.ACKS, LocalProducer.COMPRESSION_TYPE,
            LocalProducer.BATCH_SIZE, LocalProducer.MAX_REQUEST_SIZE, LocalProducer.REQUEST_TIMEOUT_MS,
            LocalProducer.ENABLE_IDEMPOTENCE, LocalProducer.CLIENT_ID, LocalProducer.PARTITIONER);
    private static final Set<String> CONSUMER_KEYS = Set.of(LocalConsumer.MAX_POLL_RECORDS,
            LocalConsumer.MAX_PARTITION_FETCH_BYTES, LocalConsumer.FETCH_MAX_BYTES, LocalConsumer.AUTO_OFFSET_RESET,
            LocalConsumer.CLIENT_ID);

    static Producer producer(Map<String, String> settings) {
        Map<String, String> s = checked(settings, PRODUCER_KEYS, "producer");
        String acksText = s.getOrDefault(LocalProducer.ACKS, "all").trim();
        short acks = switch (acksText.toLowerCase(Locale.ROOT)) {
            case "all", "-1" -> -1;
            case "1" -> 1;
            case "0" -> 0;
            default -> throw new IllegalArgumentException("Invalid value " + acksText + " for acks: all, -1, 1 or 0");
        };
        String compressionText = s.getOrDefault(LocalProducer.COMPRESSION_TYPE, "none").trim();
        CompressionType compression;
        try {
            compression = CompressionType.forName(compressionText.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid value " + compressionText + " for compression.type: none, "
                    + "gzip, snappy, lz4 or zstd");
        }
        boolean idempotent = bool(s, LocalProducer.ENABLE_IDEMPOTENCE, true);
        if (idempotent && acks != -1) {
            throw new IllegalArgumentException("enable.idempotence=true needs acks=all (got acks=" + acksText
                    + "); set enable.idempotence=false to use acks=" + acksText);
        }
        return new Producer(acks, compression, positive(s, LocalProducer.BATCH_SIZE, 16_384),
                positive(s, LocalProducer.MAX_REQUEST_SIZE, 1_048_576),
                positive(s, LocalProducer.REQUEST_TIMEOUT_MS, 30_000), idempotent,
                s.getOrDefault(LocalProducer.CLIENT_ID, "local-producer"),
                s.getOrDefault(LocalProducer.PARTITIONER, Partitioners.DEFAULT).trim());
    }

    static Consumer consumer(Map<String, String> settings) {
        Map<String, String> s = checked(settings, CONSUMER_KEYS, "consumer");
        String reset = s.getOrDefault(LocalConsumer.AUTO_OFFSET_RESET, "earliest").trim().toLowerCase(Locale.ROOT);
        if (!Set.of("earliest", "latest", "none").contains(reset)) {
            throw new IllegalArgumentException("Invalid value " + reset + " for auto.offset.reset: earliest, latest or"
                    + " none");
        }
        return new Consumer(positive(s, LocalConsumer.MAX_POLL_RECORDS, 500),
                positive(s, LocalConsumer.MAX_PARTITION_FETCH_BYTES, 1_048_576),
                positive(s, LocalConsumer.FETCH_MAX_BYTES, 52_428_800), reset,
                s.getOrDefault(LocalConsumer.CLIENT_ID, "local-consumer"));
    }

    private static Map<String, String> checked(Map<String, String> settings, Set<String> known, String kind) {
        Map<String, String> s = settings == null ? Map.of() : settings;
        for (Map.Entry<String, String> e : s.entrySet()) {
            if (!known.contains(e.getKey())) {
                throw new IllegalArgumentException("Unknown " + kind + " setting " + e.getKey() + " (known: "
                        + known.stream().sorted().toList() + ")");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("Null value for " + kind + " setting " + e.getKey());
            }
        }
        return s;
    }

    private static int positive(Map<String, String> s, String key, int dflt) {
        String v = s.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("Invalid value " + v + " for " + key + ": a positive int");
    }

    private static boolean bool(Map<String, String> s, String key, boolean dflt) {
        String v = s.get(key);
        if (v == null) {
            return dflt;
        }
        if (v.trim().equalsIgnoreCase("true") || v.trim().equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v.trim());
        }
        throw new IllegalArgumentException("Invalid value " + v + " for " + key + ": true or false");
    }
}
