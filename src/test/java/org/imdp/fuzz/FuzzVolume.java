package org.imdp.fuzz;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Counts what the fuzz properties put through the code under test (MSRP frames decoded, SIP inputs parsed,
 * Diameter answers handled): a try is not a frame, and the fault campaign's volumes are in frames, requests and
 * answers. After its class, a property class {@linkplain #check checks} its counters: each is printed as
 * {@code FUZZ VOLUME <name> = <count>} and must reach the system property {@code imdp.fuzz.min.<name>} when that is
 * set (the {@code fuzz-volume} Maven profile sets them; a default run sets none).
 */
final class FuzzVolume {

    private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();

    private FuzzVolume() {
    }

    static void count(String name, long n) {
        COUNTS.computeIfAbsent(name, k -> new LongAdder()).add(n);
    }

    static long get(String name) {
        LongAdder count = COUNTS.get(name);
        return count == null ? 0 : count.sum();
    }

    static void check(String... names) {
        for (String name : names) {
            long count = get(name);
            System.out.println("FUZZ VOLUME " + name + " = " + count);
            assertThat(count).as("fuzz volume %s (imdp.fuzz.min.%s)", name, name)
                    .isGreaterThanOrEqualTo(Long.getLong("imdp.fuzz.min." + name, 0));
        }
    }
}
