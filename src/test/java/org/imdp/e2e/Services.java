package org.imdp.e2e;

import org.imdp.ch1.support.FreeDiameter;
import org.imdp.test.BrokerClient;
import org.imdp.test.TestPorts;
import java.nio.file.Path;

import org.imdp.test.peers.ServiceProcess;

/** How the end-to-end tests launch the service's jar. */
final class Services {

    private Services() {
    }

    /**
     * The jar with SIP on {@code sipPort}, its own journal in {@code dataDir}, MSRP and the embedded
     * broker on free ports (the broker's service user with {@link BrokerClient#SERVICE_PASSWORD}, so that tests and
     * other instances can log in on its acceptor), and a Charging Enabler address where nothing listens (its events wait);
     * any of these can be overridden with a later {@code property(...)}.
     */
    static ServiceProcess.Builder onFreePorts(int sipPort, Path dataDir) {
        return ServiceProcess.builder()
                .property("imdp.sip.port", String.valueOf(sipPort))
                .property("imdp.msrp.port", String.valueOf(TestPorts.next()))
                .property("imdp.broker.embedded.port", String.valueOf(TestPorts.next()))
                .property("imdp.broker.password", BrokerClient.SERVICE_PASSWORD)
                .property("imdp.data-dir", dataDir.toString())
                .property("imdp.ch1.peers", "127.0.0.1:" + TestPorts.next());
    }

    /**
     * As {@link #onFreePorts}, charging at {@code chargingEnabler}: with the same {@code sipPort} and {@code dataDir}
     * each time, a restarted service keeps what its clients registered and what it stored.
     */
    static ServiceProcess.Builder chargingAt(FreeDiameter chargingEnabler, int sipPort, Path dataDir) {
        return onFreePorts(sipPort, dataDir).property("imdp.ch1.peers", "127.0.0.1:" + chargingEnabler.port());
    }
}
