package org.imdp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.util.TimeUtils;

/**
 * The service's own {@code imdp.*} configuration keys, read once at start-up. A missing, misspelt or
 * malformed key stops the start with a message that names it.
 */
public final class ImdpSettings {

    /** Every {@code imdp.*} key the service understands; anything else in the configuration is a typo. */
    public static final Set<String> KEYS = Set.of(
            "imdp.sip.host", "imdp.sip.port", "imdp.sip.server-uri", "imdp.sip.outbound-proxy",
            "imdp.sip.max-redirects", "imdp.sip.auth.username", "imdp.sip.auth.password", "imdp.sip.auth.realm",
            "imdp.sip.require-im-feature-tag", "imdp.registration.max-entries", "imdp.sip.workers",
            "imdp.sip.worker-queue", "imdp.sip.overload-retry-after", "imdp.sip.trusted-nodes", "imdp.sip.home-domains",
            "imdp.sip.registrar.credentials", "imdp.sip.registrar.realm",
            "imdp.sip.tls-port", "imdp.sip.max-connections", "imdp.sip.idle-timeout", "imdp.sip.max-message-size",
            "imdp.msrp.host", "imdp.msrp.port", "imdp.msrp.chunk-size", "imdp.msrp.window",
            "imdp.msrp.success-report", "imdp.msrp.cema", "imdp.msrp.tls",
            "imdp.msrp.max-unbound-connections", "imdp.msrp.unbound-max-bytes",
            "imdp.broker.url", "imdp.broker.embedded.host", "imdp.broker.embedded.port", "imdp.broker.user",
            "imdp.broker.password", "imdp.broker.intake-user", "imdp.broker.intake-password", "imdp.data-dir",
            "imdp.store.url", "imdp.store.user", "imdp.store.password", "imdp.store.pool-size", "imdp.store.scan-period",
            "imdp.store.expiry", "imdp.store.max-per-recipient", "imdp.store.max-message-size",
            "imdp.store.max-messages", "imdp.store.max-bytes", "imdp.store.max-recipients",
            "imdp.push.consumers", "imdp.push.retry-delay", "imdp.push.max-retries", "imdp.push.max-session-bytes", "imdp.push.max-message-failures",
            "imdp.queue.intake", "imdp.queue.availability", "imdp.queue.charging",
            "imdp.queue.charging-dlq", "imdp.queue.expired", "imdp.queue.refused", "imdp.charging.consumers",
            "imdp.queue.imdn-dlq", "imdp.imdn.redelivery-delay", "imdp.imdn.max-redeliveries",
            "imdp.ch1.peers", "imdp.ch1.origin-host", "imdp.ch1.origin-realm", "imdp.ch1.destination-realm",
            "imdp.ch1.service-context-id", "imdp.ch1.request-timeout", "imdp.ch1.watchdog-interval",
            "imdp.ch1.reconnect-delay-min", "imdp.ch1.reconnect-delay-max", "imdp.ch1.redelivery-delay",
            "imdp.ch1.max-redelivery-delay", "imdp.ch1.max-redeliveries", "imdp.ch1.tls",
            "imdp.tls.keystore", "imdp.tls.keystore-password", "imdp.tls.keystore-type", "imdp.tls.truststore",
            "imdp.tls.truststore-password", "imdp.tls.truststore-type", "imdp.tls.client-auth",
            "imdp.management.user", "imdp.management.password");

    /** Environment variables whose names start so are {@code imdp.*} keys: an unknown one fails the start. */
    static final String ENVIRONMENT_PREFIX = "IMDP_";

    private final PropertiesComponent properties;

    public ImdpSettings(PropertiesComponent properties) {
        this(properties, System.getProperties(), System.getenv());
    }

    /**
     * Reads the keys through {@code properties}; fails when the configuration files, the JVM's system properties
     * ({@code -D}) or the environment name an {@code imdp.*} key the service does not know. The service's sources are
     * {@link System#getProperties()} and {@link System#getenv()}.
     */
    public ImdpSettings(PropertiesComponent properties, Properties system, Map<String, String> environment) {
        this.properties = properties;
        Set<String> unknown = new TreeSet<>();
        Properties loaded = properties.loadProperties(k -> k.startsWith("imdp."));
        loaded.stringPropertyNames().stream().filter(k -> !KEYS.contains(k)).forEach(unknown::add);
        system.stringPropertyNames().stream().filter(k -> k.startsWith("imdp.") && !KEYS.contains(k))
                .map(k -> "-D" + k).forEach(unknown::add);
        Set<String> known = KEYS.stream().map(ImdpSettings::environmentName).collect(Collectors.toSet());
        environment.keySet().stream().filter(n -> n.startsWith(ENVIRONMENT_PREFIX) && !known.contains(n))
                .map(n -> "environment variable " + n).forEach(unknown::add);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("Unknown configuration key(s) " + unknown
                                               + ": see docs/configuration.md for the keys and their defaults");
        }
    }

    /**
     * The environment variable that sets {@code key}: the key in upper case with every {@code .} and {@code -} as
     * {@code _}, e.g. {@code IMDP_SIP_PORT} for {@code imdp.sip.port}, {@code CAMEL_MANAGEMENT_PORT} for
     * {@code camel.management.port}. It overrides {@code -D} and the configuration file.
     */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * The values the environment sets for {@code keys} (the service's own and those of its configuration file, Camel's
     * included), by key: what {@code ImdpApplication} sets as JVM system properties before Camel Main starts, so that
     * every key is set from the environment in the one way {@link #environmentName} says.
     */
    public static Map<String, String> fromEnvironment(Collection<String> keys, Map<String, String> environment) {
        Map<String, String> set = new TreeMap<>();
        for (String key : keys) {
            String value = environment.get(environmentName(key));
            if (value != null) {
                set.put(key, value);
            }
        }
        return set;
    }

    public String string(String key) {
        return properties.resolveProperty(key)
                .orElseThrow(() -> new IllegalArgumentException("Configuration key " + key + " is not set"))
                .trim();
    }

    public int positiveInt(String key, int max) {
        return integer(key, 1, max);
    }

    public int integer(String key, int min, int max) {
        String v = string(key);
        try {
            int i = Integer.parseInt(v);
            if (i < min || i > max) {
                throw new IllegalArgumentException("Configuration key " + key + " = " + v + " must be between " + min + " and " + max);
            }
            return i;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Configuration key " + key + " = " + v + " is not a number");
        }
    }

    /** A whole number from 1 to {@code max}, e.g. a count of octets past 2^31. */
    public long positiveLong(String key, long max) {
        String v = string(key);
        try {
            long l = Long.parseLong(v);
            if (l < 1 || l > max) {
                throw new IllegalArgumentException("Configuration key " + key + " = " + v + " must be between 1 and " + max);
            }
            return l;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Configuration key " + key + " = " + v + " is not a number");
        }
    }

    public boolean bool(String key) {
        String v = string(key);
        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("Configuration key " + key + " = " + v + " must be true or false");
        }
        return Boolean.parseBoolean(v);
    }

    public Duration duration(String key) {
        String v = string(key);
        try {
            Duration d = TimeUtils.toDuration(v);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("Configuration key " + key + " = " + v + " must be positive");
            }
            return d;
        } catch (RuntimeException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("Configuration key")) {
                throw e;
            }
            throw new IllegalArgumentException("Configuration key " + key + " = " + v
                                               + " is not a duration (e.g. 72h, 30m, 10s)");
        }
    }

    public String brokerUrl() {
        return string("imdp.broker.url");
    }

    public Path dataDir() {
        return Path.of(string("imdp.data-dir"));
    }
}
