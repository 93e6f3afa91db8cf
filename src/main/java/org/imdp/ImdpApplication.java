package org.imdp;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.main.Main;

/**
 * Starts the service: Camel Main reading {@code config/application.properties} and
 * {@code routes/*.xml} from the working directory, so operators change behaviour without rebuilding.
 */
public final class ImdpApplication {

    private static final Path LOG_CONFIG = Path.of("config", "log4j2.properties");

    private ImdpApplication() {
    }

    public static void main(String... args) throws Exception {
        // before the first logger exists: operators tune logging in config/, next to the routes
        if (System.getProperty("log4j2.configurationFile") == null && Files.isRegularFile(LOG_CONFIG)) {
            System.setProperty("log4j2.configurationFile", LOG_CONFIG.toString());
        }
        Main main = new Main(ImdpApplication.class);
        main.setPropertyPlaceholderLocations("file:config/application.properties");
        main.run(args);
    }
}
