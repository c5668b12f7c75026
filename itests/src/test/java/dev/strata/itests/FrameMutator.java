package dev.strata.itests;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * Mutates a valid request frame the way a fuzzer does: flipped bits, bytes and 32-bit words set to boundary
 * values (which hit lengths, counts and sizes), truncation, appended garbage, spliced copies. Usually the size
 * prefix is set to match the mutated body, so the mutation reaches the parser rather than the framing; sometimes
 * it is left as the mutation made it. Deterministic for a seeded {@link Random}; not thread-safe.
 */
final class FrameMutator {
    private static final int[] WORDS = {0, 1, -1, 0x7FFFFFFF, 0x80000000, 0xFFFF, 0x7FFF, 0x10000};
    private static final byte[] BYTES = {0, 1, (byte) 0x7F, (byte) 0x80, (byte) 0xFF, (byte) 0xFE};

    private final Random random;

    FrameMutator(Random random) {
        this.random = random;
    }

    byte[] mutate(byte[] frame) {
        byte[] out = Arrays.copyOf(frame, frame.length);
        int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations; i++) {
            out = once(out);
        }
        if (out.length >= 4 && random.nextInt(10) != 0) {
            ByteBuffer.wrap(out).putInt(0, out.length - 4);
        }
        return out;
    }

    private byte[] once(byte[] in) {
        if (in.length <= 4) {
            return in;
        }
        // Positions after the size prefix; the header (api key, version) is mutated too, but less often.
        int from = random.nextInt(4) == 0 ? 4 : Math.min(in.length - 1, 12);
        int at = from + random.nextInt(in.length - from);
        switch (random.nextInt(6)) {
            case 0 -> in[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> in[at] = BYTES[random.nextInt(BYTES.length)];
            case 2 -> {
                if (at + 4 <= in.length) {
                    ByteBuffer.wrap(in).putInt(at, WORDS[random.nextInt(WORDS.length)]);
                }
            }
            case 3 -> {
                return Arrays.copyOf(in, Math.max(4, at));
            }
            case 4 -> {
                byte[] longer = Arrays.copyOf(in, in.length + 1 + random.nextInt(64));
                for (int i = in.length; i < longer.length; i++) {
                    longer[i] = (byte) random.nextInt(256);
                }
                return longer;
            }
            default -> {
                // Repeat a slice of the frame in place (duplicated array elements, repeated strings).
                int len = 1 + random.nextInt(Math.min(32, in.length - at));
                byte[] spliced = new byte[in.length + len];
                System.arraycopy(in, 0, spliced, 0, at + len);
                System.arraycopy(in, at, spliced, at + len, in.length - at);
                return spliced;
            }
        }
        return in;
    }
}
