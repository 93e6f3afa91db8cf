package org.imdp.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The service's version: the Maven project version, written into {@code org/imdp/ops/build.properties} when the
 * resources are filtered. Logged at start, in health and in the metric {@code imdp_build_info}.
 */
public final class BuildVersion {

    private static final String RESOURCE = "build.properties";
    private static final String VERSION = read();

    private BuildVersion() {
    }

    /** e.g. {@code 0.1.0-SNAPSHOT}. */
    public static String version() {
        return VERSION;
    }

    private static String read() {
        try (InputStream in = BuildVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("org/imdp/ops/" + RESOURCE + " is missing from the class path");
            }
            Properties build = new Properties();
            build.load(in);
            String version = build.getProperty("version");
            if (version == null || version.isBlank() || version.startsWith("${")) {
                throw new IllegalStateException("org/imdp/ops/" + RESOURCE + " was not filtered: version = " + version);
            }
            return version;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
