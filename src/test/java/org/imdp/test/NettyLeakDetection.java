package org.imdp.test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import net.jqwik.api.lifecycle.AfterContainerHook;
import net.jqwik.api.lifecycle.BeforeContainerHook;
import net.jqwik.api.lifecycle.ContainerLifecycleContext;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Fails a test class when Netty reports a leaked buffer, as camel-netty's {@code BaseNettyTest} does: sets
 * PARANOID leak detection (every buffer tracked), captures the {@code LEAK:} errors that
 * {@link ResourceLeakDetector} logs, and after the class forces garbage collection and new allocations so
 * that buffers dropped without release are reported.
 * <p>
 * Jupiter classes use it with {@code @ExtendWith}, jqwik property classes (which do not run Jupiter
 * extensions) with {@code @AddLifecycleHook}.
 */
public final class NettyLeakDetection
        implements BeforeAllCallback, AfterAllCallback, BeforeContainerHook, AfterContainerHook {

    private static final String DETECTOR_LOGGER = ResourceLeakDetector.class.getName();
    private static final String APPENDER_NAME = "netty-leak-capture";
    private static final int GC_ROUNDS = 5;
    private static final long GC_PAUSE_MS = 100;

    private final List<String> leaks = new CopyOnWriteArrayList<>();
    private LeakAppender appender;

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        verify(context.getDisplayName());
    }

    @Override
    public void beforeContainer(ContainerLifecycleContext context) {
        start();
    }

    @Override
    public void afterContainer(ContainerLifecycleContext context) throws InterruptedException {
        verify(context.label());
    }

    private void start() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        appender = new LeakAppender();
        appender.start();
        LoggerContext loggers = LoggerContext.getContext(false);
        Configuration config = loggers.getConfiguration();
        config.addAppender(appender);
        config.getRootLogger().addAppender(appender, null, null);
        loggers.updateLoggers();
    }

    private void verify(String testClass) throws InterruptedException {
        try {
            for (int i = 0; i < GC_ROUNDS && leaks.isEmpty(); i++) {
                System.gc();
                TimeUnit.MILLISECONDS.sleep(GC_PAUSE_MS);
                // the detectors look for collected, unreleased buffers when the next buffer is allocated
                ByteBufAllocator.DEFAULT.buffer(1).release();
                UnpooledByteBufAllocator.DEFAULT.buffer(1).release();
            }
        } finally {
            LoggerContext loggers = LoggerContext.getContext(false);
            loggers.getConfiguration().getRootLogger().removeAppender(APPENDER_NAME);
            loggers.updateLoggers();
            appender.stop();
        }
        if (!leaks.isEmpty()) {
            fail(leaks.size() + " Netty buffer leak(s) in " + testClass + ":\n" + leaks.get(0));
        }
    }

    private final class LeakAppender extends AbstractAppender {

        LeakAppender() {
            super(APPENDER_NAME, null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            if (event.getLoggerName().startsWith(DETECTOR_LOGGER)) {
                leaks.add(event.getMessage().getFormattedMessage());
            }
        }
    }
}
