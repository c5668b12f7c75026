package dev.strata.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.junit.jupiter.api.Test;

/**
 * A broker with a low open-file limit refuses topic creations it could not keep open (POLICY_VIOLATION naming the
 * figures) instead of answering success with partitions offline; what it accepted works, and still works after a
 * restart.
 */
class FileDescriptorBudgetIT {
    private static final int OPEN_FILE_LIMIT = 4096;

    @Test
    void creationsBeyondTheDescriptorBudgetAreRefusedAndTheRestStaysOnline() throws Exception {
        try (StrataContainer container = StrataContainer.create("fd-budget").withOpenFileLimit(OPEN_FILE_LIMIT)
                .start()) {
            try (Admin admin = Clients.admin(container)) {
                ExecutionException refused = assertThrows(ExecutionException.class, () -> admin.createTopics(
                        List.of(new NewTopic("huge", 9000, (short) 1))).all().get(60, TimeUnit.SECONDS));
                assertInstanceOf(PolicyViolationException.class, refused.getCause(), refused.toString());
                assertTrue(refused.getCause().getMessage().contains("of " + OPEN_FILE_LIMIT + " in use"), refused.getCause().getMessage());

                Clients.createTopic(admin, "fits", 1000);
                assertThrows(ExecutionException.class, () -> admin.createTopics(
                        List.of(new NewTopic("second", 1000, (short) 1))).all().get(60, TimeUnit.SECONDS));
                assertTrue(admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
                        .noneMatch(t -> t.equals("huge") || t.equals("second")));
            }
            assertEquals(1000, produceToEveryPartition(container, "fits", "before restart"));

            container.stop();
            container.start();
            assertEquals(1000, produceToEveryPartition(container, "fits", "after restart"));
            assertEquals(2000, Clients.readAll(container, Clients.partitions("fits", 1000), java.time.Duration.ofSeconds(60)).size());
        }
    }

    /** One acknowledged record per partition; returns how many were acknowledged. */
    private static int produceToEveryPartition(StrataContainer container, String topic, String value)
            throws Exception {
        int acknowledged = 0;
        try (KafkaProducer<String, String> producer = Clients.producer(container, Map.of())) {
            List<java.util.concurrent.Future<RecordMetadata>> sends = new java.util.ArrayList<>();
            for (int p = 0; p < 1000; p++) {
                sends.add(producer.send(new ProducerRecord<>(topic, p, null, value)));
            }
            for (var send : sends) {
                send.get(60, TimeUnit.SECONDS);
                acknowledged++;
            }
        }
        return acknowledged;
    }
}
