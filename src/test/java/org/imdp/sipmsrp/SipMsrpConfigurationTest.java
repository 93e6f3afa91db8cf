package org.imdp.sipmsrp;

import org.apache.camel.CamelContext;
import org.apache.camel.ResolveEndpointFailedException;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Options as the application sets them: {@code camel.component.sipmsrp.*} properties, and endpoint URIs. */
class SipMsrpConfigurationTest {

    private static final String PREFIX = "camel.component.sipmsrp.";

    private Main main;
    private CamelContext context;

    @BeforeEach
    void startMain() throws Exception {
        main = new Main();
        main.addInitialProperty(PREFIX + "host", "127.0.0.2");
        main.addInitialProperty(PREFIX + "port", "15060");
        main.addInitialProperty(PREFIX + "server-uri", "sip:psi@example.com");
        main.addInitialProperty(PREFIX + "outbound-proxy", "10.0.0.1:5060;transport=tcp");
        main.addInitialProperty(PREFIX + "msrp-port", "12855");
        main.addInitialProperty(PREFIX + "invite-timeout", "7s");
        main.addInitialProperty(PREFIX + "msrp-connect-timeout", "3s");
        main.addInitialProperty(PREFIX + "max-message-size", "2048");
        main.addInitialProperty(PREFIX + "max-redirects", "1");
        main.addInitialProperty(PREFIX + "auth-username", "psi");
        main.addInitialProperty(PREFIX + "auth-password", "pw");
        main.addInitialProperty(PREFIX + "auth-realm", "ims.example.com");
        main.addInitialProperty(PREFIX + "trusted-nodes", "10.0.0.0/24, 2001:db8::7");
        main.addInitialProperty(PREFIX + "workers", "3");
        main.addInitialProperty(PREFIX + "worker-queue-size", "0");
        main.addInitialProperty(PREFIX + "overload-retry-after", "1500ms");
        main.start();
        context = main.getCamelContext();
    }

    @AfterEach
    void stopMain() {
        main.stop();
    }

    @Test
    void component_options_bind_from_properties() {
        SipMsrpConfiguration config = context.getComponent("sipmsrp", SipMsrpComponent.class).getConfiguration();

        assertThat(config.getHost()).isEqualTo("127.0.0.2");
        assertThat(config.getPort()).isEqualTo(15060);
        assertThat(config.getServerUri()).isEqualTo("sip:psi@example.com");
        assertThat(config.getOutboundProxy()).isEqualTo("10.0.0.1:5060;transport=tcp");
        assertThat(config.getMsrpPort()).isEqualTo(12855);
        assertThat(config.getInviteTimeout()).isEqualTo(7_000);
        assertThat(config.getMsrpConnectTimeout()).isEqualTo(3_000);
        assertThat(config.getMsrpTransactionTimeout()).isEqualTo(30_000);
        assertThat(config.getMaxMessageSize()).isEqualTo(2048);
        assertThat(config.transportList()).containsExactly("udp", "tcp");
        assertThat(config.getMaxRedirects()).isEqualTo(1);
        assertThat(config.getAuthUsername()).isEqualTo("psi");
        assertThat(config.getAuthPassword()).isEqualTo("pw");
        assertThat(config.getAuthRealm()).isEqualTo("ims.example.com");
        assertThat(config.getTrustedNodes()).isEqualTo("10.0.0.0/24, 2001:db8::7");
        assertThat(config.getWorkers()).isEqualTo(3);
        assertThat(config.getWorkerQueueSize()).isZero();
        assertThat(config.getOverloadRetryAfter()).isEqualTo(1_500);
        assertThat(config.overloadRetryAfterSeconds()).isEqualTo(2);
    }

    @Test
    void endpoints_start_from_a_copy_of_the_component_options() {
        SipMsrpComponent component = context.getComponent("sipmsrp", SipMsrpComponent.class);

        SipMsrpEndpoint plain = context.getEndpoint("sipmsrp:push", SipMsrpEndpoint.class);
        SipMsrpEndpoint tuned = context.getEndpoint("sipmsrp:push?inviteTimeout=2s&maxMessageSize=10",
                SipMsrpEndpoint.class);

        assertThat(plain.getKind()).isEqualTo(SipMsrpKind.PUSH);
        assertThat(plain.getConfiguration().getInviteTimeout()).isEqualTo(7_000);
        assertThat(tuned.getConfiguration().getInviteTimeout()).isEqualTo(2_000);
        assertThat(tuned.getConfiguration().getMaxMessageSize()).isEqualTo(10);
        assertThat(component.getConfiguration().getInviteTimeout()).isEqualTo(7_000);
        assertThat(tuned.getServiceUrl()).isEqualTo("sip:127.0.0.2:15060");
    }

    @Test
    void bad_uris_are_refused_with_the_reason() {
        assertThatThrownBy(() -> context.getEndpoint("sipmsrp:invite"))
                .isInstanceOf(ResolveEndpointFailedException.class).hasMessageContaining("unknown sipmsrp kind");
        assertThatThrownBy(() -> context.getEndpoint("sipmsrp:message?transports=sctp"))
                .isInstanceOf(ResolveEndpointFailedException.class).hasMessageContaining("transports");
        assertThatThrownBy(() -> context.getEndpoint("sipmsrp:push?maxRedirects=-1"))
                .isInstanceOf(ResolveEndpointFailedException.class).hasMessageContaining("maxRedirects");
        assertThatThrownBy(() -> context.getEndpoint("sipmsrp:push?authPassword="))
                .isInstanceOf(ResolveEndpointFailedException.class).hasMessageContaining("authPassword is empty");
        assertThatThrownBy(() -> context.getEndpoint("sipmsrp:push?authRealm="))
                .isInstanceOf(ResolveEndpointFailedException.class).hasMessageContaining("authRealm is empty");
        assertThatThrownBy(() -> context.getEndpoint("sipmsrp:message?trustedNodes=10.0.0.0/33"))
                .isInstanceOf(ResolveEndpointFailedException.class).hasMessageContaining("10.0.0.0/33");
        assertThatThrownBy(() -> context.getEndpoint("sipmsrp:message?trustedNodes=s-cscf.example.com"))
                .isInstanceOf(ResolveEndpointFailedException.class).hasMessageContaining("no host names");
        assertThatThrownBy(() -> context.getEndpoint("sipmsrp:message?workers=0"))
                .isInstanceOf(ResolveEndpointFailedException.class).hasMessageContaining("workers");
        assertThatThrownBy(() -> context.getEndpoint("sipmsrp:message?workerQueueSize=-1"))
                .isInstanceOf(ResolveEndpointFailedException.class).hasMessageContaining("workerQueueSize");
        assertThatThrownBy(() -> context.getEndpoint("sipmsrp:message?maxMessageSize=100&sipMaxMessageSize=4095"))
                .isInstanceOf(ResolveEndpointFailedException.class).hasMessageContaining("at least 4096");
        assertThatThrownBy(() -> context.getEndpoint("sipmsrp:message?tcpMaxConnections=0"))
                .isInstanceOf(ResolveEndpointFailedException.class).hasMessageContaining("maxConnections");
        assertThatThrownBy(() -> context.getEndpoint("sipmsrp:push?msrpMaxUnboundConnections=0"))
                .isInstanceOf(ResolveEndpointFailedException.class).hasMessageContaining("msrpMaxUnboundConnections");
        assertThatThrownBy(() -> context.getEndpoint("sipmsrp:message?noSuchOption=1"))
                .isInstanceOf(ResolveEndpointFailedException.class);
    }
}
