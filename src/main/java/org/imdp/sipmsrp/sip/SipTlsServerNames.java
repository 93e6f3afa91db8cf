package org.imdp.sipmsrp.sip;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.sip.address.Hop;

import gov.nist.javax.sip.ClientTransactionExt;
import gov.nist.javax.sip.TlsSecurityPolicy;

/**
 * The name check of a TLS server the stack connects to (JAIN-SIP's TLS security policy, which the RI runs after each
 * handshake of an outgoing connection; its default accepts any certificate the trust store accepts): the server's
 * certificate must name the host of the request's next hop. Names are taken as RFC 5922 section 7.1 says for SIP
 * (subjectAltName URIs {@code sip:host}, and dNSName entries; the subject's CN only when there is no subjectAltName),
 * plus iPAddress entries for a next hop written as an address. A certificate that does not name it fails the handshake
 * (the RI turns the refusal into an I/O error of the send), and the request is not sent.
 * <p>
 * Created by the RI by its class name ({@link SipStackProperties#TLS_SECURITY_POLICY}).
 */
public final class SipTlsServerNames implements TlsSecurityPolicy {

    private static final int SAN_DNS = 2;
    private static final int SAN_URI = 6;
    private static final int SAN_IP = 7;

    @Override
    public void enforceTlsPolicy(ClientTransactionExt transaction) throws SecurityException {
        if (transaction == null) {
            // a message sent without a client transaction (an ACK to a 2xx, a retransmitted response) goes on a
            // connection whose handshake a transaction's request checked before
            return;
        }
        Hop hop = transaction.getNextHop();
        Certificate[] chain;
        try {
            chain = transaction.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            throw new SecurityException("the TLS server " + hop + " showed no certificate", e);
        }
        if (hop == null || chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate certificate)) {
            throw new SecurityException("no certificate of the TLS server " + hop + " to check its name against");
        }
        List<String> names = names(certificate);
        if (!names(names, hop.getHost())) {
            throw new SecurityException("the certificate of the TLS server " + hop.getHost() + ":" + hop.getPort()
                                        + " names " + names + ", not " + hop.getHost());
        }
    }

    /** The names a certificate gives its holder, as written: {@code sip:} URIs, DNS names, addresses, or its CN. */
    static List<String> names(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        Collection<List<?>> alternatives;
        try {
            alternatives = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new SecurityException("the certificate's subjectAltName cannot be read: " + e.getMessage(), e);
        }
        if (alternatives != null) {
            for (List<?> entry : alternatives) {
                int type = (Integer) entry.get(0);
                if (type == SAN_DNS || type == SAN_URI || type == SAN_IP) {
                    names.add(String.valueOf(entry.get(1)));
                }
            }
            return names;
        }
        for (String part : certificate.getSubjectX500Principal().getName().split(",")) {
            if (part.startsWith("CN=")) {
                names.add(part.substring("CN=".length()));
            }
        }
        return names;
    }

    /** Whether one of {@code names} is {@code host}: the same DNS name (without regard to case) or the same address. */
    static boolean names(List<String> names, String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        for (String name : names) {
            String n = name.toLowerCase(Locale.ROOT);
            String value = n.startsWith("sip:") ? n.substring("sip:".length()) : n;
            if (value.equalsIgnoreCase(bare) || sameAddress(value, bare)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameAddress(String name, String host) {
        if (!isAddress(name) || !isAddress(host)) {
            return false;
        }
        try {
            return InetAddress.getByName(name).equals(InetAddress.getByName(host));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** A literal IPv4 or IPv6 address (so that no name is ever looked up in DNS here). */
    private static boolean isAddress(String s) {
        return s.contains(":") || s.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }
}
