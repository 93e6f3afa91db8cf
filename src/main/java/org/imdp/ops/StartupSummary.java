package org.imdp.ops;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.HttpEndpointModel;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.imdp.ch1.Ch1Endpoint;
import org.imdp.sipmsrp.SipMsrpEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The line an operator reads once the service has started: its version, where it listens and the URLs of the
 * management server, the admin API's among them, with the host they are reached at. Camel's own endpoint summary
 * (silenced in {@code config/log4j2.properties}) says {@code 0.0.0.0} whatever the host and leaves out the REST
 * routes.
 */
final class StartupSummary implements StartupListener {

    private static final Logger LOG = LoggerFactory.getLogger(StartupSummary.class);

    private StartupSummary() {
    }

    static void install(CamelContext context) throws Exception {
        context.addStartupListener(new StartupSummary());
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // everything listens once the context has fully started
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        Set<String> listening = new TreeSet<>();
        for (Endpoint endpoint : context.getEndpoints()) {
            if (endpoint instanceof SipMsrpEndpoint sip && sip.getKind().sipMethod() != null) {
                listening.add("SIP " + sip.getListeningAddress());
                listening.add("MSRP " + sip.getConfiguration().getMsrpHost() + ":" + sip.getConfiguration().getMsrpPort());
            } else if (endpoint instanceof Ch1Endpoint ch1) {
                listening.add("CH-1 peers " + ch1.getPeers());
            }
        }
        List<String> lines = new ArrayList<>();
        ManagementHttpServer management = context.hasService(ManagementHttpServer.class);
        PlatformHttpComponent http = (PlatformHttpComponent) context.hasComponent("platform-http");
        if (management != null && http != null) {
            String base = "http://" + reachableHost(management.getHost()) + ":" + management.getPort();
            // one line per path; the REST routes' endpoints have one per method (the component's list keeps one)
            Map<String, Set<String>> verbs = new TreeMap<>();
            for (HttpEndpointModel model : http.getHttpManagementEndpoints()) {
                addVerbs(verbs, model.getUri(), model.getVerbs());
            }
            for (Endpoint endpoint : context.getEndpoints()) {
                if (endpoint instanceof PlatformHttpEndpoint rest) {
                    addVerbs(verbs, rest.getPath(), rest.getHttpMethodRestrict());
                }
            }
            int width = verbs.keySet().stream().mapToInt(String::length).max().orElse(0) + base.length();
            verbs.forEach((path, methods) -> lines.add(String.format("%n    %-" + width + "s  (%s)", base + path,
                    String.join(",", methods))));
        }
        LOG.info("im-deferred-push {} started: {}{}", BuildVersion.version(), String.join(", ", listening),
                lines.isEmpty() ? "; no management server" : "; management server:" + String.join("", lines));
    }

    private static void addVerbs(Map<String, Set<String>> verbs, String path, String methods) {
        Set<String> all = verbs.computeIfAbsent(path, k -> new TreeSet<>());
        all.addAll(methods == null ? List.of("any method") : Arrays.asList(methods.split(",")));
    }

    /** The configured host, or this machine's name when it is a wildcard address (0.0.0.0, ::). */
    private static String reachableHost(String host) {
        try {
            if (host == null || InetAddress.getByName(host).isAnyLocalAddress()) {
                return InetAddress.getLocalHost().getHostName();
            }
        } catch (UnknownHostException e) {
            return host;
        }
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
