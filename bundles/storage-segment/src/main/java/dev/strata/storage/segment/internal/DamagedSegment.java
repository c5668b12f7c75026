package dev.strata.storage.segment.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces a segment file that has damage in the middle by one holding only its valid runs of batches, so reads and
 * indexes never meet the damage again. The damaged bytes are set aside next to it ({@code <segment>.log.<position>
 * .corrupt}, up to {@value #MAX_QUARANTINE_BYTES} bytes each) for inspection. The new file is written as
 * {@code <segment>.log.swap}, fsynced and renamed over the old one, so a crash at any point leaves either file
 * whole; a swap file found at open is an unfinished rewrite and is deleted. Stateless.
 */
final class DamagedSegment {
    static final String CORRUPT_SUFFIX = ".corrupt";
    static final int MAX_QUARANTINE_BYTES = 16 * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(DamagedSegment.class);

    private DamagedSegment() {
    }

    /** Rewrites {@code file} (open as {@code ch}) keeping only {@code scan}'s valid runs; closes ch's descriptor. */
    static void rewrite(SegmentChannel ch, Path file, SegmentScan scan) throws IOException {
        for (SegmentScan.Damage d : scan.damage()) {
            quarantine(ch, file, d);
        }
        Path swap = file.resolveSibling(file.getFileName() + LogFiles.SWAP_SUFFIX);
        try (FileChannel out = FileChannel.open(swap, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            long written = 0;
            for (long[] run : scan.validRuns()) {
                written += copy(ch, run[0], run[1] - run[0], out, written);
            }
            out.force(true);
        }
        ch.closeDescriptor(); // the next use opens the new file
        Files.move(swap, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(file.getParent());
    }

    private static void quarantine(SegmentChannel ch, Path file, SegmentScan.Damage d) {
        Path side = file.resolveSibling(file.getFileName() + "." + d.position() + CORRUPT_SUFFIX);
        try (FileChannel out = FileChannel.open(side, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            copy(ch, d.position(), Math.min(d.bytes(), MAX_QUARANTINE_BYTES), out, 0);
        } catch (IOException e) {
            LOG.warn("Cannot keep the damaged bytes of {} at position {} in {}: {}", file, d.position(), side,
                    e.toString());
        }
    }

    private static long copy(FileChannel from, long position, long count, FileChannel to, long toPosition)
            throws IOException {
        long done = 0;
        while (done < count) {
            long n = from.transferTo(position + done, count - done, to.position(toPosition + done));
            if (n <= 0) {
                throw new IOException("Copying " + count + " bytes from position " + position + " stopped at " + done);
            }
            done += n;
        }
        return done;
    }

    static void fsyncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            LOG.debug("Cannot fsync directory {}: {}", dir, e.toString());
        }
    }
}
