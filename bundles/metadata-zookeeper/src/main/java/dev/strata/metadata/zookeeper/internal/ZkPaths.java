package dev.strata.metadata.zookeeper.internal;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The ZooKeeper layout (under the chroot of {@code zookeeper.connect}) and the codec of its znodes: each holds
 * {@link Properties} text in UTF-8 with a {@code version=1} key. Stateless.
 */
final class ZkPaths {
    static final String CLUSTER_ID = "/cluster/id";
    static final String BROKER_IDS = "/brokers/ids";
    static final String TOPICS = "/brokers/topics";
    static final String CONTROLLER = "/controller";
    static final String CONTROLLER_EPOCH = "/controller_epoch";
    static final String CONTROLLER_ELECTION = "/controller_election";
    static final String TOPIC_CONFIGS = "/config/topics";
    static final String BROKER_CONFIGS = "/config/brokers";
    static final String DELETE_TOPICS = "/admin/delete_topics";
    static final String ELECTIONS = "/admin/preferred_replica_election";
    static final String CONTROLLED_SHUTDOWN = "/admin/controlled_shutdown";
    static final String PRODUCER_ID_BLOCK = "/latest_producer_id_block";
    /** The znode name of the cluster-wide default of the dynamic broker configs (entity ""). */
    static final String DEFAULT_ENTITY = "<default>";
    static final String FORMAT_VERSION = "1";

    private ZkPaths() {
    }

    static String broker(int id) {
        return BROKER_IDS + "/" + id;
    }

    static String topic(String name) {
        return TOPICS + "/" + name;
    }

    static String partitions(String topic) {
        return topic(topic) + "/partitions";
    }

    static String partition(String topic, int partition) {
        return partitions(topic) + "/" + partition;
    }

    static String state(String topic, int partition) {
        return partition(topic, partition) + "/state";
    }

    static String topicConfig(String topic) {
        return TOPIC_CONFIGS + "/" + topic;
    }

    static String brokerConfig(String entity) {
        return BROKER_CONFIGS + "/" + (entity.isEmpty() ? DEFAULT_ENTITY : entity);
    }

    static String deleteRequest(String topic) {
        return DELETE_TOPICS + "/" + topic;
    }

    static String controlledShutdown(int broker) {
        return CONTROLLED_SHUTDOWN + "/" + broker;
    }

    /** The last segment of {@code path}. */
    static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Properties text of {@code values} plus {@code version=1}, keys sorted. */
    static byte[] encode(Map<String, String> values) {
        Properties p = new Properties();
        p.putAll(values);
        p.setProperty("version", FORMAT_VERSION);
        StringWriter out = new StringWriter();
        try {
            p.store(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        // Properties.store writes a date comment first: drop it, so equal data is equal bytes.
        String text = out.toString();
        if (text.startsWith("#")) {
            text = text.substring(text.indexOf('\n') + 1);
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The values of a znode (without {@code version}); empty for no data. */
    static Map<String, String> decode(byte[] data) {
        Map<String, String> values = new TreeMap<>();
        if (data == null || data.length == 0) {
            return values;
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(new String(data, StandardCharsets.UTF_8)));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not Properties text: " + e.getMessage(), e);
        }
        for (String key : p.stringPropertyNames()) {
            values.put(key, p.getProperty(key));
        }
        values.remove("version");
        return values;
    }

    static int intValue(Map<String, String> values, String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return Integer.parseInt(v.trim());
    }

    static String ids(List<Integer> ids) {
        StringBuilder b = new StringBuilder();
        for (Integer id : ids) {
            b.append(b.length() == 0 ? "" : ",").append(id);
        }
        return b.toString();
    }

    static List<Integer> parseIds(String text) {
        List<Integer> ids = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return ids;
        }
        for (String s : text.split(",")) {
            ids.add(Integer.parseInt(s.trim()));
        }
        return ids;
    }

    static List<String> split(String text) {
        return text == null || text.isBlank() ? List.of() : Arrays.asList(text.split(","));
    }
}
