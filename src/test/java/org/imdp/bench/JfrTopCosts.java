package org.imdp.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * The top CPU costs in a JFR recording: its {@code jdk.ExecutionSample} events (a Java thread seen running on
 * a CPU) counted by the library of the innermost frame, by the innermost frame that is not the JDK's (the
 * library that called into the JDK), by innermost method (self time), and by method outside the JDK with all it
 * calls (total time).
 * <p>
 * {@code java -cp target/test-classes org.imdp.bench.JfrTopCosts recording.jfr [begin end]} prints them for any recording
 * (begin and end as instants, e.g. {@code 2026-12-07T22:09:34Z}).
 */
public final class JfrTopCosts {

    private static final int TOP_FRAMES = 15;
    private static final int TOP_INCLUSIVE = 40;

    /** Package prefix to library, the first match wins. */
    private static final Map<String, String> LIBRARIES = new LinkedHashMap<>();

    static {
        LIBRARIES.put("org.imdp.", "org.imdp");
        LIBRARIES.put("org.apache.activemq.", "Artemis");
        LIBRARIES.put("org.apache.camel.", "Camel");
        LIBRARIES.put("io.netty.", "Netty");
        LIBRARIES.put("gov.nist.", "JAIN-SIP");
        LIBRARIES.put("javax.sip.", "JAIN-SIP");
        LIBRARIES.put("org.apache.logging.", "Log4j");
        LIBRARIES.put("org.slf4j.", "Log4j");
        LIBRARIES.put("io.micrometer.", "Micrometer");
        LIBRARIES.put("com.fasterxml.", "Jackson");
        LIBRARIES.put("org.jolokia.", "Jolokia");
        LIBRARIES.put("io.vertx.", "Vert.x");
        LIBRARIES.put("java.", "JDK");
        LIBRARIES.put("javax.", "JDK");
        LIBRARIES.put("jdk.", "JDK");
        LIBRARIES.put("sun.", "JDK");
        LIBRARIES.put("com.sun.", "JDK");
    }

    private final Map<String, Integer> byLibrary = new TreeMap<>();
    private final Map<String, Integer> byCallingLibrary = new TreeMap<>();
    private final Map<String, Integer> byFrame = new TreeMap<>();
    private final Map<String, Integer> inclusive = new TreeMap<>();
    private int samples;

    private JfrTopCosts() {
    }

    public static void main(String... args) throws IOException {
        System.out.print((args.length == 3 ? analyse(Path.of(args[0]), Instant.parse(args[1]), Instant.parse(args[2]))
                : analyse(Path.of(args[0]))).report());
    }

    /** Reads every execution sample of {@code recording}. */
    public static JfrTopCosts analyse(Path recording) throws IOException {
        return analyse(recording, Instant.MIN, Instant.MAX);
    }

    /**
     * Reads the execution samples of {@code recording} taken from {@code begin} to {@code end}: a recording cut out of a
     * longer one with {@code JFR.dump begin=... end=...} holds whole chunks, so samples from before and after too.
     */
    public static JfrTopCosts analyse(Path recording, Instant begin, Instant end) throws IOException {
        JfrTopCosts costs = new JfrTopCosts();
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents()) {
                RecordedEvent event = file.readEvent();
                if ("jdk.ExecutionSample".equals(event.getEventType().getName())
                        && !event.getStartTime().isBefore(begin) && !event.getStartTime().isAfter(end)) {
                    costs.add(event.getStackTrace());
                }
            }
        }
        return costs;
    }

    private void add(RecordedStackTrace stack) {
        if (stack == null || stack.getFrames().isEmpty()) {
            return;
        }
        samples++;
        List<RecordedFrame> frames = stack.getFrames();
        RecordedFrame top = frames.get(0);
        String topLibrary = library(top);
        byLibrary.merge(topLibrary, 1, Integer::sum);
        String caller = "JDK";
        for (RecordedFrame frame : frames) {
            String library = library(frame);
            if (!"JDK".equals(library)) {
                caller = library;
                break;
            }
        }
        byCallingLibrary.merge(caller, 1, Integer::sum);
        byFrame.merge(top.getMethod().getType().getName() + "." + top.getMethod().getName(), 1, Integer::sum);
        frames.stream().map(f -> f.getMethod().getType().getName() + "." + f.getMethod().getName())
                .filter(name -> !name.startsWith("java.") && !name.startsWith("jdk.")).distinct()
                .forEach(name -> inclusive.merge(name, 1, Integer::sum));
    }

    private static String library(RecordedFrame frame) {
        String type = frame.getMethod().getType().getName();
        for (Map.Entry<String, String> e : LIBRARIES.entrySet()) {
            if (type.startsWith(e.getKey())) {
                return e.getValue();
            }
        }
        return "other (" + type.replaceFirst("^(\\w+\\.\\w+).*", "$1") + ")";
    }

    /** Execution samples read. */
    public int samples() {
        return samples;
    }

    /** The three tables as text. */
    public String report() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%d execution samples%n", samples));
        table(out, "share of samples by library of the innermost frame", byLibrary, Integer.MAX_VALUE);
        table(out, "share of samples by innermost non-JDK library (JDK frames counted to their caller)",
                byCallingLibrary, Integer.MAX_VALUE);
        table(out, "top " + TOP_FRAMES + " innermost frames (self time)", byFrame, TOP_FRAMES);
        table(out, "top " + TOP_INCLUSIVE + " frames outside the JDK with their callees (total time)", inclusive,
                TOP_INCLUSIVE);
        return out.toString();
    }

    private void table(StringBuilder out, String title, Map<String, Integer> counts, int limit) {
        out.append(String.format("%n  %s:%n", title));
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(limit)
                .forEach(e -> out.append(String.format("    %5.1f %%  %6d  %s%n",
                        100.0 * e.getValue() / Math.max(1, samples), e.getValue(), e.getKey())));
    }
}
