package org.imdp.sipmsrp;

import org.imdp.test.TestPorts;
import java.util.Set;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.sip.message.Response;

import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The endpoint's counters as an operator sees them in JMX (Hawtio). */
class SipMsrpJmxTest extends CamelTestSupport {

    private static final String HOST = "127.0.0.1";
    private static final String BOB = "sip:bob@example.com";

    private int sipPort;

    @Override
    public void configureTest(TestExecutionConfiguration configuration) {
        super.configureTest(configuration);
        configuration.withEnableJMX();
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        sipPort = TestPorts.next();
        CamelContext context = super.createCamelContext();
        SipMsrpComponent component = new SipMsrpComponent();
        component.getConfiguration().setHost(HOST);
        component.getConfiguration().setPort(sipPort);
        context.addComponent("sipmsrp", component);
        return context;
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("sipmsrp:register").routeId("register").log("registered ${header."
                                                                  + SipMsrpConstants.TO + "}");
            }
        };
    }

    @Test
    void endpoint_counters_are_managed_attributes() throws Exception {
        try (SipTestClient client = SipTestClient.start(HOST, sipPort)) {
            assertThat(client.register(BOB, 60).getStatusCode()).isEqualTo(Response.OK);
        }

        MBeanServer server = context.getManagementStrategy().getManagementAgent().getMBeanServer();
        Set<ObjectName> names = server.queryNames(new ObjectName("org.apache.camel:type=endpoints,*"), null);
        ObjectName endpoint = names.stream().filter(n -> n.getKeyProperty("name").contains("sipmsrp")).findFirst()
                .orElseThrow();
        assertThat(server.getAttribute(endpoint, "RequestsAnswered")).isEqualTo(1L);
        assertThat(server.getAttribute(endpoint, "InvitesSent")).isEqualTo(0L);
        assertThat(server.getAttribute(endpoint, "ListeningAddress")).isEqualTo(HOST + ":" + sipPort + " udp,tcp");
        // what the stack received and answered is the component's, counted once however many endpoints share it
        assertThat(server.getMBeanInfo(endpoint).getAttributes()).extracting(MBeanAttributeInfo::getName)
                .doesNotContain("RequestsReceivedByMethod");
    }

    @Test
    void sip_requests_and_responses_are_counted_once_on_the_component() throws Exception {
        try (SipTestClient client = SipTestClient.start(HOST, sipPort)) {
            assertThat(client.register(BOB, 60).getStatusCode()).isEqualTo(Response.OK);
            assertThat(client.register(BOB, 60).getStatusCode()).isEqualTo(Response.OK);
        }

        MBeanServer server = context.getManagementStrategy().getManagementAgent().getMBeanServer();
        ObjectName component = server.queryNames(new ObjectName("org.apache.camel:type=components,name=\"sipmsrp\",*"),
                null).stream().findFirst().orElseThrow();
        assertThat(server.getAttribute(component, "RequestsReceivedByMethod")).isEqualTo("{REGISTER=2}");
        assertThat(server.getAttribute(component, "ResponsesSentByCode")).isEqualTo("{REGISTER 200=2}");
        assertThat(server.getAttribute(component, "ResponsesReceivedByCode")).isEqualTo("{}");
        assertThat(server.getAttribute(component, "ActivePushSessions")).isEqualTo(0);
    }
}
