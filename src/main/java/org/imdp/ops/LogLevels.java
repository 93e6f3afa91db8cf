package org.imdp.ops;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;

/**
 * The log levels of the running service (Log4j 2), read and changed at runtime: a change lasts until the next start,
 * which reads {@code config/log4j2.properties} again. The root logger is named {@value #ROOT}.
 */
final class LogLevels {

    static final String ROOT = "ROOT";
    private static final Pattern NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");

    /** A logger's level: the one configured for it ({@code null}: inherited) and the one in force. */
    record Logger(String name, String configuredLevel, String effectiveLevel) {
    }

    /** The loggers that have a level configured, by name, the root first. */
    Map<String, String> configured() {
        Map<String, String> answer = new TreeMap<>((a, b) -> a.equals(ROOT) ? (b.equals(ROOT) ? 0 : -1)
                : b.equals(ROOT) ? 1 : a.compareTo(b));
        for (LoggerConfig config : context().getConfiguration().getLoggers().values()) {
            if (config.getLevel() != null) {
                answer.put(config.getName().isEmpty() ? ROOT : config.getName(), config.getLevel().name());
            }
        }
        return answer;
    }

    /** One logger (any name: one not configured inherits its parent's level). */
    Logger get(String name) {
        String logger = checked(name);
        LoggerConfig config = context().getConfiguration().getLoggers().get(logger);
        String configured = config == null || config.getLevel() == null ? null : config.getLevel().name();
        return new Logger(name(logger), configured, context().getLogger(logger).getLevel().name());
    }

    /** Sets a logger's level, e.g. {@code DEBUG}; returns it as it is now. */
    Logger set(String name, String level) {
        String logger = checked(name);
        Level parsed = level == null ? null : Level.getLevel(level.trim().toUpperCase(Locale.ROOT));
        if (parsed == null) {
            throw new IllegalArgumentException("level: one of OFF, FATAL, ERROR, WARN, INFO, DEBUG, TRACE, ALL, got "
                                               + level);
        }
        if (logger.isEmpty()) {
            Configurator.setRootLevel(parsed);
        } else {
            Configurator.setLevel(logger, parsed);
        }
        return get(name);
    }

    private static String checked(String name) {
        if (name == null || !(name.equals(ROOT) || NAME.matcher(name).matches())) {
            throw new IllegalArgumentException("logger: a logger name such as org.imdp.sipmsrp, or " + ROOT + ", got "
                                               + name);
        }
        return name.equals(ROOT) ? LogManager.ROOT_LOGGER_NAME : name;
    }

    private static String name(String logger) {
        return logger.isEmpty() ? ROOT : logger;
    }

    private static LoggerContext context() {
        return (LoggerContext) LogManager.getContext(false);
    }
}
