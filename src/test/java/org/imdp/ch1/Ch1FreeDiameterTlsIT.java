package org.imdp.ch1;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.imdp.ch1.support.AccountingEvents;
import org.imdp.ch1.support.FreeDiameter;
import org.imdp.ch1.support.FreeDiameterExtension;
import org.imdp.test.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ch1 producer over TLS from connect (RFC 6733 §13) to freeDiameter's secure port: freeDiameter shows the test
 * CA's server certificate and requires a client certificate from the same CA.
 */
class Ch1FreeDiameterTlsIT extends CamelTestSupport {

    @RegisterExtension
    static final FreeDiameterExtension CDF = new FreeDiameterExtension(
            new FreeDiameter("ch1-tls-it", TestCertificates.SERVER_NAME, TestCertificates.dir()));

    private static final String OPTIONS = "&originHost=im-deferred.localdomain&originRealm=localdomain"
            + "&destinationRealm=localdomain&requestTimeout=3s&reconnectDelayMin=200ms&reconnectDelayMax=1s";

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        context.getRegistry().bind("clientTls", TestCertificates.parameters("client", false));
        // trusts the test CA but has no certificate to show
        SSLContextParameters anonymous = TestCertificates.parameters("client", false);
        anonymous.setKeyManagers(null);
        context.getRegistry().bind("anonymousTls", anonymous);
        // has a client certificate but trusts only the JVM's CAs, not the test CA
        SSLContextParameters jvmTrust = TestCertificates.parameters("client", false);
        jvmTrust.setTrustManagers(null);
        context.getRegistry().bind("jvmTrust", jvmTrust);
        return context;
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                int secure = CDF.server().tlsPort();
                from("direct:tls").to("ch1:tls?peers=127.0.0.1:" + secure + "&tls=true&sslContextParameters=#clientTls" + OPTIONS);
                from("direct:plain-to-secure-port").to("ch1:plain?peers=127.0.0.1:" + secure + OPTIONS);
                from("direct:no-client-certificate")
                        .to("ch1:anonymous?peers=127.0.0.1:" + secure + "&tls=true&sslContextParameters=#anonymousTls" + OPTIONS);
                from("direct:untrusted-server")
                        .to("ch1:untrusted?peers=127.0.0.1:" + secure + "&tls=true&sslContextParameters=#jvmTrust" + OPTIONS);
                // the certificate names 127.0.0.1 and localhost, not this address of the same host
                from("direct:wrong-name")
                        .to("ch1:wrong-name?peers=127.0.0.2:" + secure + "&tls=true&sslContextParameters=#clientTls" + OPTIONS);
            }
        };
    }

    @Test
    void an_acr_over_tls_is_answered_2001() {
        Exchange result = template.request("direct:tls", e -> e.getIn().setBody(AccountingEvents.push("tls-push")));

        assertThat(result.getException()).isNull();
        assertThat(result.getMessage().getHeader(Ch1Constants.RESULT_CODE)).isEqualTo(2001L);
        assertThat(result.getMessage().getHeader(Ch1Constants.PEER)).isEqualTo("127.0.0.1:" + CDF.server().tlsPort());
        String sessionId = result.getMessage().getHeader(Ch1Constants.SESSION_ID, String.class);
        assertThat(CDF.server().log()).contains("Connected to 'im-deferred.localdomain' (TCP,TLS,")
                .contains("'Accounting-Request'").contains("\"" + sessionId + "\"");
    }

    @Test
    void plain_tcp_to_the_secure_port_never_opens() {
        assertNotCharged("direct:plain-to-secure-port", "plain");
    }

    @Test
    void a_client_without_a_certificate_is_refused_by_freediameter() {
        assertNotCharged("direct:no-client-certificate", "anonymous");
    }

    @Test
    void a_server_certificate_from_an_untrusted_ca_is_refused() {
        assertNotCharged("direct:untrusted-server", "untrusted");
    }

    @Test
    void a_server_certificate_that_does_not_name_the_peer_is_refused() {
        assertNotCharged("direct:wrong-name", "wrong-name");
    }

    private void assertNotCharged(String route, String id) {
        Exchange result = template.request(route, e -> e.getIn().setBody(AccountingEvents.push(id)));

        assertThat(result.getException()).isInstanceOf(Ch1TransientException.class);
        assertThat(CDF.server().log()).doesNotContain(";" + id + "\"");
    }
}
