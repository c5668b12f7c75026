package dev.strata.record;

import java.nio.ByteBuffer;

/** Zig-zag variable-length integers as used inside v2 records (the protobuf encoding). */
public final class Varint {
    private Varint() {
    }

    public static void writeVarint(int value, ByteBuffer out) {
        writeVarlong(value, out);
    }

    public static void writeVarlong(long value, ByteBuffer out) {
        long v = (value << 1) ^ (value >> 63);
        while ((v & ~0x7FL) != 0) {
            out.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.put((byte) v);
    }

    public static int sizeOfVarint(int value) {
        return sizeOfVarlong(value);
    }

    public static int sizeOfVarlong(long value) {
        long v = (value << 1) ^ (value >> 63);
        int bytes = 1;
        while ((v & ~0x7FL) != 0) {
            bytes++;
            v >>>= 7;
        }
        return bytes;
    }

    /** @throws InvalidRecordException CORRUPT_MESSAGE when the varint runs past 5 bytes or the buffer */
    public static int readVarint(ByteBuffer in) {
        long v = readVarlong(in, 5);
        return (int) v;
    }

    /** @throws InvalidRecordException CORRUPT_MESSAGE when the varint runs past 10 bytes or the buffer */
    public static long readVarlong(ByteBuffer in) {
        return readVarlong(in, 10);
    }

    private static long readVarlong(ByteBuffer in, int maxBytes) {
        long raw = 0;
        int shift = 0;
        for (int i = 0; i < maxBytes; i++) {
            if (!in.hasRemaining()) {
                throw InvalidRecordException.corrupt("Varint runs past the end of the record");
            }
            byte b = in.get();
            raw |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
            shift += 7;
        }
        throw InvalidRecordException.corrupt("Varint longer than " + maxBytes + " bytes");
    }
}
