package org.imdp.ops;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.web.handler.BasicAuthHandler;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig.AuthenticationConfigEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Basic authentication on the management server for what can read or change the service: Jolokia (Hawtio) and the
 * admin API. Health and metrics stay open for probes and scrapers (the server listens on 127.0.0.1 by default).
 * The credentials are the keys {@code imdp.management.user} and {@code imdp.management.password}; with no password
 * every request to a protected path is refused.
 */
public final class ManagementAccess implements AuthenticationProvider {

    /** Context path of the admin API (routes/admin.xml). */
    public static final String ADMIN_PATH = "/admin";
    public static final String REALM = "im-deferred-push";

    private static final Logger LOG = LoggerFactory.getLogger(ManagementAccess.class);

    private final byte[] user;
    private final byte[] password;

    ManagementAccess(String user, String password) {
        if (user.isBlank()) {
            throw new IllegalArgumentException("Configuration key imdp.management.user is empty: name the management user");
        }
        this.user = user.getBytes(StandardCharsets.UTF_8);
        this.password = password.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Protects Jolokia and the admin API of the management server (camel.management.enabled), which Camel Main has
     * created but not started yet. Does nothing when the management server is disabled.
     */
    static void install(CamelContext context, String user, String password) {
        ManagementHttpServer server = context.hasService(ManagementHttpServer.class);
        if (server == null) {
            return;
        }
        if (password.isEmpty()) {
            LOG.warn("imdp.management.password is empty: Jolokia ({}) and the admin API ({}) refuse every request."
                     + " Set it, e.g. with the environment variable IMDP_MANAGEMENT_PASSWORD", server.getJolokiaPath(), ADMIN_PATH);
        }
        ManagementAccess access = new ManagementAccess(user, password);
        AuthenticationConfig config = server.getConfiguration().getAuthenticationConfig();
        for (String path : List.of(server.getJolokiaPath() + "/*", ADMIN_PATH + "/*")) {
            AuthenticationConfigEntry entry = new AuthenticationConfigEntry();
            entry.setPath(path);
            entry.setAuthenticationProviderFactory(vertx -> access);
            entry.setAuthenticationHandlerFactory(new AuthenticationConfig.AuthenticationHandlerFactory() {
                @Override
                public <T extends AuthenticationProvider> BasicAuthHandler createAuthenticationHandler(T provider) {
                    return BasicAuthHandler.create(provider, REALM);
                }
            });
            config.getEntries().add(entry);
        }
        config.setEnabled(true);
    }

    @Override
    public void authenticate(JsonObject credentials, Handler<AsyncResult<User>> resultHandler) {
        String name = credentials.getString("username", "");
        resultHandler.handle(accepts(name, credentials.getString("password", ""))
                ? Future.succeededFuture(User.fromName(name))
                : Future.failedFuture("wrong management user or password"));
    }

    boolean accepts(String name, String secret) {
        // both compared in full, in constant time
        boolean nameOk = MessageDigest.isEqual(user, name.getBytes(StandardCharsets.UTF_8));
        boolean secretOk = MessageDigest.isEqual(password, secret.getBytes(StandardCharsets.UTF_8));
        return password.length > 0 && nameOk & secretOk;
    }
}
