package org.imdp.sipmsrp.sdp;

import java.net.URI;
import java.util.List;

/**
 * The SDP offer of a push INVITE (PROTOCOLS.md B.4): one MSRP media line with the types we send, we only send, and either
 * side may open the TCP connection ({@code a=setup:actpass}, RFC 6135).
 */
public final class SdpOffer {

    /** The MSRP media type and protocol of the m= line (RFC 4975 section 8.1). */
    public static final String MEDIA = "message";
    public static final String PROTOCOL = "TCP/MSRP";
    /** The m= protocol of MSRP over TLS, with an {@code msrps:} path (RFC 4975 sections 8.1 and 14). */
    public static final String TLS_PROTOCOL = "TCP/TLS/MSRP";
    public static final String CRLF = "\r\n";
    /** RFC 6714 attribute: the offerer supports Connection Establishment for Media Anchoring. */
    public static final String MSRP_CEMA = "msrp-cema";

    private SdpOffer() {
    }

    /**
     * @param localPath      our MSRP URI ({@code msrp://host:port/session-id;tcp}); its authority gives the c= and
     *                       m= lines, so the offer always names the address the MSRP transport listens on, and its
     *                       scheme the m= protocol ({@code msrps:} is {@value #TLS_PROTOCOL})
     * @param sessionVersion the o= session id and version (NTP-style number, unique per offer)
     * @param acceptTypes    the content types we send (a=accept-types, RFC 4975 section 8.6), at least one
     * @param cema           with {@code a=msrp-cema} (RFC 6714): an answerer that supports it too may then be reached
     *                       at its c=/m= address whatever the authority of its a=path
     */
    public static String build(String localPath, long sessionVersion, List<String> acceptTypes, boolean cema) {
        if (acceptTypes.isEmpty()) {
            throw new IllegalArgumentException("an MSRP offer needs at least one accept-type");
        }
        URI uri = URI.create(localPath);
        String host = uri.getHost();
        if (host == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("MSRP path without host and port: " + localPath);
        }
        String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        String addrType = bareHost.contains(":") ? "IP6" : "IP4";
        return "v=0" + CRLF
               + "o=- " + sessionVersion + " " + sessionVersion + " IN " + addrType + " " + bareHost + CRLF
               + "s=-" + CRLF
               + "c=IN " + addrType + " " + bareHost + CRLF
               + "t=0 0" + CRLF
               + "m=" + MEDIA + " " + uri.getPort() + " " + ("msrps".equalsIgnoreCase(uri.getScheme()) ? TLS_PROTOCOL : PROTOCOL)
               + " *" + CRLF
               + "a=accept-types:" + String.join(" ", acceptTypes) + CRLF
               + "a=accept-wrapped-types:*" + CRLF
               + "a=path:" + localPath + CRLF
               + "a=setup:" + SdpSetup.ACTPASS.value() + CRLF
               + (cema ? "a=" + MSRP_CEMA + CRLF : "")
               + "a=sendonly" + CRLF;
    }
}
