package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The log store swapped under load while the broker and its listener stay up (issue 9): the segment-store bundle
 * updated to a rebuilt jar with Gogo's {@code update}, and the index bundle a store depends on stopped with no
 * fallback and started again. Clients see held requests and retriable errors, never a lost or doubled record.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StoreSwapIT {
    private static final String STORE_BSN = "dev.strata.storage.segment";

    @Test
    void updatingTheSegmentStoreBundleUnderLoadLosesNothingAndDisconnectsNoOne() throws Exception {
        try (StrataContainer container = StrataContainer.create("store-update")) {
            container.start();
            try (Admin admin = Clients.admin(container)) {
                Clients.createTopic(admin, "update", 3, Map.of("segment.bytes", "262144"));
            }
            long id = bundleId(container, STORE_BSN);
            Path rebuilt = rebuild(container.home().resolve("system"), STORE_BSN, container.home().resolve("rebuilt"));

            SwapLoad load = new SwapLoad(container, "update", 3, "StoreSwapIT");
            load.start();
            load.phase("before the update");
            load.randomReadsFor(10);
            load.phase("update");
            int logBefore = container.log().length();
            System.out.println("StoreSwapIT: update: " + container.gogo("update " + id + " " + rebuilt.toUri()));
            SwapLoad.awaitLog(container, "the partitions moved to the updated store", "partition(s) to log store",
                    logBefore);
            load.phase("after the update");
            load.randomReadsFor(10);
            load.finish();

            assertTrue(container.gogo("lb -s " + STORE_BSN).contains("rebuilt"), "the rebuilt jar runs");
            // Every slice a fetch read was released once its response was sent: none left with the clients closed.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            String storage = container.gogo("strata:storage");
            while (heldSlices(storage) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
                storage = container.gogo("strata:storage");
            }
            assertEquals(0, heldSlices(storage), "slices never released:\n" + storage);
            System.out.println("StoreSwapIT: strata:storage after the update:\n" + storage);
            assertTrue(storage.contains("0 without a log"), storage);
            container.log().lines().filter(l -> l.contains("Log store") || l.contains("partition(s) to log store"))
                    .forEach(l -> System.out.println("StoreSwapIT: " + l));
        }
    }

    @Test
    void theIndexBundleStoppedWithNoFallbackMakesRequestsWaitThenFailRetriablyAndStartedAgainServes()
            throws Exception {
        try (StrataContainer container = StrataContainer.create("store-missing")) {
            Path features = container.home().resolve("etc/features.cfg");
            Files.writeString(features, Files.readString(features, StandardCharsets.UTF_8).replace(
                    "strata-protocol-kafka", "strata-protocol-kafka, strata-index-rocksdb"), StandardCharsets.UTF_8);
            StrataContainer.setProperties(container.home().resolve("etc/" + STORE_BSN + ".cfg"),
                    Map.of("indexFactory.target", "(strata.index.type=rocksdb)"));
            StrataContainer.setProperties(container.home().resolve("etc/dev.strata.broker.cfg"),
                    Map.of("log.store.unavailable.wait.ms", "3000"));
            container.start();
            try (Admin admin = Clients.admin(container)) {
                Clients.createTopic(admin, "held", 2);
            }
            KafkaProducer<String, String> producer = Clients.producer(container,
                    Map.of("enable.idempotence", true, "acks", "all"));
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>("held", i % 2, "k" + i, "before-" + i)).get(30, TimeUnit.SECONDS);
            }

            long rocksdb = bundleId(container, "dev.strata.index.rocksdb");
            // Gogo runs the stop on its own thread, so what the broker logs meanwhile is the command's output.
            String stopped = container.gogo("stop " + rocksdb);
            System.out.println("StoreSwapIT: stop of the RocksDB index bundle: " + stopped);
            assertTrue(stopped.contains("went away: "), "the broker closes the store's partitions: " + stopped);
            String storage = container.gogo("strata:storage held");
            System.out.println("StoreSwapIT: strata:storage with the index bundle stopped:\n" + storage);
            assertTrue(storage.contains("Log store: none bound") && storage.contains("WITHOUT LOG"), storage);

            // A send that is not retried shows the answer: held for the wait, then KAFKA_STORAGE_ERROR (retriable).
            try (KafkaProducer<String, String> once = Clients.producer(container, Map.of("retries", 0,
                    "enable.idempotence", false, "acks", "1", "delivery.timeout.ms", 20_000,
                    "request.timeout.ms", 15_000))) {
                long start = System.nanoTime();
                ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                        () -> once.send(new ProducerRecord<>("held", 0, "k", "refused")).get(30, TimeUnit.SECONDS));
                long heldMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                System.out.println("StoreSwapIT: send without a store answered after " + heldMs + " ms: "
                        + e.getCause());
                assertInstanceOf(KafkaStorageException.class, e.getCause());
                assertTrue(heldMs >= 2_500 && heldMs < 15_000, "held for about the wait: " + heldMs + " ms");
            }
            // The broker and its other parts stay up meanwhile.
            try (Admin admin = Clients.admin(container)) {
                assertEquals(1, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
                assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).contains("held"));
            }
            // A retrying producer's send made now is held and completes once the store is back.
            var pending = producer.send(new ProducerRecord<>("held", 1, "k", "during"));
            container.gogo("start " + rocksdb);
            RecordMetadata during = pending.get(60, TimeUnit.SECONDS);
            assertEquals(50, during.offset(), "the held send lands right after the records before");
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>("held", i % 2, "k" + i, "after-" + i)).get(30, TimeUnit.SECONDS);
            }
            producer.close();
            List<ConsumerRecord<String, String>> all = Clients.readAll(container, Clients.partitions("held", 2),
                    java.time.Duration.ofSeconds(30));
            assertEquals(201, all.size());
            assertEquals(100, all.stream().filter(r -> r.value().startsWith("before-")).count());
            assertEquals(100, all.stream().filter(r -> r.value().startsWith("after-")).count());
            assertTrue(container.gogo("strata:storage held").contains("0 without a log"));
        }
    }

    /** Slices being sent, summed over partitions: the HELD column of {@code strata:storage}. */
    static long heldSlices(String storage) {
        long sum = 0;
        for (String line : storage.split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 5 && cols[3].matches("\\d+")) {
                sum += Long.parseLong(cols[3]);
            }
        }
        return sum;
    }

    /** The id of the bundle with symbolic name {@code bsn}, from Gogo's {@code lb -s}. */
    static long bundleId(StrataContainer container, String bsn) throws Exception {
        for (String line : container.gogo("lb -s " + bsn).split("\n")) {
            String[] cols = line.split("\\|");
            if (cols.length >= 4 && cols[3].trim().startsWith(bsn + " ") || cols.length >= 4
                    && cols[3].trim().equals(bsn)) {
                return Long.parseLong(cols[0].trim());
            }
        }
        throw new AssertionError("No bundle " + bsn + " in lb -s");
    }

    /** A rebuilt copy of the bundle jar: the same classes under a new Bundle-Version qualifier. */
    static Path rebuild(Path system, String bsn, Path outDir) throws IOException {
        Path jar;
        try (var files = Files.walk(system)) {
            jar = files.filter(f -> f.getFileName().toString().startsWith("strata-storage-segment-")
                    && f.toString().endsWith(".jar")).findFirst().orElseThrow();
        }
        Files.createDirectories(outDir);
        Path out = outDir.resolve("strata-storage-segment-rebuilt.jar");
        try (JarFile in = new JarFile(jar.toFile());
             OutputStream os = Files.newOutputStream(out)) {
            Manifest mf = new Manifest(in.getManifest());
            Attributes main = mf.getMainAttributes();
            String version = main.getValue("Bundle-Version");
            String base = version.split("\\.").length > 3 ? version.substring(0, version.lastIndexOf('.'))
                    : version;
            main.putValue("Bundle-Version", base + ".rebuilt");
            try (JarOutputStream jos = new JarOutputStream(os, mf)) {
                for (Enumeration<JarEntry> e = in.entries(); e.hasMoreElements(); ) {
                    JarEntry entry = e.nextElement();
                    if (entry.getName().equals("META-INF/MANIFEST.MF")) {
                        continue;
                    }
                    jos.putNextEntry(new JarEntry(entry.getName()));
                    try (InputStream is = in.getInputStream(entry)) {
                        is.transferTo(jos);
                    }
                    jos.closeEntry();
                }
            }
        }
        return out;
    }
}
