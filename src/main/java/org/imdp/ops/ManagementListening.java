package org.imdp.ops;

import io.vertx.core.http.impl.HttpServerImpl;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;

/**
 * Fails the start when the management server ({@code camel.management.*}) could not listen, e.g. on a port another
 * process holds: Camel's Vert.x server only logs a WARN then, and the service would run without health, metrics,
 * Jolokia and the admin API, invisible to its probes.
 */
final class ManagementListening implements StartupListener {

    private ManagementListening() {
    }

    /** Checks the management server, if enabled, once the context has started. */
    static void install(CamelContext context) throws Exception {
        if (context.hasService(ManagementHttpServer.class) != null) {
            context.addStartupListener(new ManagementListening());
        }
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // the management server starts with the context's services; it is checked once everything has started
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        ManagementHttpServer management = context.hasService(ManagementHttpServer.class);
        VertxPlatformHttpServer server = context.hasService(VertxPlatformHttpServer.class);
        // Vert.x's HttpServer says whether it listens only through its implementation: closed after a failed listen
        if (server == null || !(server.getServer() instanceof HttpServerImpl http) || http.isClosed()) {
            throw new IllegalStateException("Configuration key camel.management.port = " + management.getPort()
                    + ": the management server cannot listen on " + management.getHost() + ":" + management.getPort()
                    + " (the reason is in Vert.x's WARN line above, e.g. the port is taken)");
        }
    }
}
