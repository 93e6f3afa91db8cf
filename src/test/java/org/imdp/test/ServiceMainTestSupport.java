package org.imdp.test;

import java.nio.file.Path;
import java.util.Properties;
import java.util.UUID;

import org.apache.camel.builder.AdviceWith;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.imdp.ImdpConfiguration;
import org.imdp.store.DeferredStore;

/**
 * The service as Camel Main runs it, inside the test's JVM: {@code config/application.properties}, the bean
 * wiring of {@link ImdpConfiguration} and the real {@code routes/*.xml}, with a fresh embedded broker journal and
 * every listening port free, so test classes can run side by side. Subclasses add their own overrides to
 * {@link #serviceProperties(String)}.
 */
public abstract class ServiceMainTestSupport extends CamelMainTestSupport {

    @Override
    protected String getPropertyPlaceholderLocations() {
        return "file:config/application.properties";
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.addConfiguration(ImdpConfiguration.class);
        configuration.withRoutesIncludePattern("file:routes/*.xml");
    }

    /**
     * Replaces the CH-1 request of route {@code acr} with {@code mock:ch1}: for a test whose concern is not what is
     * charged, and which runs no Charging Enabler. Needs {@code isUseAdviceWith()}; call before the context starts.
     */
    protected void withoutChargingEnabler() throws Exception {
        AdviceWith.adviceWith(context, "acr", a -> a.weaveByToUri("ch1:*").replace().to("mock:ch1"));
    }

    /** The SIP port the service listens on. */
    /** The service's store (bean {@code deferredStore}). */
    protected DeferredStore store() {
        return context.getRegistry().lookupByNameAndType("deferredStore", DeferredStore.class);
    }

    /** Closes each of a test's peers that was started, going on past a failure: the next test starts its own. */
    protected static void closeAll(AutoCloseable... peers) {
        for (AutoCloseable c : peers) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // the next test starts its own
                }
            }
        }
    }

    protected int sipPort() {
        return Integer.parseInt(context.resolvePropertyPlaceholders("{{imdp.sip.port}}"));
    }

    /**
     * A journal under {@code target/<name>/} of its own, and free ports for the broker's acceptor, SIP, MSRP, the
     * Charging Enabler (nothing listens there unless the test starts one) and the management server. The test users
     * live in {@code example.com} and on {@code 127.0.0.1}: both are home domains.
     */
    protected static Properties serviceProperties(String name) {
        Properties p = new Properties();
        p.put("imdp.data-dir", Path.of("target", name, UUID.randomUUID().toString()).toString());
        p.put("imdp.broker.embedded.port", String.valueOf(TestPorts.next()));
        p.put("imdp.sip.port", String.valueOf(TestPorts.next()));
        p.put("imdp.msrp.port", String.valueOf(TestPorts.next()));
        p.put("imdp.ch1.peers", "127.0.0.1:" + TestPorts.next());
        p.put("camel.management.port", "0");
        p.put("imdp.sip.home-domains", "example.com, 127.0.0.1");
        return p;
    }
}
