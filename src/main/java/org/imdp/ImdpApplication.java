package org.imdp;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.apache.logging.log4j.LogManager;
import org.imdp.ops.BuildVersion;
import org.imdp.sipmsrp.SipMsrpListenException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Starts the service: Camel Main reading {@code config/application.properties} and
 * {@code routes/*.xml} from the working directory, so operators change behaviour without rebuilding.
 * <p>
 * The process ends with exit code 0 after SIGTERM (a graceful stop) and 1 when the start fails, within
 * seconds: a SIP stack that started before the failure must not keep the JVM running, listening on
 * nothing, so that a supervisor (Docker, systemd) sees the failure and restarts the service.
 * Logging stops last, after Camel's last line (Log4j's own shutdown hook is off:
 * {@code log4j2.component.properties}).
 */
public final class ImdpApplication {

    private static final Path LOG_CONFIG = Path.of("config", "log4j2.properties");
    private static final Path CONFIG = Path.of("config", "application.properties");

    /** The keys that say where the sipmsrp component listens (config/application.properties passes them on). */
    private static final Map<SipMsrpListenException.Listener, String> LISTEN_KEYS = Map.of(
            SipMsrpListenException.Listener.SIP, "imdp.sip.port",
            SipMsrpListenException.Listener.MSRP, "imdp.msrp.port");

    private ImdpApplication() {
    }

    public static void main(String... args) {
        // before the first logger exists: operators tune logging in config/, next to the routes
        if (System.getProperty("log4j2.configurationFile") == null && Files.isRegularFile(LOG_CONFIG)) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIG.toString());
        }
        int exitCode = 1;
        try {
            exitCode = run(args);
        } finally {
            LogManager.shutdown();
            System.exit(exitCode);
        }
    }

    private static int run(String... args) {
        Logger log = LoggerFactory.getLogger(ImdpApplication.class);
        log.info("im-deferred-push {} starting", BuildVersion.version());
        Main main = new Main(ImdpApplication.class);
        main.setPropertyPlaceholderLocations("file:" + CONFIG);
        try {
            // a graceful stop that ends the JVM with 0 rather than 128 + 15: Camel Main stops the context on the
            // main thread, then main() ends the logging and exits
            Signal.handle(new Signal("TERM"), signal -> {
                log.info("SIGTERM: stopping");
                main.completed();
            });
        } catch (IllegalArgumentException e) {
            log.warn("SIGTERM cannot be handled (-Xrs?): it stops the service through Camel's shutdown hook, exit code 143");
        }
        try {
            // as JVM system properties: over -D and the file for every key, as Camel already does for placeholders
            environmentOverrides().forEach(System::setProperty);
            // Camel Main's own exit code (camel.main.duration-hit-exit-code), 0 when it set none
            return Math.max(main.run(args), 0);
        } catch (Exception | Error e) {
            // whatever failed: a thread that started before (JAIN-SIP's) must not keep a service that does nothing
            CamelContext context = main.getCamelContext();
            if (context != null) {
                try {
                    context.stop();
                } catch (RuntimeException stopFailure) {
                    e.addSuppressed(stopFailure);
                }
            }
            log.error("im-deferred-push did not start: {}", reason(e), e);
            return 1;
        }
    }

    /**
     * The keys of the configuration file and the service's own that the environment sets, in the one way
     * {@link ImdpSettings#environmentName} says (Camel Main maps only some of its own groups from the environment, and
     * takes {@code camel.management.*} from {@code -D} over it).
     */
    private static Map<String, String> environmentOverrides() throws IOException {
        Set<String> keys = new TreeSet<>(ImdpSettings.KEYS);
        if (Files.isRegularFile(CONFIG)) {
            Properties file = new Properties();
            try (Reader reader = Files.newBufferedReader(CONFIG, StandardCharsets.UTF_8)) {
                file.load(reader);
            }
            keys.addAll(file.stringPropertyNames());
        }
        return ImdpSettings.fromEnvironment(keys, System.getenv());
    }

    /** What failed, naming the configuration key behind it when a listening socket failed. */
    private static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SipMsrpListenException listen) {
                return t.getMessage() + " (configuration key " + LISTEN_KEYS.get(listen.getListener()) + " = "
                       + listen.getPort() + ")";
            }
        }
        return failure.getMessage();
    }
}
