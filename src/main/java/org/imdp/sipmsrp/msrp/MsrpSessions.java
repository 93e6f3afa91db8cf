package org.imdp.sipmsrp.msrp;

/**
 * Source of MSRP session endpoints for SIP sessions. One instance owns the Netty event loop and the
 * listening socket on {@code imdp.msrp.host:imdp.msrp.port} (used when the client answers
 * {@code a=setup:active} and connects to us).
 */
public interface MsrpSessions {

    /**
     * Allocates a local MSRP endpoint for one SIP session: a fresh session-id (80+ random bits) and its
     * URI, {@code msrp://host:port/<session-id>;tcp}, which goes into the SDP offer's {@code a=path}.
     */
    MsrpLocalEndpoint allocate();
}
