package org.imdp.trust;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import org.apache.camel.CamelContext;
import org.imdp.ImdpSettings;
import org.imdp.sipmsrp.SipMsrpConfiguration;
import org.imdp.sipmsrp.sip.DigestAuthenticator;
import org.imdp.sipmsrp.sip.TrustedNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP trust keys, checked at start so that a bad value stops it naming the key (docs/security.md, "Trust"):
 * {@code imdp.sip.trusted-nodes} (read by the {@code sipmsrp} consumers, which refuse every other source with 403),
 * {@code imdp.sip.auth.realm} (required with digest credentials), {@code imdp.sip.registrar.credentials} and
 * {@code .realm} (digest for IM Clients that register directly, read by the REGISTER consumer), and
 * {@code imdp.sip.home-domains} (bean
 * {@code homeDomains} of the routes). Says in the log whom the service trusts, and which key to set when that is
 * nobody.
 */
public final class SipTrust {

    private static final Logger LOG = LoggerFactory.getLogger(SipTrust.class);

    public static final String TRUSTED_NODES = "imdp.sip.trusted-nodes";
    public static final String REGISTRAR_CREDENTIALS = "imdp.sip.registrar.credentials";
    public static final String REGISTRAR_REALM = "imdp.sip.registrar.realm";
    public static final String HOME_DOMAINS = "imdp.sip.home-domains";

    private SipTrust() {
    }

    /** Checks the keys, logs the trust in force and binds {@code homeDomains}. */
    public static void install(CamelContext context, ImdpSettings settings) {
        String host = settings.string("imdp.sip.host");
        String list = settings.string(TRUSTED_NODES);
        TrustedNodes trusted;
        try {
            trusted = SipMsrpConfiguration.trustedNodes(list, host);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Configuration key " + TRUSTED_NODES + " = " + list + ": " + e.getMessage(), e);
        }
        if (trusted.isEmpty()) {
            LOG.warn("imdp.sip.host {} is not a loopback address and {} is empty: every REGISTER and MESSAGE is refused"
                     + " 403. Set {} to the addresses of the S-CSCF and the IM Server parts that deposit messages"
                     + " (CIDRs, e.g. 10.0.0.0/24)", host, TRUSTED_NODES, TRUSTED_NODES);
        } else {
            LOG.info("REGISTER and MESSAGE served for the trusted nodes {}{}", trusted,
                    list.isBlank() ? " (imdp.sip.host is a loopback address and " + TRUSTED_NODES + " is empty)" : "");
        }
        if (!settings.string("imdp.sip.auth.username").isEmpty() && settings.string("imdp.sip.auth.realm").isEmpty()) {
            throw new IllegalArgumentException("Configuration key imdp.sip.auth.realm is empty while imdp.sip.auth.username"
                                               + " is set: name the realm the credentials are for (they are given to no"
                                               + " other)");
        }
        String credentials = settings.string(REGISTRAR_CREDENTIALS);
        if (!credentials.isEmpty()) {
            String realm = settings.string(REGISTRAR_REALM);
            if (realm.isEmpty()) {
                throw new IllegalArgumentException("Configuration key " + REGISTRAR_REALM + " is empty while "
                                                   + REGISTRAR_CREDENTIALS + " is set: name the realm of its challenges");
            }
            try {
                DigestAuthenticator.fromFile(Path.of(credentials), realm, Duration.ZERO, Clock.systemUTC());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Configuration key " + REGISTRAR_CREDENTIALS + ": " + e.getMessage(), e);
            }
        }
        HomeDomains home;
        try {
            home = HomeDomains.of(settings.string(HOME_DOMAINS), settings.string("imdp.sip.server-uri"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Configuration key " + HOME_DOMAINS + " is empty and " + e.getMessage(), e);
        }
        LOG.info("Messages stored and registrations recorded for the home domains {}", home);
        context.getRegistry().bind("homeDomains", home);
    }
}
