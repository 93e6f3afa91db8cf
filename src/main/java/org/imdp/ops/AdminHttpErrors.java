package org.imdp.ops;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.spi.RestRegistry;

/**
 * The management server's answers to requests that no route takes, as JSON like the admin API's own errors
 * ({@code {"error": "..."}}), instead of Vert.x's HTML page and its 405 with an empty {@code Allow}:
 * <ul>
 * <li>404 when no REST operation has that path;</li>
 * <li>405 with {@code Allow} listing the methods the path has;</li>
 * <li>415 when the method exists but takes another Content-Type, 406 when it answers in a type the request does not
 * accept.</li>
 * </ul>
 * Vert.x tries this last, after every route of the management server (health, metrics, Jolokia, the REST DSL's):
 * the REST operations are read from Camel's {@link RestRegistry} when a request comes, so a route reloaded or
 * added later is known as it is.
 */
final class AdminHttpErrors implements StartupListener {

    private final CamelContext context;

    private AdminHttpErrors(CamelContext context) {
        this.context = context;
    }

    /** Installs the answers on the management server once it exists; does nothing when it is disabled. */
    static void install(CamelContext context) throws Exception {
        if (context.hasService(ManagementHttpServer.class) != null) {
            context.addStartupListener(new AdminHttpErrors(context));
        }
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // the management server's router exists once the context's services have started
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        ManagementHttpServer server = context.hasService(ManagementHttpServer.class);
        if (server.getRouter() != null) {
            server.getRouter().route().last().handler(this::answer);
        }
    }

    private void answer(RoutingContext request) {
        String path = request.normalizedPath();
        String method = request.request().method().name();
        Set<String> allowed = new TreeSet<>();
        RestRegistry.RestService same = null;
        for (RestRegistry.RestService service : context.getRestRegistry().listAllRestServices()) {
            if (template(service).matcher(path).matches()) {
                allowed.add(service.getMethod().toUpperCase(Locale.ROOT));
                if (service.getMethod().equalsIgnoreCase(method)) {
                    same = service;
                }
            }
        }
        if (allowed.isEmpty()) {
            end(request, 404, "no such resource: " + method + " " + path);
        } else if (same == null) {
            request.response().putHeader(HttpHeaders.ALLOW, String.join(", ", allowed));
            end(request, 405, method + " is not allowed on " + path + "; allowed: " + String.join(", ", allowed));
        } else if (same.getConsumes() != null && !accepts(same.getConsumes(), request.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
            end(request, 415, method + " " + path + " takes Content-Type " + same.getConsumes() + ", not "
                    + request.request().getHeader(HttpHeaders.CONTENT_TYPE));
        } else {
            end(request, 406, method + " " + path + " answers " + same.getProduces() + ", which the request's Accept ("
                    + request.request().getHeader(HttpHeaders.ACCEPT) + ") does not take");
        }
    }

    /** The path of a REST operation as a pattern: each {parameter} is one path segment. */
    private static Pattern template(RestRegistry.RestService service) {
        String path = (service.getBasePath() == null ? "" : service.getBasePath())
                      + (service.getUriTemplate() == null ? "" : service.getUriTemplate());
        return Pattern.compile(Pattern.quote(path).replaceAll("\\{[^/}]+\\}", Matcher.quoteReplacement("\\E[^/]+\\Q"))
                               + "/?");
    }

    private static boolean accepts(String consumes, String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";")[0].trim();
        return List.of(consumes.split(",")).stream().anyMatch(c -> c.trim().equalsIgnoreCase(type));
    }

    private static void end(RoutingContext request, int status, String error) {
        request.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(AdminApi.errorJson(error));
    }
}
