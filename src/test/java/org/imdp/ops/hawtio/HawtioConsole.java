package org.imdp.ops.hawtio;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.WebResourceRoot;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.servlets.DefaultServlet;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.webresources.StandardRoot;

/**
 * Hawtio 4 for the running service, on one command ({@code scripts/hawtio.sh}): Hawtio's war ({@code io.hawt:hawtio-war},
 * copied to {@code target/hawtio/hawtio.war} by the build) in an embedded Tomcat on 127.0.0.1, already pointed at the
 * service's Jolokia over plain HTTP, so that the operator lands on the service's Camel context after logging in with
 * {@code imdp.management.user} / {@code imdp.management.password}.
 * <p>
 * Three changes to the war as it comes, made on a fresh copy at each start:
 * <ul>
 * <li>a connection named {@value #CONNECTION} ({@code http}, the management server's host and port,
 * {@value #JOLOKIA_PATH}) is written into the browser's storage by {@value #CONNECTION_SCRIPT}, loaded before Hawtio's
 * own script, and chosen as the current one (Hawtio's own default connection is HTTPS, which the management server
 * does not speak);</li>
 * <li>the route Source tab's editor (Monaco), which Hawtio's bundle loads from {@value #MONACO_CDN}, comes from the
 * Monaco WebJar on the classpath instead, so that no page an operator uses calls a CDN;</li>
 * <li>Hawtio's own Jolokia agent, which would expose this launcher's JVM to every local user (Hawtio's login is off:
 * the credentials that count are the service's), answers 403; its proxy reaches only the management server's host.</li>
 * </ul>
 * Lives in test scope: the service's jar carries none of it (Tomcat, the war and Monaco are some 40 MB). It runs in a
 * JVM of its own with Tomcat and Monaco alone on its classpath ({@code target/hawtio/classpath.txt}): the war brings its
 * own Jolokia and Log4j, which the service's versions beside them would clash with.
 */
public final class HawtioConsole implements AutoCloseable {

    /** The name of the preconfigured connection, also its id in Hawtio's storage. */
    public static final String CONNECTION = "im-deferred-push";
    /** Jolokia on the management server (camel-platform-http-jolokia under Camel's management path). */
    public static final String JOLOKIA_PATH = "/observe/jolokia";
    static final String CONTEXT_PATH = "/hawtio";
    /** Under {@code static/}: Hawtio serves only some paths as they are, and every other as its page (a client route). */
    static final String CONNECTION_SCRIPT = "static/imdp-connection.js";
    static final String MONACO_CDN = "https://cdn.jsdelivr.net/npm/monaco-editor@0.43.0/min/vs";
    private static final String MONACO_WEBJAR = "/META-INF/resources/webjars/monaco-editor/0.40.0/min";
    private static final String MONACO_MOUNT = "/static/monaco";
    private static final String MONACO_LOCAL = CONTEXT_PATH + MONACO_MOUNT + "/vs";

    private final Tomcat tomcat;
    private final int port;

    private HawtioConsole(Tomcat tomcat, int port) {
        this.tomcat = tomcat;
        this.port = port;
    }

    /**
     * Unpacks {@code war} into {@code workDir} (emptied first), makes the changes above and starts Tomcat on
     * 127.0.0.1:{@code port} (0: a free port).
     *
     * @param jolokiaHost the management server's host, as the browser's Hawtio reaches it through Hawtio's proxy
     * @param jolokiaPort the management server's port ({@code camel.management.port})
     */
    public static HawtioConsole start(Path war, Path workDir, int port, String jolokiaHost, int jolokiaPort)
            throws IOException, LifecycleException {
        Path webapp = workDir.resolve("webapp");
        deleteTree(workDir);
        unzip(war, webapp);
        useLocalMonaco(webapp);
        Files.writeString(webapp.resolve(CONNECTION_SCRIPT), connectionScript(jolokiaHost, jolokiaPort));
        Path index = webapp.resolve("index.html");
        String html = Files.readString(index);
        String hawtioScript = "<script defer=\"defer\"";
        if (!html.contains(hawtioScript)) {
            throw new IllegalStateException(war + ": no " + hawtioScript + " in index.html, cannot preconfigure the connection");
        }
        Files.writeString(index, html.replace(hawtioScript,
                "<script src=\"" + CONTEXT_PATH + "/" + CONNECTION_SCRIPT + "\"></script>" + hawtioScript));

        // Hawtio reads its settings from system properties first (io.hawt.system.ConfigManager)
        System.setProperty("hawtio.authenticationEnabled", "false");
        System.setProperty("hawtio.proxyAllowlist", jolokiaHost);
        System.setProperty("hawtio.localAddressProbing", "false");

        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(workDir.resolve("tomcat").toString());
        // Tomcat's default web.xml would add a JSP servlet that is not there: only its default servlet, for the files
        tomcat.setAddDefaultWebXmlToWebapp(false);
        Connector connector = new Connector();
        connector.setPort(port);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addWebapp(CONTEXT_PATH, webapp.toString());
        Tomcat.addDefaultMimeTypeMappings(context);
        Tomcat.addServlet(context, "default", new DefaultServlet());
        context.addServletMappingDecoded("/", "default");
        WebResourceRoot resources = new StandardRoot(context);
        resources.createWebResourceSet(WebResourceRoot.ResourceSetType.RESOURCE_JAR, MONACO_MOUNT, monacoJar(), null,
                MONACO_WEBJAR);
        context.setResources(resources);
        context.addServletContainerInitializer((classes, servletContext) -> servletContext
                .addFilter("imdp-no-local-jolokia", (request, response, chain) ->
                        ((HttpServletResponse) response).sendError(HttpServletResponse.SC_FORBIDDEN,
                                "Hawtio's own JVM is not managed here: connect to " + CONNECTION))
                .addMappingForUrlPatterns(null, false, "/jolokia/*"), null);
        try {
            tomcat.start();
            if (context.getState() != LifecycleState.STARTED) {
                // Tomcat logs why (a filter that did not start, ...) and goes on without the webapp
                throw new IllegalStateException("Hawtio did not start: " + context.getState() + " (see the log above)");
            }
        } catch (LifecycleException | RuntimeException e) {
            tomcat.destroy();
            throw e;
        }
        return new HawtioConsole(tomcat, connector.getLocalPort());
    }

    /** The page an operator opens. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + port + CONTEXT_PATH + "/");
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws LifecycleException {
        try {
            tomcat.stop();
        } finally {
            tomcat.destroy();
        }
    }

    /**
     * The connection Hawtio keeps in {@code localStorage} under {@code connect.connections} (added, or put back as
     * configured), and the current connection Hawtio takes from {@code sessionStorage} when the URL names none.
     */
    static String connectionScript(String host, int port) {
        String connection = "{\"id\":\"" + CONNECTION + "\",\"name\":\"" + CONNECTION + "\",\"scheme\":\"http\",\"host\":\""
                + host + "\",\"port\":" + port + ",\"path\":\"" + JOLOKIA_PATH + "\"}";
        return "// written by org.imdp.ops.hawtio.HawtioConsole: the service's Jolokia, over plain HTTP\n"
                + "(function () {\n"
                + "  var connections = JSON.parse(localStorage.getItem('connect.connections') || '{}');\n"
                + "  connections['" + CONNECTION + "'] = " + connection + ";\n"
                + "  localStorage.setItem('connect.connections', JSON.stringify(connections));\n"
                + "  if (!sessionStorage.getItem('connect.currentConnection')) {\n"
                + "    sessionStorage.setItem('connect.currentConnection', JSON.stringify('" + CONNECTION + "'));\n"
                + "  }\n"
                + "})();\n";
    }

    /** Points Hawtio's Monaco loader at {@link #MONACO_LOCAL}; fails when the bundle no longer names the CDN. */
    private static void useLocalMonaco(Path webapp) throws IOException {
        int patched = 0;
        try (Stream<Path> scripts = Files.list(webapp.resolve("static/js"))) {
            for (Path script : scripts.filter(p -> p.toString().endsWith(".js")).toList()) {
                String js = Files.readString(script, StandardCharsets.UTF_8);
                if (js.contains(MONACO_CDN)) {
                    Files.writeString(script, js.replace(MONACO_CDN, MONACO_LOCAL), StandardCharsets.UTF_8);
                    patched++;
                }
            }
        }
        if (patched == 0) {
            throw new IllegalStateException("Hawtio's scripts do not name " + MONACO_CDN + ": update MONACO_CDN");
        }
    }

    private static String monacoJar() {
        URL loader = HawtioConsole.class.getClassLoader().getResource(MONACO_WEBJAR.substring(1) + "/vs/loader.js");
        if (loader == null || !"jar".equals(loader.getProtocol())) {
            throw new IllegalStateException(MONACO_WEBJAR + " not on the classpath (org.webjars.npm:monaco-editor)");
        }
        String file = loader.getPath();
        return Path.of(URI.create(file.substring(0, file.indexOf("!/")))).toString();
    }

    private static void unzip(Path war, Path target) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(war))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                Path to = target.resolve(entry.getName()).normalize();
                if (!to.startsWith(target)) {
                    throw new IOException(war + ": entry outside the webapp: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(to);
                } else {
                    Files.createDirectories(to.getParent());
                    Files.copy(zip, to);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /**
     * {@code scripts/hawtio.sh}: from the project root, Hawtio on 127.0.0.1:{@code args[0]} (default 8090) for the
     * service configured by {@code config/application.properties}, {@code -D} and the environment, read as the service
     * reads them ({@code CAMEL_MANAGEMENT_PORT} for {@code camel.management.port}, ...); runs until stopped.
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8090;
        Path root = Path.of("").toAbsolutePath();
        Properties config = new Properties();
        try (Reader file = Files.newBufferedReader(root.resolve("config/application.properties"))) {
            config.load(file);
        }
        String host = setting(config, "camel.management.host");
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";
        }
        int jolokiaPort = Integer.parseInt(setting(config, "camel.management.port"));
        HawtioConsole console = start(root.resolve("target/hawtio/hawtio.war"), root.resolve("target/hawtio/run-" + port), port,
                host, jolokiaPort);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                console.close();
            } catch (LifecycleException e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "hawtio-stop"));
        System.out.println("Hawtio: " + console.url() + " (connection " + CONNECTION + ": http://" + host + ":"
                + jolokiaPort + JOLOKIA_PATH + "; log in with imdp.management.user / imdp.management.password); Ctrl-C stops it");
        stopped.await();
    }

    /** As the service reads a key: the environment ({@code CAMEL_MANAGEMENT_PORT}) wins over {@code -D}, over the file. */
    private static String setting(Properties config, String key) {
        String env = System.getenv(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        return System.getProperty(key, config.getProperty(key, "")).trim();
    }
}
