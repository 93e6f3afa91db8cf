package org.imdp.ops;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

import javax.management.ObjectName;

import io.micrometer.core.instrument.Gauge;
import jakarta.jms.ConnectionFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.ManagementAgent;
import org.apache.camel.support.management.DefaultManagementMBeanAssembler;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.imdp.ImdpSettings;
import org.imdp.charging.ChargingDeliveries;
import org.imdp.charging.ChargingRecords;
import org.imdp.registration.Registrations;
import org.imdp.store.DeferredStore;
import org.imdp.store.PushRequests;
import org.imdp.store.StoreCapacity;

/**
 * What an operator watches and uses, installed on the Camel context: the service's MBeans ({@code org.imdp:type=…}),
 * its metrics, its health checks, the admin API bean, the management server's credentials and the check that it
 * listens.
 */
public final class Operations extends ServiceSupport {

    private static final long PROBE_TIMEOUT_MILLIS = 2000;
    private static final int SIP_CONNECT_TIMEOUT_MILLIS = 1000;

    private final CamelContext context;
    private final List<Object> mbeans = new ArrayList<>();
    private final List<ObjectName> registered = new ArrayList<>();
    private final DefaultManagementMBeanAssembler assembler;
    private ExecutorService probes;
    private ExecutorService detailReads;

    private Operations(CamelContext context) {
        this.context = context;
        this.assembler = new DefaultManagementMBeanAssembler(context);
    }

    /**
     * Installs everything; called from the service's configuration after the store exists and before the context
     * starts. The MBeans are registered when the context starts, and unregistered when it stops.
     */
    public static void install(CamelContext context, ImdpSettings settings, DeferredStore store,
                               ChargingRecords chargingRecords, ChargingDeliveries chargingDeliveries,
                               BrokerQueues queues, Registrations registrations,
                               StoreCapacity capacity, PushRequests pushRequests) throws Exception {
        ManagementAccess.install(context, settings.string("imdp.management.user"),
                settings.string("imdp.management.password"));
        ManagementListening.install(context);
        StartupSummary.install(context);

        MeterRegistry meters = context.getRegistry().findSingleByType(MeterRegistry.class);
        if (meters == null) {
            // camel.metrics.enabled = false: the counters still feed JMX
            meters = new SimpleMeterRegistry();
        }
        ServiceMetrics metrics = new ServiceMetrics(meters, context);
        context.getManagementStrategy().addEventNotifier(metrics);

        String charging = settings.string("imdp.queue.charging");
        String chargingDlq = settings.string("imdp.queue.charging-dlq");
        ChargingBacklog backlog = new ChargingBacklog(chargingRecords, chargingDeliveries, queues, charging, chargingDlq,
                Clock.systemUTC());
        storeGauges(meters, store, backlog, registrations);
        Ch1PeerGauges.register(meters, context, settings.string("imdp.ch1.peers"), backlog);
        Operations ops = new Operations(context);
        ops.probes = context.getExecutorServiceManager().newFixedThreadPool(ops, "ImdpHealthProbe", 2);
        // the details' reads of their own: a backend that hangs them never delays a readiness probe
        ops.detailReads = context.getExecutorServiceManager().newFixedThreadPool(ops, "ImdpHealthDetail", 2);
        ops.mbeans.add(new ManagedStore(store, metrics));
        ops.mbeans.add(new ManagedPush(metrics, registrations));
        ops.mbeans.add(new ManagedCharging(context, backlog, metrics));
        context.addService(ops, true, false);

        context.getRegistry().bind("imdpBrokerHealthCheck", new ProbeHealthCheck("broker", "the broker",
                () -> Map.of("queue", charging, "messages", queues.messageCount(charging)), ops.probes, PROBE_TIMEOUT_MILLIS));
        context.getRegistry().bind("imdpStoreHealthCheck", new ProbeHealthCheck("store", "the store's database",
                () -> {
                    store.probe();
                    return Map.of();
                }, ops.probes, PROBE_TIMEOUT_MILLIS));
        context.getRegistry().bind("imdpSipHealthCheck", new SipListeningHealthCheck(SIP_CONNECT_TIMEOUT_MILLIS));
        context.getRegistry().bind("imdpCh1HealthCheck", new Ch1PeerHealthCheck(backlog, ops.detailReads,
                PROBE_TIMEOUT_MILLIS));
        context.getRegistry().bind("imdpStoreCapacityHealthCheck", new StoreCapacityHealthCheck(capacity,
                ops.detailReads, PROBE_TIMEOUT_MILLIS));
        context.getRegistry().bind("imdpRoutesHealthCheck", new RoutesHealthCheck());
        context.getRegistry().bind("imdpVersionHealthCheck", new VersionHealthCheck());
        DeadLetters deadLetters = new DeadLetters(context.getRegistry().findSingleByType(ConnectionFactory.class),
                settings.string("imdp.queue.intake"), charging, chargingDlq, settings.string("imdp.queue.imdn-dlq"),
                settings.string("imdp.queue.expired"), settings.string("imdp.queue.refused"));
        context.getRegistry().bind("admin", new AdminApi(store, registrations, metrics, backlog,
                settings.positiveInt("imdp.store.max-per-recipient", 1_000_000), pushRequests, deadLetters));
        context.getRegistry().bind("adminHeaders", new AdminHeaders());
        AdminHttpErrors.install(context);
    }

    /** Sizes read from the store and the broker at each scrape; NaN while they cannot be reached. */
    private static void storeGauges(MeterRegistry meters, DeferredStore store, ChargingBacklog backlog,
                                    Registrations registrations) {
        gauge(meters, "imdp.store.messages", "Messages stored for all recipients", () -> store.totals(0).storedMessages());
        gauge(meters, "imdp.store.recipients", "Recipients with messages stored", () -> store.totals(0).recipients());
        gauge(meters, "imdp.store.expired", "Stored messages past their expiry, not yet handed to the IMDN route",
                store::expiredCount);
        gauge(meters, "imdp.charging.pending", "Charging events waiting for a 2001 ACA", backlog::pending);
        gauge(meters, "imdp.charging.dead.lettered", "Charging events refused for good", backlog::deadLettered);
        gauge(meters, "imdp.registrations", "Recipients registered now (in the store: on every instance sharing it)",
                registrations::size);
    }

    private interface BrokerReading {
        long read() throws Exception;
    }

    private static void gauge(MeterRegistry meters, String name, String description, BrokerReading reading) {
        Gauge.builder(name, () -> {
            try {
                return reading.read();
            } catch (Exception e) {
                return Double.NaN;
            }
        }).description(description).register(meters);
    }

    /** The JMX name of one of the service's MBeans: {@code org.imdp:context=<camel name>,type=<type>}. */
    public static ObjectName objectName(CamelContext context, String type) throws Exception {
        String name = context.getName();
        boolean plain = name.chars().noneMatch(c -> ",=:\"*?\n".indexOf(c) >= 0);
        return new ObjectName("org.imdp:context=" + (plain ? name : ObjectName.quote(name)) + ",type=" + type);
    }

    @Override
    protected void doStart() throws Exception {
        ManagementAgent agent = context.getManagementStrategy().getManagementAgent();
        if (agent == null) {
            // camel.main.jmx-enabled = false
            return;
        }
        ServiceHelper.startService(assembler);
        for (Object mbean : mbeans) {
            ObjectName name = objectName(context, mbean.getClass().getSimpleName().replace("Managed", "").toLowerCase());
            ManagedParameters.register(assembler, agent, mbean, name);
            registered.add(name);
        }
    }

    @Override
    protected void doStop() throws Exception {
        ManagementAgent agent = context.getManagementStrategy().getManagementAgent();
        for (ObjectName name : registered) {
            agent.unregister(name);
        }
        registered.clear();
        ServiceHelper.stopService(assembler);
    }

    @Override
    protected void doShutdown() {
        context.getExecutorServiceManager().shutdownNow(probes);
        context.getExecutorServiceManager().shutdownNow(detailReads);
    }
}
