package dev.strata.record;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.compression.CompressionCodec;
import dev.strata.api.compression.CompressionType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the records of a v2 batch, decompressing through a {@link CompressionCodec} when the batch is compressed,
 * and compresses records sections for {@link RecordBatchBuilder#build(CompressionCodec)}. Stateless and
 * thread-safe (codecs are thread-safe by contract).
 */
public final class Records {
    /** Default cap on a batch's decompressed records section: a larger one is refused, not allocated. */
    public static final int DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

    /** Consecutive zero-length reads after which a misbehaving decompressor is given up on instead of spinning. */
    private static final int MAX_EMPTY_READS = 1000;

    private Records() {
    }

    /** {@link #reader(RecordBatch, CompressionCodec, int)} with {@link #DEFAULT_MAX_DECOMPRESSED_BYTES}. */
    public static RecordReader reader(RecordBatch batch, CompressionCodec codec) {
        return reader(batch, codec, DEFAULT_MAX_DECOMPRESSED_BYTES);
    }

    /**
     * A reader over the records of {@code batch}. A compressed batch is decompressed up front (at most
     * {@code maxDecompressedBytes}), so errors in the compressed payload surface here; record errors surface while
     * iterating. The batch's CRC is not checked here: call {@link RecordBatch#ensureValid()} first.
     *
     * @param codec the codec for the batch's compression type; may be null for an uncompressed batch
     * @throws InvalidRecordException CORRUPT_MESSAGE for a corrupt or truncated payload, INVALID_RECORD for an
     *                                impossible record count, MESSAGE_TOO_LARGE when the section decompresses to more
     *                                than {@code maxDecompressedBytes}, UNSUPPORTED_COMPRESSION_TYPE when
     *                                {@code codec} does not match the batch
     */
    public static RecordReader reader(RecordBatch batch, CompressionCodec codec, int maxDecompressedBytes) {
        return new RecordReader(batch, recordsSection(batch, codec, maxDecompressedBytes));
    }

    /** Every record of the batch; see {@link #reader(RecordBatch, CompressionCodec, int)} for the errors. */
    public static List<BatchRecord> readAll(RecordBatch batch, CompressionCodec codec, int maxDecompressedBytes) {
        RecordReader reader = reader(batch, codec, maxDecompressedBytes);
        List<BatchRecord> records = new ArrayList<>(reader.recordCount());
        reader.forEachRemaining(records::add);
        return records;
    }

    /**
     * The batch's records section in plain form: a view of the batch itself when uncompressed, otherwise a new
     * buffer with the decompressed bytes.
     *
     * @throws InvalidRecordException as for {@link #reader(RecordBatch, CompressionCodec, int)}
     */
    public static ByteBuffer recordsSection(RecordBatch batch, CompressionCodec codec, int maxDecompressedBytes) {
        ByteBuffer stored = batch.slice().position(RecordBatch.HEADER_SIZE).slice();
        CompressionType type = batch.compressionType();
        if (type == CompressionType.NONE) {
            return stored;
        }
        if (codec == null || codec.type() != type) {
            throw new InvalidRecordException(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, "Batch is compressed with "
                    + type.configName() + " but " + (codec == null ? "no codec" : codec.type().configName() + " codec")
                    + " was given");
        }
        return ByteBuffer.wrap(decompress(stored, codec, maxDecompressedBytes, batch));
    }

    private static byte[] decompress(ByteBuffer compressed, CompressionCodec codec, int max, RecordBatch batch) {
        int compressedSize = compressed.remaining();
        // Start from a plausible size and grow; the declared lengths inside the payload are never trusted.
        byte[] out = new byte[(int) Math.min(max, Math.max(1024L, compressedSize * 4L))];
        int size = 0;
        int emptyReads = 0;
        try (InputStream in = codec.decompress(new ByteBufferInputStream(compressed))) {
            while (true) {
                if (size == out.length) {
                    if (out.length >= max) {
                        if (in.read() != -1) {
                            throw new InvalidRecordException(ErrorCode.MESSAGE_TOO_LARGE, "Compressed batch at offset "
                                    + batch.baseOffset() + " decompresses to more than " + max + " bytes");
                        }
                        break;
                    }
                    out = Arrays.copyOf(out, (int) Math.min(max, out.length * 2L));
                }
                int n = in.read(out, size, out.length - size);
                if (n < 0) {
                    break;
                }
                if (n == 0 && ++emptyReads > MAX_EMPTY_READS) {
                    throw new IOException("decompressor makes no progress");
                }
                size += n;
            }
        } catch (InvalidRecordException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // Codecs report corrupt input as IOException; libraries may still leak runtime exceptions.
            throw new InvalidRecordException(ErrorCode.CORRUPT_MESSAGE, "Corrupt " + codec.type().configName()
                    + " payload in batch at offset " + batch.baseOffset() + " (" + compressedSize + " bytes): "
                    + e.getMessage(), e);
        }
        return size == out.length ? out : Arrays.copyOf(out, size);
    }

    /**
     * Compresses an encoded records section (see {@link RecordBatchBuilder#encodeRecords}) with {@code codec}.
     *
     * @return a buffer positioned at 0 holding the compressed bytes; {@code section} is not consumed
     */
    public static ByteBuffer compress(ByteBuffer section, CompressionCodec codec) {
        ExposedByteArrayOutputStream bytes = new ExposedByteArrayOutputStream(section.remaining() / 2 + 64);
        try (OutputStream out = codec.compress(bytes)) {
            ByteBuffer src = section.duplicate();
            if (src.hasArray()) {
                out.write(src.array(), src.arrayOffset() + src.position(), src.remaining());
            } else {
                byte[] chunk = new byte[Math.min(src.remaining(), 64 * 1024)];
                while (src.hasRemaining()) {
                    int n = Math.min(chunk.length, src.remaining());
                    src.get(chunk, 0, n);
                    out.write(chunk, 0, n);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Compressing with " + codec.type().configName() + " failed", e);
        }
        return bytes.toByteBuffer();
    }

    /** Hands out its buffer without the copy {@link ByteArrayOutputStream#toByteArray()} makes. */
    private static final class ExposedByteArrayOutputStream extends ByteArrayOutputStream {
        ExposedByteArrayOutputStream(int size) {
            super(size);
        }

        ByteBuffer toByteBuffer() {
            return ByteBuffer.wrap(buf, 0, count);
        }
    }
}
