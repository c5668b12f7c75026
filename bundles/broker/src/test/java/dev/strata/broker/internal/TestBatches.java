package dev.strata.broker.internal;

import dev.strata.api.log.LogSlice;
import dev.strata.record.RecordBatch;
import dev.strata.record.RecordBatchBuilder;
import dev.strata.record.RecordBatches;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builds produce payloads and reads fetched slices back, for tests. */
final class TestBatches {
    private TestBatches() {
    }

    static ByteBuffer batch(long timestamp, String... values) {
        RecordBatchBuilder b = new RecordBatchBuilder();
        for (String v : values) {
            b.add(timestamp, null, v.getBytes(StandardCharsets.UTF_8));
        }
        return b.build();
    }

    static ByteBuffer batch(long[] timestamps) {
        RecordBatchBuilder b = new RecordBatchBuilder();
        for (long t : timestamps) {
            b.add(t, null, ("at " + t).getBytes(StandardCharsets.UTF_8));
        }
        return b.build();
    }

    static ByteBuffer idempotent(long producerId, short epoch, int baseSequence, String... values) {
        RecordBatchBuilder b = new RecordBatchBuilder().producer(producerId, epoch, baseSequence);
        for (String v : values) {
            b.add(1000L, null, v.getBytes(StandardCharsets.UTF_8));
        }
        return b.build();
    }

    /** The batches of a fetched slice, as independent views over a copy. */
    static List<RecordBatch> batches(LogSlice slice) throws IOException {
        if (slice.isEmpty()) {
            return List.of();
        }
        ByteBuffer buf = slice.readFully();
        List<RecordBatch> out = new ArrayList<>(RecordBatches.parse(buf));
        for (RecordBatch b : out) {
            b.ensureValid();
        }
        return out;
    }
}
