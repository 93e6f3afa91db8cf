package org.imdp.sipmsrp.sip;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Counts by key (a SIP method; a method and a status code), a key appearing with its first count. Whoever exposes
 * the counts elsewhere {@linkplain #watch watches} the keys and reads each count from here, so that it is kept once.
 *
 * @param <K> the key, ordered for the listing
 */
public final class Tally<K extends Comparable<K>> {

    private final Map<K, LongAdder> counts = new ConcurrentSkipListMap<>();
    private final List<Consumer<K>> watchers = new CopyOnWriteArrayList<>();

    public void increment(K key) {
        LongAdder count = counts.get(key);
        (count != null ? count : added(key)).increment();
    }

    private synchronized LongAdder added(K key) {
        LongAdder count = counts.get(key);
        if (count == null) {
            LongAdder created = new LongAdder();
            counts.put(key, created);
            watchers.forEach(w -> w.accept(key));
            count = created;
        }
        return count;
    }

    /** Tells {@code watcher} each key counted so far, and each new one as it appears, once; its count is {@link #count}. */
    public synchronized void watch(Consumer<K> watcher) {
        counts.keySet().forEach(watcher);
        watchers.add(watcher);
    }

    /** The count of {@code key}, 0 when it never was counted. */
    public long count(K key) {
        LongAdder count = counts.get(key);
        return count == null ? 0 : count.sum();
    }

    /** Every count so far, by key in order, e.g. {@code {MESSAGE=3, REGISTER=1}}. */
    public Map<K, Long> counts() {
        Map<K, Long> copy = new TreeMap<>();
        counts.forEach((key, count) -> copy.put(key, count.sum()));
        return copy;
    }
}
