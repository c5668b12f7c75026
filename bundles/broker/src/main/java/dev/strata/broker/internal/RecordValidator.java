package dev.strata.broker.internal;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.common.TopicPartition;
import dev.strata.api.compression.CompressionCodec;
import dev.strata.api.compression.CompressionType;
import dev.strata.record.BatchRecord;
import dev.strata.record.InvalidRecordException;
import dev.strata.record.RecordBatch;
import dev.strata.record.RecordBatchBuilder;
import dev.strata.record.RecordBatches;
import dev.strata.record.RecordReader;
import dev.strata.record.Records;
import dev.strata.record.SimpleRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The record-level half of produce validation, run before the partition lock: every record of the batch is read
 * (decompressed through the installed codec when the batch is compressed) and checked as Kafka's log validator
 * does: structure, offset deltas 0, 1, 2..., the header's record count, CreateTime within
 * {@code message.timestamp.before/after.max.ms}. When the topic's {@code compression.type} names a codec other than
 * the batch's, the records are re-encoded into one new batch of that type, keeping producer id, epoch, base
 * sequence, the transactional flag and the record timestamps, at the topic's {@code compression.<type>.level} when
 * one is set (else the codec's configured level); the log then stores that batch. With
 * {@code producer} (the default) a batch is stored as sent: validated, never recompressed.
 *
 * <p>Each call looks its codecs up once and uses those instances to the end, so a codec bundle that stops meanwhile
 * does not fail a request already under way.
 *
 * <p>Thread-safety: stateless apart from the thread-safe codec registry; thread-safe.
 */
final class RecordValidator {
    private static final Logger LOG = LoggerFactory.getLogger(RecordValidator.class);

    /**
     * The batch to store, or why the batch is refused.
     *
     * @param batch        the batch to append: the producer's own, or a recompressed copy; null when refused
     * @param recompressed whether {@code batch} was rebuilt for the topic's {@code compression.type}
     */
    record Outcome(RecordBatch batch, boolean recompressed, ErrorCode error, String message) {
        static Outcome refused(ErrorCode error, String message) {
            return new Outcome(null, false, error, message);
        }

        boolean isRefused() {
            return batch == null;
        }
    }

    private RecordValidator() {
    }

    /**
     * The one batch of a produce request's partition data, checked against the topic's size limits and its CRC
     * (INVALID_RECORD, MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, CORRUPT_MESSAGE with Kafka's messages).
     */
    static Outcome parseOne(ByteBuffer buf, TopicSettings s) {
        try {
            List<RecordBatch> batches = RecordBatches.parse(buf);
            if (batches.size() != 1) {
                return Outcome.refused(ErrorCode.INVALID_RECORD, "Produce requests must have exactly one record"
                        + " batch per partition; got " + batches.size());
            }
            RecordBatch batch = batches.get(0);
            if (batch.sizeInBytes() > s.maxMessageBytes()) {
                return Outcome.refused(ErrorCode.MESSAGE_TOO_LARGE, "The record batch of " + batch.sizeInBytes()
                        + " bytes is larger than max.message.bytes " + s.maxMessageBytes());
            }
            if (batch.sizeInBytes() > s.logConfig().segmentBytes()) {
                return Outcome.refused(ErrorCode.RECORD_LIST_TOO_LARGE, "The record batch of "
                        + batch.sizeInBytes() + " bytes is larger than segment.bytes " + s.logConfig().segmentBytes());
            }
            batch.ensureValid();
            return new Outcome(batch, false, ErrorCode.NONE, null);
        } catch (StrataException e) {
            return Outcome.refused(e.error(), e.getMessage());
        }
    }

    /** Whether validating {@code batch} goes through a codec (the costly path a retried duplicate should skip). */
    static boolean decompressesOrRecompresses(RecordBatch batch, TopicSettings s) {
        CompressionType source = batch.compressionType();
        return source != CompressionType.NONE || (s.storedCompression() != null && s.storedCompression() != source);
    }

    /**
     * Clients may not write control batches; transactional batches wait for the transactions issue.
     *
     * @return the refusal, or null for a batch a client may write
     */
    static Partition.AppendOutcome checkBatchKind(RecordBatch batch) {
        if (batch.isControl()) {
            return Partition.AppendOutcome.error(ErrorCode.INVALID_RECORD,
                    "Clients are not allowed to write control records");
        }
        if (batch.isTransactional()) {
            return Partition.AppendOutcome.error(ErrorCode.INVALID_TXN_STATE,
                    "Transactional record batches are not supported yet");
        }
        if (batch.hasProducerId() && batch.baseSequence() < 0) {
            return Partition.AppendOutcome.error(ErrorCode.INVALID_RECORD, "Invalid sequence number "
                    + batch.baseSequence() + " in a record batch of producer " + batch.producerId());
        }
        return null;
    }

    /**
     * Validates (and, for the topic's {@code compression.type}, recompresses) a batch whose header has passed
     * {@link RecordBatch#ensureValid()}.
     */
    static Outcome validate(RecordBatch batch, TopicSettings settings, CompressionCodecs codecs, long nowMs) {
        long minTs = settings.logAppendTime() ? Long.MIN_VALUE : settings.minTimestamp(nowMs);
        long maxTs = settings.logAppendTime() ? Long.MAX_VALUE : settings.maxTimestamp(nowMs);
        try {
            if (batch.recordCount() <= 0 || batch.lastOffsetDelta() + 1 != batch.recordCount()) {
                return Outcome.refused(ErrorCode.INVALID_RECORD, "Inconsistent batch: " + batch.recordCount()
                        + " records but last offset delta " + batch.lastOffsetDelta());
            }
            CompressionType source = batch.compressionType();
            CompressionType target = settings.storedCompression() == null ? source : settings.storedCompression();
            CompressionCodec sourceCodec = null;
            if (source != CompressionType.NONE) {
                sourceCodec = codecs.get(source);
                if (sourceCodec == null) {
                    return Outcome.refused(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, "The record batch is compressed"
                            + " with " + source.configName() + " but no " + source.configName()
                            + " codec is installed (available: " + codecs.available() + ")");
                }
            }
            boolean recompress = target != source;
            CompressionCodec targetCodec = null;
            if (recompress && target != CompressionType.NONE) {
                targetCodec = codecs.get(target);
                if (targetCodec == null) {
                    return Outcome.refused(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, "The topic stores "
                            + target.configName() + " batches (compression.type) but no " + target.configName()
                            + " codec is installed (available: " + codecs.available() + ")");
                }
            }
            if (!recompress && source == CompressionType.NONE) {
                RecordWalker.validate(batch, minTs, maxTs); // no copies on the common uncompressed path
                return new Outcome(batch, false, ErrorCode.NONE, null);
            }
            List<SimpleRecord> records = readAndCheck(batch, sourceCodec, settings, minTs, maxTs, recompress);
            if (!recompress) {
                return new Outcome(batch, false, ErrorCode.NONE, null);
            }
            return rebuild(batch, records, targetCodec, settings);
        } catch (StrataException e) {
            return Outcome.refused(e.error(), e.getMessage());
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            // Every read is bounds-checked above; should one still run past a buffer, the bytes came from the
            // client, so the answer is CORRUPT_MESSAGE (final for clients), never a retriable storage error.
            return Outcome.refused(ErrorCode.CORRUPT_MESSAGE, "Malformed record batch: " + e);
        }
    }

    /**
     * Kafka's check for compacted topics ({@code cleanup.policy} with {@code compact}): every record needs a key,
     * else the batch is refused with INVALID_RECORD and Kafka's message. Reads the batch as it will be stored.
     */
    static Outcome requireKeys(RecordBatch batch, CompressionCodecs codecs, TopicSettings settings,
                               TopicPartition tp) {
        try {
            CompressionType type = batch.compressionType();
            RecordReader reader = Records.reader(batch, type == CompressionType.NONE ? null : codecs.get(type),
                    settings.maxDecompressedBytes());
            List<String> errors = new ArrayList<>();
            int keyless = 0;
            for (int i = 0; reader.hasNext(); i++) {
                if (reader.next().key() == null) {
                    keyless++;
                    if (errors.size() < 3) {
                        errors.add("RecordError(batchIndex=" + i + ", message='Compacted topic cannot accept message"
                                + " without key in topic partition " + tp + "')");
                    }
                }
            }
            if (keyless == 0) {
                return new Outcome(batch, false, ErrorCode.NONE, null);
            }
            return Outcome.refused(ErrorCode.INVALID_RECORD, "One or more records have been rejected due to "
                    + keyless + " record errors in total, and only showing the first three errors at most: "
                    + errors);
        } catch (StrataException e) {
            return Outcome.refused(e.error(), e.getMessage());
        }
    }

    /** Reads every record, checking offsets and timestamps; returns them when {@code keep}, else null. */
    private static List<SimpleRecord> readAndCheck(RecordBatch batch, CompressionCodec codec, TopicSettings settings,
                                                   long minTs, long maxTs, boolean keep) {
        RecordReader reader = Records.reader(batch, codec, settings.maxDecompressedBytes());
        List<SimpleRecord> records = keep ? new ArrayList<>(reader.recordCount()) : null;
        long baseOffset = batch.baseOffset();
        for (int i = 0; reader.hasNext(); i++) {
            BatchRecord r = reader.next();
            long delta = r.offset() - baseOffset;
            if (delta != i) {
                throw new InvalidRecordException(ErrorCode.INVALID_RECORD, "Record " + i + " has offset delta "
                        + delta + "; inner offsets must run 0, 1, 2...");
            }
            if (!batch.isLogAppendTime()) {
                RecordWalker.checkTimestamp(r.timestamp(), i, minTs, maxTs);
            }
            if (keep) {
                records.add(r.toSimpleRecord());
            }
        }
        return records;
    }

    private static Outcome rebuild(RecordBatch original, List<SimpleRecord> records, CompressionCodec targetCodec,
                                   TopicSettings settings) {
        CompressionCodec leveled = targetCodec == null || settings.storedCompressionLevel().isEmpty() ? targetCodec
                : new AtLevel(targetCodec, settings.storedCompressionLevel());
        RecordBatchBuilder builder = new RecordBatchBuilder()
                .producer(original.producerId(), original.producerEpoch(), original.baseSequence())
                .transactional(original.isTransactional());
        records.forEach(builder::add);
        ByteBuffer rebuilt;
        try {
            rebuilt = builder.build(leveled);
        } catch (RuntimeException e) {
            String codec = targetCodec == null ? "uncompressed" : targetCodec.type().configName();
            LOG.error("Recompressing a batch of {} records to {} failed", records.size(), codec, e);
            return Outcome.refused(ErrorCode.UNKNOWN_SERVER_ERROR, "Recompressing the batch to " + codec
                    + " failed: " + e.getMessage());
        }
        RecordBatch batch = RecordBatch.at(rebuilt, 0);
        if (batch.sizeInBytes() > settings.maxMessageBytes()) {
            return Outcome.refused(ErrorCode.MESSAGE_TOO_LARGE, "The record batch is " + batch.sizeInBytes()
                    + " bytes once stored as " + batch.compressionType().configName()
                    + " (compression.type), larger than max.message.bytes " + settings.maxMessageBytes());
        }
        if (batch.sizeInBytes() > settings.logConfig().segmentBytes()) {
            return Outcome.refused(ErrorCode.RECORD_LIST_TOO_LARGE, "The record batch is " + batch.sizeInBytes()
                    + " bytes once stored as " + batch.compressionType().configName()
                    + ", larger than segment.bytes " + settings.logConfig().segmentBytes());
        }
        return new Outcome(batch, true, ErrorCode.NONE, null);
    }

    /**
     * A codec that compresses at the topic's {@code compression.<type>.level} instead of its configured one (a level
     * outside the codec's range fails the build, answered UNKNOWN_SERVER_ERROR; topic validation keeps Kafka's
     * ranges, which the codecs accept). Thread-safe as its delegate.
     */
    private record AtLevel(CompressionCodec codec, OptionalInt level) implements CompressionCodec {
        @Override
        public CompressionType type() {
            return codec.type();
        }

        @Override
        public OutputStream compress(OutputStream out) throws IOException {
            return codec.compress(out, level);
        }

        @Override
        public InputStream decompress(InputStream in) throws IOException {
            return codec.decompress(in);
        }
    }
}
