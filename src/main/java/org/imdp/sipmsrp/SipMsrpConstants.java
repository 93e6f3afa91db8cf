package org.imdp.sipmsrp;

import org.apache.camel.spi.Metadata;

/** Message headers of the {@code sipmsrp} component. */
public final class SipMsrpConstants {

    @Metadata(label = "consumer", description = "The SIP method of the received request (REGISTER or MESSAGE).",
              javaType = "String")
    public static final String METHOD = "CamelSipMsrpMethod";
    @Metadata(label = "consumer", description = "The Request-URI of the received request.", javaType = "String")
    public static final String REQUEST_URI = "CamelSipMsrpRequestUri";
    @Metadata(label = "consumer", description = "The URI of the From header (no tag).", javaType = "String")
    public static final String FROM = "CamelSipMsrpFrom";
    @Metadata(label = "consumer", description = "The URI of the To header (no tag).", javaType = "String")
    public static final String TO = "CamelSipMsrpTo";
    @Metadata(label = "consumer", description = "The identity the network asserts for the sender: the URI of the"
                                                + " received request's P-Asserted-Identity (RFC 3325), its sip: or"
                                                + " sips: one when it names two; absent without one. Only requests"
                                                + " from the consumer's trustedNodes are routed, so this is always a"
                                                + " trusted node's assertion.",
              javaType = "String")
    public static final String ASSERTED_IDENTITY = "CamelSipMsrpAssertedIdentity";
    @Metadata(description = "The SIP Call-ID of the received request, or of the push session.", javaType = "String")
    public static final String CALL_ID = "CamelSipMsrpCallId";
    @Metadata(label = "consumer", description = "The sequence number of the CSeq header of the received request.",
              javaType = "Long")
    public static final String CSEQ = "CamelSipMsrpCSeq";
    @Metadata(label = "consumer", description = "The tag of the From header of the received request, when it has one."
                                                + " With the Call-ID and the CSeq it names the request's transaction"
                                                + " (RFC 3261 section 17.2.3): a retransmission carries the same three.",
              javaType = "String")
    public static final String FROM_TAG = "CamelSipMsrpFromTag";
    @Metadata(description = "The Content-Type of the received request's body, if any; of the body to send"
                            + " (sipmsrp:message producer, required).", javaType = "String")
    public static final String CONTENT_TYPE = "CamelSipMsrpContentType";
    @Metadata(description = "REGISTER: the URI of the Contact header. Push: where the INVITE is sent"
                            + " (unless an outbound proxy is configured).", javaType = "String")
    public static final String CONTACT = "CamelSipMsrpContact";
    @Metadata(label = "consumer", description = "REGISTER: whether the Contact carries the OMA IM feature tag"
                                                + " +g.oma.sip-im (an IM Client registered it).", javaType = "Boolean")
    public static final String IM_FEATURE_TAG = "CamelSipMsrpImFeatureTag";
    @Metadata(label = "consumer", description = "REGISTER: the registration lifetime in seconds (Expires header,"
                                                + " or the Contact's expires parameter).", javaType = "Integer")
    public static final String EXPIRES = "CamelSipMsrpExpires";
    @Metadata(description = "Consumer: final response code sent for the received request, set by the route; when"
                            + " absent 200 is sent on success and 500 on failure. sipmsrp:message producer: the 2xx the"
                            + " MESSAGE got.", javaType = "Integer")
    public static final String RESPONSE_CODE = "CamelSipMsrpResponseCode";
    @Metadata(label = "consumer", description = "Reason phrase of the final response; defaults to the standard one.",
              javaType = "String")
    public static final String RESPONSE_REASON = "CamelSipMsrpResponseReason";
    @Metadata(label = "consumer", description = "Text of a Warning header (code 399) in the final response: set by the"
                                                + " route to say why a request was refused. When the exchange failed and"
                                                + " none is set, a generic text is sent (never exception details).",
              javaType = "String")
    public static final String WARNING = "CamelSipMsrpWarning";
    @Metadata(label = "consumer", description = "Seconds for a Retry-After header in a final response that is not"
                                                + " 2xx, set by the route when the request may be tried again later"
                                                + " (e.g. 503, RFC 3261 21.5.4).", javaType = "Integer")
    public static final String RETRY_AFTER = "CamelSipMsrpRetryAfter";
    @Metadata(label = "producer", description = "Push: the recipient's public identity (To header of the INVITE)."
                                                + " sipmsrp:message: Request-URI and To of the MESSAGE.",
              javaType = "String", required = true)
    public static final String RECIPIENT = "CamelSipMsrpRecipient";
    @Metadata(label = "producer", description = "Push: what happened in the session, set once its last message is"
                                                + " decided; the dialog then waits for sipmsrp:bye.",
              javaType = "org.imdp.sipmsrp.PushSessionResult")
    public static final String PUSH_RESULT = "CamelSipMsrpPushResult";
    @Metadata(label = "producer", description = "Bye: when the BYE ending the push session was handed to the"
                                                + " transport; not set when none was sent (the client ended the"
                                                + " session itself, or the session was already ended).",
              javaType = "java.time.Instant")
    public static final String BYE_SENT_AT = "CamelSipMsrpByeSentAt";

    private SipMsrpConstants() {
    }
}
