package dev.strata.partitioner.internal;

/**
 * The 32-bit MurmurHash2 that Kafka's producer applies to serialized keys (seed {@code 0x9747b28c}, the tail bytes
 * mixed little-endian), and Kafka's {@code toPositive}. Any difference here would put keys on other partitions than
 * a Kafka producer does, so {@code Murmur2Test} compares it with kafka-clients' {@code Utils.murmur2}. Stateless.
 */
final class Murmur2 {
    private static final int SEED = 0x9747b28c;
    private static final int M = 0x5bd1e995;
    private static final int R = 24;

    private Murmur2() {
    }

    static int hash(byte[] data) {
        int length = data.length;
        int h = SEED ^ length;
        int whole = length / 4;
        for (int i = 0; i < whole; i++) {
            int i4 = i * 4;
            int k = (data[i4] & 0xff) | ((data[i4 + 1] & 0xff) << 8) | ((data[i4 + 2] & 0xff) << 16)
                    | ((data[i4 + 3] & 0xff) << 24);
            k *= M;
            k ^= k >>> R;
            k *= M;
            h *= M;
            h ^= k;
        }
        int tail = length & ~3;
        switch (length % 4) {
            case 3:
                h ^= (data[tail + 2] & 0xff) << 16;
                // fall through
            case 2:
                h ^= (data[tail + 1] & 0xff) << 8;
                // fall through
            case 1:
                h ^= data[tail] & 0xff;
                h *= M;
                break;
            default:
                break;
        }
        h ^= h >>> 13;
        h *= M;
        h ^= h >>> 15;
        return h;
    }

    /** Kafka's {@code Utils.toPositive}: clears the sign bit (not {@code Math.abs}, which fails for MIN_VALUE). */
    static int toPositive(int n) {
        return n & 0x7fffffff;
    }
}
