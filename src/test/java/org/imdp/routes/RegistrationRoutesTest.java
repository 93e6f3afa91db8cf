package org.imdp.routes;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import javax.sip.header.RetryAfterHeader;
import javax.sip.header.WarningHeader;
import javax.sip.message.Response;

import org.apache.camel.builder.NotifyBuilder;
import org.imdp.registration.Registrations;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.store.DeferredStore;
import org.imdp.store.PushRequests;
import org.imdp.test.ServiceMainTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The registrations through the real routes, SIP listener and store, with room for one registration
 * ({@code imdp.registration.max-entries = 1}): a REGISTER over the limit is answered 503 with Retry-After and a Warning
 * naming the key, the registered recipient still refreshes, and the cleanup route deletes what ran out.
 */
class RegistrationRoutesTest extends ServiceMainTestSupport {

    private static final String AMY = "sip:amy@127.0.0.1";
    private static final String BEN = "sip:ben@127.0.0.1";

    private SipTestClient client;

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties p = serviceProperties("registration-routes-test");
        p.put("imdp.registration.max-entries", "1");
        p.put("imdp.store.scan-period", "100ms");
        return p;
    }

    @BeforeEach
    void startClient() throws Exception {
        client = SipTestClient.start("127.0.0.1",
                sipPort());
    }

    @AfterEach
    void stopClient() {
        if (client != null) {
            client.close();
        }
    }

    private Registrations registrations() {
        return context.getRegistry().lookupByNameAndType("registrations", Registrations.class);
    }

    private long registrationRows() throws Exception {
        return context.getRegistry().lookupByNameAndType("deferredStore", DeferredStore.class)
                .single("SELECT count(*) FROM registration");
    }

    @Test
    void over_the_limit_a_register_of_a_new_recipient_gets_503_with_retry_after_and_the_registered_one_refreshes()
            throws Exception {
        assertThat(client.register(AMY, 600).getStatusCode()).isEqualTo(200);

        Response full = client.register(BEN, 600);
        assertThat(full.getStatusCode()).isEqualTo(Response.SERVICE_UNAVAILABLE);
        RetryAfterHeader retryAfter = (RetryAfterHeader) full.getHeader(RetryAfterHeader.NAME);
        assertThat(retryAfter).as("Retry-After").isNotNull();
        // when amy's registration runs out
        assertThat(retryAfter.getRetryAfter()).isBetween(500, 600);
        assertThat(((WarningHeader) full.getHeader(WarningHeader.NAME)).getText())
                .contains(BEN, "imdp.registration.max-entries 1");
        assertThat(registrations().isRegistered(BEN)).isFalse();

        assertThat(client.register(AMY, 900).getStatusCode()).as("a refresh").isEqualTo(200);
        assertThat(registrations().contactOf(AMY)).isEqualTo(client.contact("amy"));
        assertThat(registrations().size()).isEqualTo(1);
    }

    @Test
    void over_the_limit_an_availability_from_the_queue_is_taken_off_it_and_not_recorded() throws Exception {
        assertThat(client.register(AMY, 600).getStatusCode()).isEqualTo(200);

        // completed: the refusal is handled (a WARN), not a failure that the broker would redeliver
        NotifyBuilder taken = new NotifyBuilder(context).fromRoute("availability-jms").whenCompleted(1).create();
        template.sendBodyAndHeaders("jms:queue:im.availability", "",
                Map.of("imdpRecipient", BEN, "imdpContact", "sip:ben@192.0.2.2"));

        assertThat(taken.matches(20, TimeUnit.SECONDS)).isTrue();
        assertThat(registrations().isRegistered(BEN)).isFalse();
    }

    @Test
    void the_cleanup_route_deletes_a_registration_that_ran_out_which_makes_room() throws Exception {
        assertThat(client.register(AMY, 1).getStatusCode()).isEqualTo(200);
        assertThat(registrationRows()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(20)).until(() -> registrationRows() == 0);
        assertThat(client.register(BEN, 600).getStatusCode()).isEqualTo(200);
        assertThat(registrations().contactOf(BEN)).isEqualTo(client.contact("ben"));
    }

    @Test
    void a_registration_that_ran_out_withdraws_the_timed_retry_of_its_push() throws Exception {
        PushRequests requests = context.getRegistry().lookupByNameAndType("pushRequests", PushRequests.class);
        // the client's side asks to be tried again in 10 minutes
        client.rejectInvites(480, 600);
        assertThat(client.sendMessage("sip:zoe@127.0.0.1", AMY, "text/plain", "hello".getBytes())).isEqualTo(202);

        assertThat(client.register(AMY, 2).getStatusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).until(() -> client.received().stream().anyMatch(r -> r.method().equals("INVITE")));

        // the timed retry is withdrawn once the registration ran out (before the fix it waited its 10 minutes)
        await().atMost(Duration.ofSeconds(20)).until(() -> registrationRows() == 0 && requests.count() == 0);
        assertThat(client.received().stream().filter(r -> r.method().equals("INVITE")).count()).isEqualTo(1);
        assertThat(context.getRegistry().lookupByNameAndType("deferredStore", DeferredStore.class)
                .single("SELECT count(*) FROM deferred_message")).as("the message stays stored").isEqualTo(1);
    }

    @Test
    void a_deregistration_deletes_the_registration_and_makes_room() throws Exception {
        assertThat(client.register(AMY, 600).getStatusCode()).isEqualTo(200);
        assertThat(client.send(client.newRegister(AMY, "*", 0)).getStatusCode()).isEqualTo(200);
        assertThat(registrationRows()).isZero();

        assertThat(client.register(BEN, 600).getStatusCode()).isEqualTo(200);
    }
}
