package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The offset index switched mmap -> RocksDB -> mmap by editing the store's {@code etc/} file (FileInstall applies it
 * live) during a 60-second run of an idempotent producer (acks=all) and a consumer at a steady rate on three
 * partitions, with small segments so that the indexes matter. Every acknowledged record is consumed once, no client
 * connection is closed, and reads at random acknowledged offsets ({@code seek}) return the acknowledged record
 * before, during and after each swap.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class IndexSwapIT {
    private static final String TOPIC = "swap";
    private static final int PARTITIONS = 3;
    private static final String STORE_PID = "dev.strata.storage.segment";

    @Test
    void switchingTheIndexLiveLosesNothingDuplicatesNothingAndDisconnectsNoOne() throws Exception {
        try (StrataContainer container = StrataContainer.create("index-swap")) {
            Path features = container.home().resolve("etc/features.cfg");
            String boot = Files.readString(features, StandardCharsets.UTF_8);
            Files.writeString(features, boot.replace("strata-protocol-kafka", "strata-protocol-kafka, "
                    + "strata-index-rocksdb"), StandardCharsets.UTF_8);
            container.start();
            SwapLoad.awaitLog(container, "RocksDB native library in the container", "native library loaded");
            System.out.println("IndexSwapIT: " + container.log().lines()
                    .filter(l -> l.contains("native library loaded")).findFirst().orElseThrow());
            try (Admin admin = Clients.admin(container)) {
                Clients.createTopic(admin, TOPIC, PARTITIONS, Map.of("segment.bytes", "262144"));
            }
            SwapLoad load = new SwapLoad(container, TOPIC, PARTITIONS, "IndexSwapIT");
            load.start();
            load.phase("mmap");
            load.randomReadsFor(10);
            load.phase("mmap -> rocksdb");
            switchTo(container, "rocksdb");
            SwapLoad.awaitLog(container, "end of the swap to RocksDB", "Index swap mmap -> rocksdb finished");
            load.phase("rocksdb");
            load.randomReadsFor(25);
            load.phase("rocksdb -> mmap");
            switchTo(container, "mmap");
            SwapLoad.awaitLog(container, "end of the swap back to mmap", "Index swap rocksdb -> mmap finished");
            load.phase("mmap again");
            load.randomReadsFor(20);
            load.finish();
            container.log().lines().filter(l -> l.contains("Index swap")).forEach(l -> System.out.println(
                    "IndexSwapIT: " + l));
            assertTrue(Files.isDirectory(container.dataDir().resolve(".strata-index-rocksdb")),
                    "RocksDB kept its files in the log directory");
            assertTrue(!container.log().contains("failed; it keeps"), "a log kept its old index");
        }
    }

    private static void switchTo(StrataContainer container, String type) throws Exception {
        StrataContainer.setProperties(container.home().resolve("etc/" + STORE_PID + ".cfg"),
                Map.of("indexFactory.target", "(strata.index.type=" + type + ")"));
    }
}
