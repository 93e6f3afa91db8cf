/**
 * The {@code sipmsrp} Camel component: the SIP and MSRP side of the IM Server's deferred messaging.
 *
 * <h2>Endpoints</h2>
 * <ul>
 * <li>{@code sipmsrp:message} (consumer): each incoming SIP MESSAGE becomes an exchange with the body as
 * {@code byte[]} and the headers {@link org.imdp.sipmsrp.SipMsrpConstants#METHOD METHOD}, {@code REQUEST_URI},
 * {@code FROM}, {@code TO}, {@code CALL_ID}, {@code CONTENT_TYPE}. A body larger than {@code maxMessageSize} is
 * answered 413 without routing.</li>
 * <li>{@code sipmsrp:register} (consumer): each REGISTER, with {@code FROM}, {@code TO} (the AoR),
 * {@code CONTACT} (URI of the first Contact, or {@code *}), {@code EXPIRES} (the Contact's expires parameter,
 * else the Expires header, else 3600; 0 for {@code *}) and {@code CALL_ID}. A 2xx answer lists the binding
 * with its expires and carries a Date header.</li>
 * <li>{@code sipmsrp:push} (producer): body {@code List<}{@link org.imdp.sipmsrp.PushMessage}{@code >}, headers {@code RECIPIENT} and
 * {@code CONTACT}; see below.</li>
 * <li>{@code sipmsrp:message} (producer): sends the body ({@code byte[]}) in one out-of-dialog MESSAGE to
 * {@code RECIPIENT} (Request-URI and To, through the outbound proxy when set) with Content-Type
 * {@code CONTENT_TYPE}, From and P-Asserted-Identity = serverUri; completes on the final response: 2xx sets
 * {@code RESPONSE_CODE}, anything else or none within {@code messageTimeout} fails the exchange with
 * {@link org.imdp.sipmsrp.SipMsrpRequestException} (status, and whether it is worth trying again).</li>
 * </ul>
 * Consumers route on a Camel thread pool, never on a SIP stack thread, and answer when the exchange is done: the
 * route's {@code RESPONSE_CODE} (also when the exchange failed), reason {@code RESPONSE_REASON} and Warning text
 * {@code WARNING}; without a code, 200 on success and 500 with a generic Warning on failure (exception details
 * stay in the log). Retransmissions of a request being routed are absorbed by its server transaction. Requests
 * nobody consumes get 405 with Allow; OPTIONS gets 200 with Allow; CANCEL gets 481 (no INVITE is ever kept
 * pending); a BYE outside a push dialog gets 481.
 *
 * <h2>Push session</h2>
 * INVITE (From = serverUri with a random tag, To = recipient, Request-URI = CONTACT, or the recipient when an
 * outbound proxy is set and then reached through a loose-route Route header; Contact with {@code +g.oma.sip-im};
 * Accept-Contact {@code *;+g.oma.sip-im}; P-Asserted-Identity = serverUri; Referred-By = the original sender when
 * all messages share one and the stack can write its URI) with the SDP offer of PROTOCOLS.md B.4, whose accept-types are
 * the payloads' content types. A final non-2xx
 * fails the exchange with {@link org.imdp.sipmsrp.SipMsrpPushException} carrying its status; no final answer within
 * {@code inviteTimeout} fails it with 408 (the INVITE is CANCELled when the client rang, and a 2xx crossing the CANCEL is ACKed and
 * ended with BYE). Every 2xx is ACKed. An answer without an accepted {@code m=message ... MSRP} line, without
 * each payload content type among its accept-types or without a=path gets a BYE and fails the exchange with 488. Then MSRP:
 * {@code a=setup:active} means the client connects to us (waiting {@code msrpConnectTimeout}), anything else
 * means we connect to the first a=path hop; failure: BYE, exchange failed with the
 * {@link org.imdp.sipmsrp.msrp.MsrpException}. Each message is sent as SENDs of its payload, in order, until
 * a status that ends the session ({@link org.imdp.sipmsrp.msrp.MsrpStatusAction}: any 2xx acknowledges like 200,
 * 413/415 and a message over the client's a=max-size are refused for good and skipped) or an error while a message
 * is prepared or sent (e.g. a payload that cannot be made), which ends it the same way. Then the exchange goes on with
 * {@code PUSH_RESULT} ({@link org.imdp.sipmsrp.PushSessionResult}) and {@code CALL_ID}, the body unchanged, while the
 * dialog stays up: {@code sipmsrp:bye} ends it (the application settles the session in between, so its charging
 * request can follow the BYE at once), or the exchange's completion does when the route never gets there. The
 * BYE's response is only counted. When the CamelContext starts to stop, every push session takes no further message,
 * its SEND in progress fails (the connection closes), and it ends like any other. A BYE from the client ends the push at once (answered 200, the SEND in
 * progress fails with status 0, no BYE of ours). {@code PUSH_RESULT} is set whenever a dialog was established,
 * also when the exchange fails after it.
 * <p>
 * The MSRP Message-ID of a SEND is the message's id when that is a valid MSRP ident, else a fresh one; an
 * application whose ids are not idents carries them in the payload (the service: imdn.Message-ID inside CPIM).
 *
 * <h2>Transport limits (JAIN-SIP RI 1.3.0-91, checked)</h2>
 * The stack runs the RI's NIO transports with the TCP limits the RI leaves out
 * ({@link org.imdp.sipmsrp.sip.BoundedNioMessageProcessorFactory}): {@code tcpMaxConnections} accepted connections,
 * {@code tcpIdleTimeout}, and messages up to {@code sipMaxMessageSize} (start line, headers and body, more than
 * {@code maxMessageSize}): over TCP a larger one closes its connection when its headers end, before its body is
 * kept, and the sender gets no answer. UDP datagrams are read whole up to that size. The RI does not switch
 * a large request from UDP to TCP (RFC 3261 18.1.1): our INVITE goes over the transport of the Request-URI's or
 * proxy's {@code transport} parameter, UDP by default. Malformed messages are dropped by the stack (with an
 * automatic 400 when it can build one); {@link org.imdp.sipmsrp.sip.LoggingMessageParserFactory} logs each at
 * WARN, without content. The stack's own log goes to SLF4J category {@code gov.nist.javax.sip}; at DEBUG it
 * contains whole SIP messages, bodies included, so keep it at INFO or above in production.
 */
package org.imdp.sipmsrp;
