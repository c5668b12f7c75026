package dev.strata.group.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.group.GroupProtocol;
import dev.strata.api.group.JoinGroupRequest;
import dev.strata.api.group.JoinGroupResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Request builders and waits shared by the tests. */
final class GroupTestSupport {
    static final int SESSION_MS = 10_000;
    static final int REBALANCE_MS = 10_000;

    private GroupTestSupport() {
    }

    /** Test settings: 4 offsets partitions, no initial delay, session timeouts from 50 ms allowed. */
    static CoordinatorSettings settings() {
        return new CoordinatorSettings(4, (short) -1, 50, 1800000, 0, Integer.MAX_VALUE, 7L * 24 * 3600 * 1000,
                600000, 100, 5000, 1024 * 1024);
    }

    /** A consumer-protocol subscription: int16 version 0, the topic names, null user data. */
    static byte[] subscription(String... topics) {
        int size = 2 + 4 + 4;
        for (String t : topics) {
            size += 2 + t.getBytes(StandardCharsets.UTF_8).length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putShort((short) 0).putInt(topics.length);
        for (String t : topics) {
            byte[] n = t.getBytes(StandardCharsets.UTF_8);
            b.putShort((short) n.length).put(n);
        }
        b.putInt(-1);
        return b.array();
    }

    static JoinGroupRequest join(String group, String memberId, String instanceId, int sessionMs, String... topics) {
        return new JoinGroupRequest(group, memberId, instanceId, "consumer",
                List.of(new GroupProtocol("range", subscription(topics))), sessionMs, REBALANCE_MS, "client",
                "/127.0.0.1", true, null);
    }

    static JoinGroupRequest join(String group, String memberId, String... topics) {
        return join(group, memberId, null, SESSION_MS, topics);
    }

    static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    /** KIP-394 first join: MEMBER_ID_REQUIRED with an id, then the real join with it (returned not yet complete). */
    static CompletableFuture<JoinGroupResult> joinTwice(GroupCoordinatorService c, String group, String... topics)
            throws Exception {
        JoinGroupResult first = await(c.joinGroup(join(group, "", topics)));
        assertEquals(ErrorCode.MEMBER_ID_REQUIRED, first.error());
        return c.joinGroup(join(group, first.memberId(), topics));
    }

    static void waitUntil(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }
}
