package dev.strata.metadata.zookeeper.internal;

import dev.strata.api.common.TopicPartition;
import dev.strata.api.metadata.MetadataListener;
import dev.strata.api.metadata.PartitionState;
import dev.strata.api.metadata.TopicMetadata;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's local mirror of the cluster's ZooKeeper tree: a Curator {@link CuratorCache} over the chroot, parsed
 * into a {@link ZkSnapshot} after each change (changes arriving together are coalesced into one), so reads never
 * wait on ZooKeeper. The differences between two snapshots go to the {@link MetadataListener}s, in order, on this
 * mirror's one event thread (never ZooKeeper's), then to the change hooks (the controller).
 *
 * <p>After a session was lost the cache is rebuilt: a new one is loaded beside the old one, which keeps answering,
 * and replaces it once loaded; listeners then hear every difference, e.g. that partitions went offline and back.
 *
 * <p>Thread-safety: thread-safe. Snapshots are immutable and published through a volatile field.
 */
final class ZkMirror implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ZkMirror.class);

    private final CuratorFramework client;
    private final ExecutorService events;
    private final AtomicBoolean refreshQueued = new AtomicBoolean();
    private final List<MetadataListener> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<ZkSnapshot>> hooks = new CopyOnWriteArrayList<>();
    private final Object deliveredLock = new Object();
    private volatile Thread eventThread;
    private volatile ZkSnapshot current = ZkSnapshot.EMPTY;
    /** The snapshot whose differences the listeners have heard. Guarded by {@link #deliveredLock}. */
    private ZkSnapshot delivered = ZkSnapshot.EMPTY;
    /** The loaded cache the snapshots are read from (only changed on the event thread). */
    private volatile CuratorCache active;
    private volatile boolean closed;

    ZkMirror(CuratorFramework client, int brokerId) {
        this.client = client;
        this.events = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "strata-zk-events-" + brokerId);
            t.setDaemon(true);
            eventThread = t;
            return t;
        });
    }

    /**
     * Loads the tree and publishes the first snapshot (told to no listener: there are none yet).
     *
     * @return false when the tree was not loaded within {@code timeoutMs}
     */
    boolean start(long timeoutMs) throws InterruptedException {
        CountDownLatch loaded = new CountDownLatch(1);
        load(loaded);
        if (!loaded.await(timeoutMs, TimeUnit.MILLISECONDS)) {
            return false;
        }
        CountDownLatch first = new CountDownLatch(1);
        events.execute(() -> {
            refresh();
            first.countDown();
        });
        return first.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** A new session: the old cache may have missed deletions while the session was down; load a new one. */
    void rebuild() {
        if (!closed) {
            LOG.info("Rebuilding the metadata mirror for the new ZooKeeper session");
            load(null);
        }
    }

    private void load(CountDownLatch loaded) {
        CuratorCache cache = CuratorCache.build(client, "/");
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, oldData, data) -> {
                    if (cache == active) {
                        queueRefresh();
                    }
                })
                .forInitialized(() -> events.execute(() -> {
                    CuratorCache previous = active;
                    active = cache;
                    if (previous != null && previous != cache) {
                        previous.close();
                    }
                    if (loaded != null) {
                        loaded.countDown();
                    } else {
                        queueRefresh();
                    }
                }))
                .build());
        cache.start();
    }

    private void queueRefresh() {
        if (!closed && refreshQueued.compareAndSet(false, true)) {
            events.execute(this::refresh);
        }
    }

    /** On the event thread: parse the cache, publish, tell the listeners the differences, then the hooks. */
    private void refresh() {
        refreshQueued.set(false);
        CuratorCache cache = active;
        if (cache == null || closed) {
            return;
        }
        List<ZkSnapshot.Node> nodes = new ArrayList<>();
        for (ChildData d : (Iterable<ChildData>) cache.stream()::iterator) {
            nodes.add(new ZkSnapshot.Node(d.getPath(), d.getData(), d.getStat() == null ? 0 : d.getStat().getVersion()));
        }
        ZkSnapshot next = ZkSnapshot.of(nodes);
        ZkSnapshot previous = current;
        current = next;
        tell(previous, next);
        synchronized (deliveredLock) {
            delivered = next;
            deliveredLock.notifyAll();
        }
        for (Consumer<ZkSnapshot> hook : hooks) {
            try {
                hook.accept(next);
            } catch (RuntimeException e) {
                LOG.error("Metadata change hook failed", e);
            }
        }
    }

    private void tell(ZkSnapshot prev, ZkSnapshot next) {
        if (listeners.isEmpty()) {
            return;
        }
        List<PartitionState> states = new ArrayList<>();
        for (ZkSnapshot.Topic old : prev.topics().values()) {
            ZkSnapshot.Topic now = next.topics().get(old.metadata().name());
            if (now == null || !now.metadata().topicId().equals(old.metadata().topicId())) {
                each(l -> l.topicDeleted(old.metadata()));
            }
        }
        for (ZkSnapshot.Topic now : next.topics().values()) {
            TopicMetadata t = now.metadata();
            ZkSnapshot.Topic old = prev.topics().get(t.name());
            if (old == null || !old.metadata().topicId().equals(t.topicId())) {
                each(l -> l.topicCreated(t));
            } else {
                int before = old.metadata().partitionCount();
                if (t.partitionCount() > before) {
                    each(l -> l.partitionsCreated(t, before));
                }
                if (!t.configs().equals(old.metadata().configs())) {
                    each(l -> l.topicConfigChanged(t));
                }
            }
        }
        Set<String> entities = new HashSet<>(prev.brokerConfigs().keySet());
        entities.addAll(next.brokerConfigs().keySet());
        for (String entity : entities) {
            if (!Objects.equals(prev.brokerConfigs().get(entity), next.brokerConfigs().get(entity))) {
                each(l -> l.brokerConfigsChanged(entity));
            }
        }
        if (!prev.brokers().equals(next.brokers()) || prev.controllerId() != next.controllerId()) {
            each(MetadataListener::clusterChanged);
        }
        Map<TopicPartition, ZkSnapshot.StoredState> sorted = new TreeMap<>(
                (a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition())
                        : a.topic().compareTo(b.topic()));
        sorted.putAll(next.states());
        for (Map.Entry<TopicPartition, ZkSnapshot.StoredState> e : sorted.entrySet()) {
            ZkSnapshot.StoredState old = prev.states().get(e.getKey());
            boolean sameTopic = prev.topics().containsKey(e.getKey().topic()) && prev.topics().get(e.getKey().topic())
                    .metadata().topicId().equals(next.topics().get(e.getKey().topic()).metadata().topicId());
            if (old == null || !sameTopic || !old.state().equals(e.getValue().state())) {
                next.partitionState(e.getKey()).ifPresent(states::add);
            }
        }
        if (!states.isEmpty()) {
            List<PartitionState> batch = List.copyOf(states);
            each(l -> l.partitionStatesChanged(batch));
        }
    }

    private void each(Consumer<MetadataListener> call) {
        for (MetadataListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                LOG.error("Metadata listener {} failed", l, e);
            }
        }
    }

    /** The latest snapshot (what reads answer from). */
    ZkSnapshot snapshot() {
        return current;
    }

    /**
     * Waits until the listeners have heard a snapshot satisfying {@code condition}, up to {@code timeoutMs}. On the
     * event thread itself (a listener calling the store) it cannot wait for itself: it answers from the latest one.
     */
    boolean awaitDelivered(Predicate<ZkSnapshot> condition, long timeoutMs) {
        if (Thread.currentThread() == eventThread) {
            return condition.test(current);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (deliveredLock) {
            while (!condition.test(delivered)) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0 || closed) {
                    return false;
                }
                try {
                    deliveredLock.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    void addListener(MetadataListener l) {
        listeners.add(l);
    }

    void removeListener(MetadataListener l) {
        listeners.remove(l);
    }

    /** {@code hook} gets every new snapshot on the event thread, after the listeners; it must not block. */
    void onChange(Consumer<ZkSnapshot> hook) {
        hooks.add(hook);
    }

    @Override
    public void close() {
        closed = true;
        events.shutdown();
        try {
            events.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        CuratorCache cache = active;
        if (cache != null) {
            cache.close();
        }
        synchronized (deliveredLock) {
            deliveredLock.notifyAll();
        }
    }
}
