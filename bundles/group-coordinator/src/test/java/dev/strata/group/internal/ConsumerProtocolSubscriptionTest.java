package dev.strata.group.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.strata.api.group.GroupProtocol;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerPartitionAssignor.Subscription;
import org.apache.kafka.clients.consumer.internals.ConsumerProtocol;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The topics OffsetDelete protects are read from subscriptions as kafka-clients serialises them (v0 to v3). */
class ConsumerProtocolSubscriptionTest {

    private static ClassicGroup groupWith(byte[]... subscriptions) {
        ClassicGroup g = new ClassicGroup("g", 0, 0);
        int i = 0;
        for (byte[] s : subscriptions) {
            ClassicGroupMember m = new ClassicGroupMember("m" + i++, null, "c", "h", 1000, 1000, "consumer",
                    List.of(new GroupProtocol("range", s)));
            m.awaitingJoin = new java.util.concurrent.CompletableFuture<>();
            g.add(m);
        }
        g.transitionTo(dev.strata.api.group.GroupState.PREPARING_REBALANCE, 0);
        g.initNextGeneration(0);
        return g;
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void everySubscriptionVersionYieldsItsTopics() {
        for (short version = 0; version <= 3; version++) {
            Subscription s = new Subscription(List.of("a", "b"), ByteBuffer.wrap(new byte[] {9}),
                    List.of(new TopicPartition("a", 0)), 4, Optional.of("rack-1"));
            byte[] serialized = bytes(ConsumerProtocol.serializeSubscription(s, version));
            Subscription other = new Subscription(List.of("c"));
            ClassicGroup g = groupWith(serialized, bytes(ConsumerProtocol.serializeSubscription(other, version)));
            assertEquals(Set.of("a", "b", "c"), OffsetManager.subscribedTopics(g), "version " + version);
        }
    }

    @Test
    void unreadableMetadataMeansAnyTopic() {
        assertNull(OffsetManager.subscribedTopics(groupWith(new byte[] {0, 0, 0x7f, 0, 0, 0})));
    }
}
