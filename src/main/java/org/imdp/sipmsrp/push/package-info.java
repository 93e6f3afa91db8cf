/**
 * The push session of {@code sipmsrp:push}, in the stages of the change request's ladder, read top to bottom in
 * {@link org.imdp.sipmsrp.push.PushSession#run()}:
 * <ol>
 * <li>INVITE with the MSRP offer: {@link org.imdp.sipmsrp.push.InviteDialog}, which builds each INVITE with
 * {@link org.imdp.sipmsrp.push.InviteRequest} and follows redirects and challenges with
 * {@link org.imdp.sipmsrp.push.InviteFollowUp};</li>
 * <li>its 200 OK, ACKed ({@code InviteDialog}); then the MSRP connection of the SDP answer
 * ({@link org.imdp.sipmsrp.push.MsrpConnect});</li>
 * <li>one MSRP SEND per message ({@link org.imdp.sipmsrp.push.MessageSends}),</li>
 * <li>each answered with its 200 OK (or a status that refuses it or ends the session);</li>
 * <li>our BYE, once, when the route has settled the session ({@link org.imdp.sipmsrp.push.DialogBye});</li>
 * <li value="8">the 200 OK to the BYE: nothing waits for it, {@code DialogBye} counts it and logs it at DEBUG.</li>
 * </ol>
 * Steps 6 and 7 (the CH-1 ACR and ACA) are the {@code ch1} component's, right after the BYE. The invite dialog is
 * apart from the MSRP transfer: each stage owns the state of its step, confined to the thread that runs it (the
 * session's executor, or a SIP stack thread for {@code InviteDialog}'s events); what other threads touch (the service
 * stopping, the client's BYE) is all that is shared. The stages count through
 * {@link org.imdp.sipmsrp.push.PushCounters} (the endpoint's counters). Nothing here imports Camel; what it takes
 * from the component is its configuration, body and result types and its exception.
 */
package org.imdp.sipmsrp.push;
