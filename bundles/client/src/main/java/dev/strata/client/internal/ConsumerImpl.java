package dev.strata.client.internal;

import dev.strata.api.broker.FetchParams;
import dev.strata.api.broker.FetchPartition;
import dev.strata.api.broker.FetchResult;
import dev.strata.api.broker.ListOffsetResult;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.client.ConsumedRecord;
import dev.strata.api.client.LocalConsumer;
import dev.strata.api.client.RecordHeader;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.IsolationLevel;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.compression.CompressionCodec;
import dev.strata.api.compression.CompressionType;
import dev.strata.record.BatchRecord;
import dev.strata.record.RecordBatch;
import dev.strata.record.RecordBatches;
import dev.strata.record.RecordReader;
import dev.strata.record.Records;
import dev.strata.record.SimpleRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link LocalConsumer}: fetches from the broker at each assigned partition's position (a long poll of at most
 * the poll's timeout), reads the returned batches (checking their CRC, decompressing through the installed
 * codecs), and returns the records from the position on. Not thread-safe, as the interface says.
 */
final class ConsumerImpl implements LocalConsumer {
    /** Grace beyond the poll timeout for the broker to answer a long poll that has timed out. */
    private static final long ANSWER_GRACE_MS = 5_000;

    private final LocalClientComponent client;
    private final Settings.Consumer settings;
    private final RequestContext context;
    /** Assigned partitions and their positions; null until resolved by auto.offset.reset. */
    private final Map<TopicPartition, Long> positions = new LinkedHashMap<>();
    private volatile boolean closed;

    ConsumerImpl(LocalClientComponent client, Settings.Consumer settings) {
        this.client = client;
        this.settings = settings;
        this.context = new RequestContext(settings.clientId(), RequestContext.ANONYMOUS, "in-container", "local");
    }

    @Override
    public void assign(Collection<TopicPartition> partitions) {
        checkOpen();
        Set<TopicPartition> wanted = new LinkedHashSet<>(partitions);
        positions.keySet().retainAll(wanted);
        wanted.forEach(tp -> positions.putIfAbsent(tp, null));
    }

    @Override
    public Set<TopicPartition> assignment() {
        return Set.copyOf(positions.keySet());
    }

    @Override
    public void seek(TopicPartition tp, long offset) {
        checkAssigned(tp);
        if (offset < 0) {
            throw new IllegalArgumentException("Seek offset must not be negative: " + offset);
        }
        positions.put(tp, offset);
    }

    @Override
    public void seekToBeginning(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            checkAssigned(tp);
            positions.put(tp, lookup(tp, ListOffsetResult.EARLIEST_TIMESTAMP));
        }
    }

    @Override
    public void seekToEnd(Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            checkAssigned(tp);
            positions.put(tp, lookup(tp, ListOffsetResult.LATEST_TIMESTAMP));
        }
    }

    @Override
    public long position(TopicPartition tp) {
        checkAssigned(tp);
        Long p = positions.get(tp);
        if (p == null) {
            p = reset(tp, "no position");
        }
        return p;
    }

    private long reset(TopicPartition tp, String why) {
        long p = switch (settings.autoOffsetReset()) {
            case "earliest" -> lookup(tp, ListOffsetResult.EARLIEST_TIMESTAMP);
            case "latest" -> lookup(tp, ListOffsetResult.LATEST_TIMESTAMP);
            default -> throw new StrataException(ErrorCode.OFFSET_OUT_OF_RANGE, "Partition " + tp + " has " + why
                    + " and auto.offset.reset is none");
        };
        positions.put(tp, p);
        return p;
    }

    private long lookup(TopicPartition tp, long timestamp) {
        ListOffsetResult r = client.broker().listOffset(tp, timestamp, IsolationLevel.READ_UNCOMMITTED);
        if (r.error() != ErrorCode.NONE) {
            throw new StrataException(r.error(), "Could not look up the offsets of " + tp + ": " + r.error());
        }
        return r.offset();
    }

    @Override
    public List<ConsumedRecord> poll(Duration timeout) {
        checkOpen();
        if (positions.isEmpty()) {
            throw new IllegalStateException("The consumer has no partitions assigned");
        }
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        List<ConsumedRecord> out = new ArrayList<>();
        while (true) {
            long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            List<FetchPartition> wanted = new ArrayList<>();
            for (TopicPartition tp : positions.keySet()) {
                wanted.add(new FetchPartition(tp, position(tp), settings.maxPartitionFetchBytes()));
            }
            int waitMs = (int) Math.max(0, Math.min(remainingMs, Integer.MAX_VALUE));
            List<FetchResult> results = fetch(new FetchParams(-1, waitMs, 1, settings.fetchMaxBytes(),
                    IsolationLevel.READ_UNCOMMITTED, wanted), waitMs);
            try {
                for (FetchResult r : results) {
                    read(r, out);
                    if (out.size() >= settings.maxPollRecords()) {
                        break;
                    }
                }
            } finally {
                results.forEach(r -> r.records().release()); // the slices hold the logs until released
            }
            if (!out.isEmpty() || System.nanoTime() - deadline >= 0) {
                return out;
            }
        }
    }

    private List<FetchResult> fetch(FetchParams params, int waitMs) {
        try {
            return client.broker().fetch(params, context).get(waitMs + ANSWER_GRACE_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StrataException(ErrorCode.REQUEST_TIMED_OUT, "Interrupted while fetching", e);
        } catch (ExecutionException e) {
            throw new StrataException(ErrorCode.UNKNOWN_SERVER_ERROR, "The fetch failed: " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new StrataException(ErrorCode.REQUEST_TIMED_OUT, "The broker did not answer a fetch within "
                    + (waitMs + ANSWER_GRACE_MS) + " ms", e);
        }
    }

    /** Adds the records of one partition's result from its position on, and moves the position past them. */
    private void read(FetchResult result, List<ConsumedRecord> out) {
        TopicPartition tp = result.tp();
        if (result.error() == ErrorCode.OFFSET_OUT_OF_RANGE) {
            reset(tp, "position " + positions.get(tp) + " outside the log [" + result.logStartOffset() + ", "
                    + result.highWatermark() + ")");
            return;
        }
        if (result.error() != ErrorCode.NONE) {
            throw new StrataException(result.error(), "Fetching " + tp + " failed: " + result.error());
        }
        if (result.records().isEmpty()) {
            return;
        }
        ByteBuffer buf;
        try {
            buf = result.records().readFully();
        } catch (IOException e) {
            throw new StrataException(ErrorCode.KAFKA_STORAGE_ERROR, "Could not read the log of " + tp + ": " + e, e);
        }
        long position = positions.get(tp);
        for (RecordBatch batch : RecordBatches.parse(buf)) {
            if (batch.nextOffset() <= position) {
                continue;
            }
            batch.ensureValid();
            if (batch.isControl()) {
                position = batch.nextOffset();
                continue;
            }
            CompressionType type = batch.compressionType();
            CompressionCodec codec = type == CompressionType.NONE ? null : client.codec(type);
            RecordReader reader = Records.reader(batch, codec);
            boolean whole = true;
            while (reader.hasNext()) {
                BatchRecord r = reader.next();
                if (r.offset() < position) {
                    continue;
                }
                if (out.size() >= settings.maxPollRecords()) {
                    whole = false;
                    break;
                }
                out.add(toConsumed(tp, r));
                position = r.offset() + 1;
            }
            if (!whole) {
                break;
            }
            position = Math.max(position, batch.nextOffset()); // offsets a compaction removed
        }
        positions.put(tp, position);
    }

    private static ConsumedRecord toConsumed(TopicPartition tp, BatchRecord r) {
        List<RecordHeader> headers = new ArrayList<>(r.headers().length);
        for (SimpleRecord.Header h : r.headers()) {
            headers.add(new RecordHeader(h.key(), bytes(h.value())));
        }
        return new ConsumedRecord(tp.topic(), tp.partition(), r.offset(), r.timestamp(), bytes(r.key()),
                bytes(r.value()), headers);
    }

    private static byte[] bytes(ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    private void checkAssigned(TopicPartition tp) {
        checkOpen();
        if (!positions.containsKey(tp)) {
            throw new IllegalStateException("Partition " + tp + " is not assigned to this consumer");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("The consumer is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        client.closed(this);
    }

    @Override
    public String toString() {
        return "LocalConsumer[" + settings.clientId() + "]";
    }
}
