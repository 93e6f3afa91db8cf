package org.imdp.registration;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.imdp.store.Recipients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which recipients have an IM Client registered right now, and where: filled from REGISTER (third-party
 * registration from the S-CSCF, or the client's own) and from the {@code im.availability} queue.
 * <p>
 * Kept in memory of this instance: a registration is refreshed by the network every few minutes, and
 * the push request that a REGISTER triggers carries the contact itself, so another instance that
 * performs the push does not need this table.
 */
public final class Registrations {

    /** Registration lifetime when none is given (RFC 3261 §10.2.1.1 suggests 3600 s). */
    public static final int DEFAULT_EXPIRES = 3600;

    private static final Logger LOG = LoggerFactory.getLogger(Registrations.class);

    private final Clock clock;
    private final boolean requireImFeatureTag;
    private final Map<String, Binding> bindings = new ConcurrentHashMap<>();

    /**
     * @param requireImFeatureTag whether a REGISTER's Contact must carry the OMA IM feature tag
     *                            ({@code +g.oma.sip-im}) to count as an IM Client (imdp.sip.require-im-feature-tag)
     */
    public Registrations(Clock clock, boolean requireImFeatureTag) {
        this.clock = clock;
        this.requireImFeatureTag = requireImFeatureTag;
    }

    private record Binding(String contact, Instant expiresAt) {
    }

    /**
     * Records a registration ({@code expires > 0}, {@code null} = {@value #DEFAULT_EXPIRES} s) or its end
     * ({@code expires == 0}). When the IM feature tag is required, a registration whose Contact is known not to
     * carry it ({@code imFeatureTag} false; {@code null} = not known, e.g. from the JMS queue) is not recorded.
     *
     * @return true when this registered an IM Client (the push is due)
     */
    public boolean update(String recipient, String contact, Integer expires, Boolean imFeatureTag) {
        String key = Recipients.canonical(recipient);
        int seconds = expires == null ? DEFAULT_EXPIRES : expires;
        if (seconds <= 0 || contact == null || contact.isBlank() || "*".equals(contact.trim())) {
            bindings.remove(key);
            LOG.info("{} deregistered", key);
            return false;
        }
        if (requireImFeatureTag && Boolean.FALSE.equals(imFeatureTag)) {
            LOG.info("{} at {} not recorded as an IM Client: its Contact has no +g.oma.sip-im"
                     + " (imdp.sip.require-im-feature-tag)", key, contact);
            return false;
        }
        bindings.put(key, new Binding(contact.trim(), clock.instant().plusSeconds(seconds)));
        LOG.info("{} registered at {} for {} s", key, contact, seconds);
        return true;
    }

    /** The registered contact of the recipient, or {@code null} when it is not (or no longer) registered. */
    public String contactOf(String recipient) {
        String key = Recipients.canonical(recipient);
        Binding b = bindings.get(key);
        if (b == null) {
            return null;
        }
        if (!b.expiresAt().isAfter(clock.instant())) {
            bindings.remove(key, b);
            return null;
        }
        return b.contact();
    }

    public boolean isRegistered(String recipient) {
        return contactOf(recipient) != null;
    }

    /** Number of live registrations (expired ones are dropped as they are looked up). */
    public int size() {
        return bindings.size();
    }
}
