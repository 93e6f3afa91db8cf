package org.imdp.ch1.peer;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hop-by-Hop and End-to-End identifiers (RFC 6733 §3). The End-to-End identifier starts with the low
 * 12 bits of the current time in its high 12 bits and 20 random bits, then counts up, so it stays
 * unique across restarts for the 4 minutes a server remembers it for duplicate detection.
 */
final class DiameterIdentifiers {

    private final AtomicInteger hopByHop;
    private final AtomicInteger endToEnd;

    DiameterIdentifiers() {
        SecureRandom random = new SecureRandom();
        int seconds = (int) (System.currentTimeMillis() / 1000);
        hopByHop = new AtomicInteger(random.nextInt());
        endToEnd = new AtomicInteger(((seconds & 0xFFF) << 20) | random.nextInt(1 << 20));
    }

    int nextHopByHop() {
        return hopByHop.getAndIncrement();
    }

    int nextEndToEnd() {
        return endToEnd.getAndIncrement();
    }
}
