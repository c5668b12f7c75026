package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;

/**
 * A vendor partitioner installed into a running container changes where the in-container client puts new records;
 * uninstalled, the default takes over again. The example bundle (bundles/examples/partitioner-example, named
 * {@code first-partition}: everything to partition 0) is dropped into {@code deploy/} and deleted from it; records
 * are sent with Gogo {@code strata:produce} (strata-client) through the web console's Gogo tab.
 */
class VendorPartitionerIT {
    private static final int PARTITIONS = 4;
    private static final String VENDOR = "first-partition";
    private static final Pattern PRODUCED = Pattern.compile("Produced to (.+)-(\\d+)@(\\d+)");
    private static final long WAIT_NANOS = 45_000_000_000L;

    /** The example bundle's jar, built in the same reactor before the itests. */
    private static Path exampleJar() throws Exception {
        Path dir = Paths.get(System.getProperty("strata.itests.examplePartitioner",
                "../bundles/examples/partitioner-example/target")).toAbsolutePath().normalize();
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().matches("strata-example-partitioner-.*\\.jar"))
                    .findFirst().orElseThrow(() -> new IllegalStateException("No example partitioner jar in " + dir
                            + ": build bundles/examples/partitioner-example first"));
        }
    }

    @Test
    void aVendorPartitionerDroppedIntoDeployPlacesNewRecordsAndTheDefaultTakesOverWhenItIsRemoved()
            throws Exception {
        try (StrataContainer container = StrataContainer.create("vendor-partitioner").start();
             Admin admin = Clients.admin(container)) {
            // The topic names the vendor partitioner before it is installed; "plain" names none.
            Clients.createTopic(admin, "placed", PARTITIONS, Map.of("strata.partitioner", VENDOR));
            Clients.createTopic(admin, "plain", PARTITIONS);
            String keyOff0 = keyWhoseDefaultPartitionIsNot0();

            // Not installed: the default places the records, exactly where a Kafka producer would.
            String first = awaitProduced(container, "strata:produce placed " + keyOff0 + " v0");
            Set<Integer> used = new HashSet<>();
            for (int i = 0; i < 12; i++) {
                String key = "key-" + i;
                int p = produce(container, "strata:produce placed " + key + " before-" + i);
                assertEquals(kafkaPartition(key), p, "key " + key + " without the vendor bundle");
                used.add(p);
            }
            assertTrue(used.size() > 1, "the default spread 12 keys over " + used);
            assertTrue(first.contains("Partitioner '" + VENDOR + "' is not installed"), first);

            // Installed live: new records of the topic go to partition 0, per-record selection works too.
            Path deployed = container.home().resolve("deploy").resolve(exampleJar().getFileName());
            Files.copy(exampleJar(), deployed);
            awaitPartition(container, "strata:produce placed " + keyOff0 + " wait-install", 0);
            for (int i = 0; i < 12; i++) {
                assertEquals(0, produce(container, "strata:produce placed key-" + i + " with-vendor-" + i));
            }
            assertEquals(0, produce(container, "strata:produce plain " + keyOff0 + " per-record " + VENDOR));
            assertEquals(kafkaPartition(keyOff0), produce(container, "strata:produce plain " + keyOff0 + " v"),
                    "a topic that names no partitioner keeps the default");
            awaitLog(container, "Partitioner " + VENDOR + " available");

            // Removed: the default takes over again, with one WARN.
            Files.delete(deployed);
            String fallback = awaitPartition(container, "strata:produce placed " + keyOff0 + " wait-remove",
                    kafkaPartition(keyOff0));
            for (int i = 0; i < 12; i++) {
                String key = "key-" + i;
                assertEquals(kafkaPartition(key), produce(container, "strata:produce placed " + key + " after-" + i));
            }
            awaitLog(container, "Partitioner " + VENDOR + " removed");
            assertTrue(fallback.contains("Partitioner '" + VENDOR + "' is not installed")
                    || container.log().contains("Partitioner '" + VENDOR + "' is not installed"), fallback);

            // The records are where the client said: read partition 0 back through Gogo.
            String consumed = container.gogo("strata:consume placed 0 0 100");
            for (int i = 0; i < 12; i++) {
                assertTrue(consumed.contains(" key=key-" + i + " value=with-vendor-" + i), consumed);
            }
        }
    }

    /** The partition Kafka's producer picks for a text key (murmur2, as kafka-clients computes it). */
    static int kafkaPartition(String key) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
    }

    private static String keyWhoseDefaultPartitionIsNot0() {
        for (int i = 0; ; i++) {
            if (kafkaPartition("probe-" + i) != 0) {
                return "probe-" + i;
            }
        }
    }

    static int produce(StrataContainer container, String command) throws Exception {
        String out = container.gogo(command);
        Matcher m = PRODUCED.matcher(out);
        if (!m.find()) {
            fail("'" + command + "' answered:\n" + out);
        }
        return Integer.parseInt(m.group(2));
    }

    /** Runs the command until it produces (the client's Gogo commands come up after the Kafka port). */
    static String awaitProduced(StrataContainer container, String command) throws Exception {
        long deadline = System.nanoTime() + WAIT_NANOS;
        String out = "";
        while (System.nanoTime() < deadline) {
            out = container.gogo(command);
            if (PRODUCED.matcher(out).find()) {
                return out;
            }
            Thread.sleep(200);
        }
        fail("'" + command + "' never produced; last answer:\n" + out);
        return null;
    }

    /** Produces until a record lands on {@code partition} (FileInstall polls deploy/ every second). */
    private static String awaitPartition(StrataContainer container, String command, int partition)
            throws Exception {
        long deadline = System.nanoTime() + WAIT_NANOS;
        String out = "";
        while (System.nanoTime() < deadline) {
            out = container.gogo(command);
            Matcher m = PRODUCED.matcher(out);
            if (m.find() && Integer.parseInt(m.group(2)) == partition) {
                return out;
            }
            Thread.sleep(200);
        }
        fail("'" + command + "' never landed on partition " + partition + "; last answer:\n" + out + "\n"
                + container.logTail(30));
        return null;
    }

    private static void awaitLog(StrataContainer container, String text) throws Exception {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (System.nanoTime() < deadline) {
            if (container.log().contains(text)) {
                return;
            }
            Thread.sleep(200);
        }
        fail("the log never said '" + text + "':\n" + container.logTail(40));
    }
}
