package org.imdp.sipmsrp.push;

import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

import javax.sip.address.AddressFactory;
import javax.sip.address.URI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.RetryAfterHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.imdp.sipmsrp.SipMsrpConfiguration;
import org.imdp.sipmsrp.SipMsrpPushException;
import org.imdp.sipmsrp.sip.DigestCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a push does with a final response of 300 or more to its INVITE, before it counts as a failure:
 * <ul>
 * <li>a 3xx with Contacts (not 305, 380) adds them to the target set in q order (RFC 3261 section 8.1.3.4); each
 * target is tried once (a redirect loop ends), at most {@code maxRedirects} of them, and a failure of a redirected
 * INVITE moves on to the next target;</li>
 * <li>a 401/407 of the configured realm is answered once with digest credentials when some are configured (RFC 3261
 * section 22.2; see {@link DigestCredentials#answer} for what is answered); a
 * second challenge of the same realm after our credentials means they were refused, unless it says our nonce was
 * stale (RFC 7616 section 3.3), which is answered again, at most {@value #MAX_STALE_ANSWERS} times.</li>
 * </ul>
 * Everything else, and what cannot be followed, fails the push with the response's status code (so the retry
 * policy still sees what the client decided) and a reason that says why it was not followed.
 */
public final class InviteFollowUp {

    /** The next INVITE to send: its Request-URI and the credentials it carries. */
    record Next(String target, List<Header> credentials) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(InviteFollowUp.class);
    private static final float DEFAULT_Q = 1.0f;
    /** How often a challenge saying our nonce was stale is answered again, so a server that always says so ends. */
    public static final int MAX_STALE_ANSWERS = 2;

    private final String recipient;
    private final int maxRedirects;
    private final DigestCredentials credentials;
    private final List<URI> tried = new ArrayList<>();
    private final Deque<URI> targets = new ArrayDeque<>();
    private final List<AuthorizationHeader> sentCredentials = new ArrayList<>();
    private String target;
    private int redirects;
    private int staleAnswers;

    InviteFollowUp(String recipient, String firstTarget, SipMsrpConfiguration config, AddressFactory addresses)
            throws ParseException {
        this.recipient = recipient;
        this.maxRedirects = config.getMaxRedirects();
        this.credentials = config.hasCredentials()
                ? new DigestCredentials(config.getAuthUsername(), config.getAuthPassword(), config.getAuthRealm())
                : null;
        this.target = firstTarget;
        tried.add(addresses.createURI(firstTarget));
    }

    /**
     * @param response a final response of 300 or more to {@code invite}, the INVITE last sent
     * @return the INVITE to send next
     * @throws SipMsrpPushException when the push fails with this response
     */
    Next after(Response response, Request invite, HeaderFactory headers) throws SipMsrpPushException {
        int code = response.getStatusCode();
        if (code == Response.UNAUTHORIZED || code == Response.PROXY_AUTHENTICATION_REQUIRED) {
            return authenticate(response, invite, headers);
        }
        if (code < 400 && code != Response.USE_PROXY && code != Response.ALTERNATIVE_SERVICE) {
            long usable = addContacts(response);
            if (targets.isEmpty()) {
                throw failure(response, usable == 0
                        ? "no usable Contact to redirect to" : "redirect loop: every Contact was tried already");
            }
            return nextTarget(response);
        }
        if (!targets.isEmpty() && redirects < maxRedirects) {
            // a redirected target failed: the next one in the target set (RFC 3261 section 8.1.3.4)
            return nextTarget(response);
        }
        throw failure(response, null);
    }

    private Next authenticate(Response response, Request invite, HeaderFactory headers)
            throws SipMsrpPushException {
        if (credentials == null) {
            throw failure(response, "no credentials configured");
        }
        if (DigestCredentials.answered(response, invite)) {
            if (!DigestCredentials.stale(response)) {
                throw failure(response, "credentials refused");
            }
            if (staleAnswers++ >= MAX_STALE_ANSWERS) {
                throw failure(response, "nonce stale again after " + MAX_STALE_ANSWERS + " fresh answers");
            }
        }
        AuthorizationHeader fresh;
        try {
            fresh = credentials.answer(response, invite, invite, headers);
        } catch (ParseException e) {
            throw failure(response, "challenge not understood: " + e.getMessage());
        } catch (DigestCredentials.NotAnswered e) {
            throw failure(response, e.getMessage());
        }
        // a fresh answer replaces the one given to the same realm before (stale nonce)
        sentCredentials.removeIf(h -> h.getName().equals(fresh.getName()) && h.getRealm().equals(fresh.getRealm()));
        sentCredentials.add(fresh);
        return new Next(target, List.copyOf(sentCredentials));
    }

    /**
     * The credentials for an in-dialog request sent again after {@code challenge} answered {@code previous} (e.g.
     * a BYE challenged by a proxy on the route): empty when none are configured, {@code previous} already carried
     * ours (refused), or the challenge is not one we answer (logged with the reason).
     *
     * @param request the new request, complete but for the credentials
     */
    Optional<AuthorizationHeader> answerInDialog(Response challenge, Request previous, Request request,
            HeaderFactory headers) throws ParseException {
        if (credentials == null || DigestCredentials.answered(challenge, previous)) {
            return Optional.empty();
        }
        try {
            return Optional.of(credentials.answer(challenge, previous, request, headers));
        } catch (DigestCredentials.NotAnswered e) {
            LOG.warn("{} to {} challenged {}, not answered: {}", request.getMethod(), recipient,
                    challenge.getStatusCode(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Adds the SIP URIs of the response's Contacts not tried yet, highest q first; returns how many it had. */
    private long addContacts(Response response) {
        List<ContactHeader> contacts = new ArrayList<>();
        response.getHeaders(ContactHeader.NAME).forEachRemaining(h -> contacts.add((ContactHeader) h));
        List<URI> usable = contacts.stream()
                .filter(c -> !c.isWildCard() && c.getAddress().getURI().isSipURI())
                .sorted(Comparator.comparingDouble(InviteFollowUp::q).reversed())
                .map(c -> c.getAddress().getURI())
                .toList();
        usable.stream().filter(uri -> !tried.contains(uri) && !targets.contains(uri)).forEach(targets::add);
        return usable.size();
    }

    private static double q(ContactHeader contact) {
        float q = contact.getQValue();
        return q < 0 ? DEFAULT_Q : q;
    }

    private Next nextTarget(Response response) throws SipMsrpPushException {
        if (redirects >= maxRedirects) {
            throw failure(response, "more than " + maxRedirects + " redirects (maxRedirects)");
        }
        redirects++;
        URI next = targets.poll();
        tried.add(next);
        target = next.toString();
        sentCredentials.clear();
        return new Next(target, List.of());
    }

    private SipMsrpPushException failure(Response response, String note) {
        RetryAfterHeader retryAfter = (RetryAfterHeader) response.getHeader(RetryAfterHeader.NAME);
        String reason = response.getReasonPhrase() + (note == null ? "" : " (" + note + ")");
        return new SipMsrpPushException(recipient, response.getStatusCode(), reason,
                retryAfter == null ? null : Duration.ofSeconds(retryAfter.getRetryAfter()));
    }
}
