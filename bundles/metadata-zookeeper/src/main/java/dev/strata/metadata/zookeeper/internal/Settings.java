package dev.strata.metadata.zookeeper.internal;

import java.nio.file.Path;
import java.util.Map;

/** The broker settings the ZooKeeper store reads, with Kafka's names and defaults. Stateless. */
final class Settings {
    static final String BROKER_ID = "broker.id";

    private Settings() {
    }

    /** @throws IllegalArgumentException naming the setting that is not valid */
    static ZooKeeperMetadataStore.Config config(String connect, Path logDir, Map<String, ?> p) {
        int brokerId = (int) number(p, BROKER_ID, 0, 0, Integer.MAX_VALUE);
        Object rack = p.get("broker.rack");
        int session = (int) number(p, "zookeeper.session.timeout.ms", 18_000, 1, Integer.MAX_VALUE);
        int connection = (int) number(p, "zookeeper.connection.timeout.ms", session, 1, Integer.MAX_VALUE);
        ZkController.Settings controller = new ZkController.Settings(
                bool(p, "auto.leader.rebalance.enable", true),
                number(p, "leader.imbalance.check.interval.seconds", 300, 1, Long.MAX_VALUE),
                (int) number(p, "leader.imbalance.per.broker.percentage", 10, 0, 100),
                bool(p, "unclean.leader.election.enable", false));
        return new ZooKeeperMetadataStore.Config(connect, logDir, brokerId,
                rack == null || rack.toString().isBlank() ? null : rack.toString().trim(), session, connection,
                controller);
    }

    private static long number(Map<String, ?> p, String key, long dflt, long min, long max) {
        Object v = p.get(key);
        if (v == null || v.toString().isBlank()) {
            return dflt;
        }
        long n;
        try {
            n = v instanceof Number x ? x.longValue() : Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is not an integer: " + v, e);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ": " + n);
        }
        return n;
    }

    private static boolean bool(Map<String, ?> p, String key, boolean dflt) {
        Object v = p.get(key);
        if (v == null || v.toString().isBlank()) {
            return dflt;
        }
        String s = v.toString().trim();
        if (!s.equalsIgnoreCase("true") && !s.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(key + " must be true or false: " + v);
        }
        return Boolean.parseBoolean(s);
    }
}
