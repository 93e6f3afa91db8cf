package org.imdp.ops;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.camel.support.service.ServiceHelper;
import org.imdp.sipmsrp.SipMsrpConfiguration;
import org.imdp.sipmsrp.SipMsrpEndpoint;

/**
 * Readiness: every route that consumes from {@code sipmsrp:} (MESSAGE, REGISTER) has its consumer started, which means
 * its SIP stack holds its listening points, and where TCP is one of the transports the port accepts a connection. Not
 * liveness: a TCP port can refuse for a while under a connection flood (imdp.sip.max-connections), which a restart
 * would not cure and would make worse by dropping the pushes under way.
 */
final class SipListeningHealthCheck extends AbstractHealthCheck {

    private final int connectTimeoutMillis;

    SipListeningHealthCheck(int connectTimeoutMillis) {
        super("imdp", "sip-listening-points");
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<String> listening = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Route route : getCamelContext().getRoutes()) {
            Endpoint endpoint = route.getEndpoint();
            if (!(endpoint instanceof SipMsrpEndpoint sip)) {
                continue;
            }
            SipMsrpConfiguration c = sip.getConfiguration();
            String where = c.getHost() + ":" + c.getPort() + " " + c.getTransports();
            if (!ServiceHelper.isStarted(route.getConsumer())) {
                ServiceStatus status = getCamelContext().getRouteController().getRouteStatus(route.getRouteId());
                problems.add(route.getRouteId() + " is not listening on " + where + " (route " + status + ")");
            } else if (c.getTransports().toLowerCase().contains("tcp") && !acceptsTcp(c.getHost(), c.getPort())) {
                problems.add(route.getRouteId() + ": TCP " + c.getHost() + ":" + c.getPort() + " refuses connections");
            } else {
                listening.add(route.getRouteId() + " " + where);
            }
        }
        builder.detail("listening", String.join(", ", listening));
        if (problems.isEmpty()) {
            builder.up();
        } else {
            builder.down().message(String.join("; ", problems));
        }
    }

    private boolean acceptsTcp(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
