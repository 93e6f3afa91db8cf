package org.imdp.broker;

import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import org.imdp.test.LogLines;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One WARN when the broker cannot be reached and one INFO when it can again, however many JMS consumers fail meanwhile;
 * nothing when a consumer fails while the broker can be reached. The broker is a connection factory that refuses
 * while the test says it is down (the JMS consumers' failures are what the listener containers report).
 */
class BrokerConnectionLogTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private volatile boolean down;
    private final AtomicInteger connectionsTried = new AtomicInteger();
    private LogLines capture;
    private List<String> lines;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private BrokerConnectionLog log;

    @BeforeEach
    void start() {
        capture = LogLines.capture(BrokerConnectionLog.class);
        lines = capture.lines();
        log = new BrokerConnectionLog(broker(), Duration.ofMillis(50), timer, Clock.systemUTC());
        log.start();
    }

    @AfterEach
    void stop() {
        log.stop();
        timer.shutdownNow();
        capture.close();
    }

    @Test
    void a_broker_away_is_one_warn_and_back_one_info_whatever_the_consumers_report_meanwhile() {
        down = true;
        for (int consumer = 0; consumer < 5; consumer++) {
            log.onException(new JMSException("consumer " + consumer + ": connection lost"));
        }
        await().atMost(WAIT).until(() -> lines.size() == 1 && connectionsTried.get() >= 3);
        for (int consumer = 0; consumer < 5; consumer++) {
            log.onException(new JMSException("consumer " + consumer + ": could not refresh the connection"));
        }

        down = false;
        await().atMost(WAIT).until(() -> lines.size() == 2);
        assertThat(lines.get(0)).startsWith("WARN The broker cannot be reached (consumer 0: connection lost; refused)");
        assertThat(lines.get(1)).startsWith("INFO The broker can be reached again")
                .contains("failed reconnections of the JMS consumers");

        // a consumer's late failure right after: the broker answers, so no second outage
        int tried = connectionsTried.get();
        log.onException(new JMSException("consumer 3: late failure"));
        await().atMost(WAIT).until(() -> connectionsTried.get() > tried);
        await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> lines.size() == 2);
    }

    /** Refuses every connection while {@link #down}; otherwise a connection that does nothing but close. */
    private ConnectionFactory broker() {
        Connection connection = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> null);
        return (ConnectionFactory) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ConnectionFactory.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("createConnection")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    connectionsTried.incrementAndGet();
                    if (down) {
                        throw new JMSException("refused");
                    }
                    return connection;
                });
    }
}
