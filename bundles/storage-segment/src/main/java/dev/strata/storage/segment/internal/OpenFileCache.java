package dev.strata.storage.segment.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds the file descriptors held by segments that are not active: a least-recently-used set of
 * {@link SegmentChannel}s, shared by every log of a store. When a channel opens and the set is full, the least
 * recently used one is released (it closes its descriptor once no operation runs on it; its segment drops its index
 * mappings with it). Active segments are pinned and not counted, so a broker holds about one descriptor per
 * partition plus at most {@code maxOpen}.
 *
 * <p>Thread-safe. Channels are released outside the cache's lock.
 */
final class OpenFileCache {
    /** Far below the usual 1024-descriptor soft limit once partitions' active segments and sockets are added. */
    static final int DEFAULT_MAX_OPEN = 256;
    private static final Logger LOG = LoggerFactory.getLogger(OpenFileCache.class);

    private final Object lock = new Object();
    /** Access-ordered: the first entry is the least recently used. */
    private final LinkedHashMap<SegmentChannel, Boolean> open = new LinkedHashMap<>(64, 0.75f, true);
    private volatile int maxOpen;

    OpenFileCache(int maxOpen) {
        setMaxOpen(maxOpen);
    }

    void setMaxOpen(int maxOpen) {
        if (maxOpen < 1) {
            throw new IllegalArgumentException("At least one open segment file is needed: " + maxOpen);
        }
        this.maxOpen = maxOpen;
        releaseOverflow();
    }

    int maxOpen() {
        return maxOpen;
    }

    /** Non-active segment files holding a descriptor now. */
    int size() {
        synchronized (lock) {
            return open.size();
        }
    }

    void opened(SegmentChannel channel) {
        synchronized (lock) {
            open.put(channel, Boolean.TRUE);
        }
        releaseOverflow();
    }

    void touch(SegmentChannel channel) {
        synchronized (lock) {
            open.get(channel);
        }
    }

    void forget(SegmentChannel channel) {
        synchronized (lock) {
            open.remove(channel);
        }
    }

    private void releaseOverflow() {
        List<SegmentChannel> victims = new ArrayList<>();
        synchronized (lock) {
            Iterator<SegmentChannel> it = open.keySet().iterator();
            while (open.size() - victims.size() > maxOpen && it.hasNext()) {
                victims.add(it.next());
                it.remove();
            }
        }
        for (SegmentChannel victim : victims) {
            try {
                victim.release();
            } catch (IOException e) {
                LOG.warn("Closing {} failed: {}", victim.file(), e.toString());
            }
        }
    }
}
