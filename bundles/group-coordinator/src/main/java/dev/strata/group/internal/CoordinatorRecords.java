package dev.strata.group.internal;

import dev.strata.api.common.TopicPartition;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The key and value formats of records in {@code __consumer_offsets}. They follow Kafka's own non-flexible schemas
 * (OffsetCommitKey v1, OffsetCommitValue v3, GroupMetadataKey v2, GroupMetadataValue v3), so the topic reads like
 * Kafka's. Big-endian; STRING = int16 length + UTF-8; NULLABLE_STRING = same with length -1 for null; BYTES = int32
 * length + bytes; ARRAY = int32 count + elements.
 *
 * <pre>
 * offset key   : int16 version=1 | STRING group | STRING topic | int32 partition
 * offset value : int16 version=3 | int64 offset | int32 leaderEpoch | STRING metadata | int64 commitTimestamp
 * group key    : int16 version=2 | STRING group
 * group value  : int16 version=3 | STRING protocolType | int32 generation | NULLABLE_STRING protocol
 *                | NULLABLE_STRING leader | int64 currentStateTimestamp
 *                | ARRAY members: STRING memberId | NULLABLE_STRING groupInstanceId | STRING clientId
 *                  | STRING clientHost | int32 rebalanceTimeoutMs | int32 sessionTimeoutMs
 *                  | BYTES subscription (metadata of the chosen protocol) | BYTES assignment
 * tombstone    : the key with a null value deletes the offset or the group
 * </pre>
 * Stateless and thread-safe.
 */
final class CoordinatorRecords {
    static final short OFFSET_KEY_VERSION = 1;
    static final short GROUP_KEY_VERSION = 2;
    static final short OFFSET_VALUE_VERSION = 3;
    static final short GROUP_VALUE_VERSION = 3;

    private CoordinatorRecords() {
    }

    /** A parsed key: either an offset key (topic set) or a group key (topic null). */
    record Key(String group, TopicPartition tp) {
        boolean isOffsetKey() {
            return tp != null;
        }
    }

    record OffsetValue(long offset, int leaderEpoch, String metadata, long commitTimestampMs) {
    }

    record MemberValue(String memberId, String groupInstanceId, String clientId, String clientHost,
                       int rebalanceTimeoutMs, int sessionTimeoutMs, byte[] subscription, byte[] assignment) {
    }

    record GroupValue(String protocolType, int generation, String protocolName, String leader,
                      long currentStateTimestampMs, List<MemberValue> members) {
    }

    // ---- encoding

    static byte[] offsetKey(String group, TopicPartition tp) {
        byte[] g = utf8(group);
        byte[] t = utf8(tp.topic());
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + g.length + 2 + t.length + 4);
        b.putShort(OFFSET_KEY_VERSION);
        putString(b, g);
        putString(b, t);
        b.putInt(tp.partition());
        return b.array();
    }

    static byte[] groupKey(String group) {
        byte[] g = utf8(group);
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + g.length);
        b.putShort(GROUP_KEY_VERSION);
        putString(b, g);
        return b.array();
    }

    static byte[] offsetValue(OffsetValue v) {
        byte[] m = utf8(v.metadata());
        ByteBuffer b = ByteBuffer.allocate(2 + 8 + 4 + 2 + m.length + 8);
        b.putShort(OFFSET_VALUE_VERSION).putLong(v.offset()).putInt(v.leaderEpoch());
        putString(b, m);
        b.putLong(v.commitTimestampMs());
        return b.array();
    }

    static byte[] groupValue(GroupValue v) {
        List<byte[][]> members = new ArrayList<>();
        int size = 2 + stringSize(v.protocolType()) + 4 + stringSize(v.protocolName()) + stringSize(v.leader()) + 8
                + 4;
        for (MemberValue m : v.members()) {
            byte[][] parts = {utf8(m.memberId()), m.groupInstanceId() == null ? null : utf8(m.groupInstanceId()),
                utf8(m.clientId()), utf8(m.clientHost())};
            members.add(parts);
            for (byte[] p : parts) {
                size += 2 + (p == null ? 0 : p.length);
            }
            size += 4 + 4 + 4 + m.subscription().length + 4 + m.assignment().length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putShort(GROUP_VALUE_VERSION);
        putString(b, utf8(v.protocolType() == null ? "" : v.protocolType()));
        b.putInt(v.generation());
        putString(b, v.protocolName() == null ? null : utf8(v.protocolName()));
        putString(b, v.leader() == null ? null : utf8(v.leader()));
        b.putLong(v.currentStateTimestampMs());
        b.putInt(v.members().size());
        for (int i = 0; i < v.members().size(); i++) {
            MemberValue m = v.members().get(i);
            byte[][] parts = members.get(i);
            for (byte[] p : parts) {
                putString(b, p);
            }
            b.putInt(m.rebalanceTimeoutMs()).putInt(m.sessionTimeoutMs());
            b.putInt(m.subscription().length).put(m.subscription());
            b.putInt(m.assignment().length).put(m.assignment());
        }
        return b.array();
    }

    // ---- decoding; every method throws IllegalArgumentException on a malformed or unknown record

    static Key parseKey(ByteBuffer buf) {
        try {
            ByteBuffer b = buf.duplicate();
            short version = b.getShort();
            if (version == 0 || version == OFFSET_KEY_VERSION) {
                String group = getString(b);
                String topic = getString(b);
                int partition = b.getInt();
                return new Key(group, new TopicPartition(topic, partition));
            }
            if (version == GROUP_KEY_VERSION) {
                return new Key(getString(b), null);
            }
            throw new IllegalArgumentException("Unknown key version " + version);
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new IllegalArgumentException("Malformed __consumer_offsets key: " + e, e);
        }
    }

    static OffsetValue parseOffsetValue(ByteBuffer buf) {
        try {
            ByteBuffer b = buf.duplicate();
            short version = b.getShort();
            if (version != OFFSET_VALUE_VERSION) {
                throw new IllegalArgumentException("Unsupported offset value version " + version);
            }
            long offset = b.getLong();
            int epoch = b.getInt();
            String metadata = getString(b);
            long ts = b.getLong();
            return new OffsetValue(offset, epoch, metadata, ts);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("Truncated offset value", e);
        }
    }

    static GroupValue parseGroupValue(ByteBuffer buf) {
        try {
            ByteBuffer b = buf.duplicate();
            short version = b.getShort();
            if (version != GROUP_VALUE_VERSION) {
                throw new IllegalArgumentException("Unsupported group value version " + version);
            }
            String protocolType = getString(b);
            int generation = b.getInt();
            String protocol = getString(b);
            String leader = getString(b);
            long stateTs = b.getLong();
            int count = b.getInt();
            if (count < 0 || count > b.remaining()) {
                throw new IllegalArgumentException("Impossible member count " + count);
            }
            List<MemberValue> members = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String memberId = getString(b);
                String instanceId = getString(b);
                String clientId = getString(b);
                String clientHost = getString(b);
                int rebalanceTimeout = b.getInt();
                int sessionTimeout = b.getInt();
                byte[] subscription = getBytes(b);
                byte[] assignment = getBytes(b);
                members.add(new MemberValue(memberId, instanceId, clientId, clientHost, rebalanceTimeout,
                        sessionTimeout, subscription, assignment));
            }
            return new GroupValue(protocolType, generation, protocol, leader, stateTs, members);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("Truncated group value", e);
        }
    }

    // ---- helpers

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int stringSize(String s) {
        return 2 + (s == null ? 0 : utf8(s).length);
    }

    private static void putString(ByteBuffer b, byte[] s) {
        if (s == null) {
            b.putShort((short) -1);
        } else {
            if (s.length > Short.MAX_VALUE) {
                throw new IllegalArgumentException("String of " + s.length + " bytes is too long for a record");
            }
            b.putShort((short) s.length).put(s);
        }
    }

    /** A STRING or NULLABLE_STRING (null for length -1). */
    private static String getString(ByteBuffer b) {
        short len = b.getShort();
        if (len == -1) {
            return null;
        }
        if (len < 0 || len > b.remaining()) {
            throw new IllegalArgumentException("Impossible string length " + len);
        }
        byte[] s = new byte[len];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static byte[] getBytes(ByteBuffer b) {
        int len = b.getInt();
        if (len == -1) {
            return new byte[0];
        }
        if (len < 0 || len > b.remaining()) {
            throw new IllegalArgumentException("Impossible bytes length " + len);
        }
        byte[] out = new byte[len];
        b.get(out);
        return out;
    }
}
