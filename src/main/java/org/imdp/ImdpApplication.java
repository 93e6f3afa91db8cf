package org.imdp;

import org.apache.camel.main.Main;

/**
 * Starts the service: Camel Main reading {@code config/application.properties} and
 * {@code routes/*.xml} from the working directory, so operators change behaviour without rebuilding.
 */
public final class ImdpApplication {

    private ImdpApplication() {
    }

    public static void main(String... args) throws Exception {
        Main main = new Main(ImdpApplication.class);
        main.setPropertyPlaceholderLocations("file:config/application.properties");
        main.run(args);
    }
}
