package org.imdp.bench;

import org.imdp.test.TestPorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.imdp.ch1.support.FreeDiameter;
import org.imdp.test.peers.ExternalProcess;
import org.imdp.test.peers.KamailioMsilo;
import org.imdp.test.peers.KamailioMsrpPeer;
import org.imdp.test.peers.ServiceProcess;
import org.imdp.test.peers.Sipp;

/**
 * The load benchmark against the incumbent ({@code scripts/bench/load.sh}): for each round, im-deferred-push
 * (the packaged jar, black box: SIP, -D keys, the metrics endpoint) and Kamailio 5.6 msilo on SQLite take the
 * same load on this machine, one after the other.
 * <ol>
 * <li>intake: SIPp sends recipients x messages MESSAGEs (every recipient offline) over UDP, a fixed number in
 * flight (closed loop); msg/s first to last 202, retransmissions from SIPp's statistics;</li>
 * <li>delivery: SIPp REGISTERs every recipient with a Contact at a SIPp UAS. Ours: the UAS answers each INVITE
 * with an MSRP SDP whose a=path is Kamailio's msrp module (200 to each SEND), freeDiameter test_acct is the
 * Charging Enabler. msilo: the UAS answers each dumped MESSAGE 200. msg/s first to last client 200 (from a
 * dumpcap capture), each message delivered exactly once and in order (the client side's own log), sessions/s
 * and one ACR/ACA per session (capture);</li>
 * <li>BYE to ACR (and ACA) latency per session, from the capture: the ACR's User-Session-Id is the Call-ID;</li>
 * <li>CPU time (utime + stime in /proc) of the system under test over each phase, and the service's heap after.</li>
 * </ol>
 * Prints medians over the rounds, ratios ours / msilo and a loss verdict; exits 1 when im-deferred-push lost,
 * duplicated or reordered a message, left one stored, or did not charge a session exactly once (the incumbent's
 * failures are reported, they do not fail the run). Every process it starts it stops, also on
 * Ctrl-C. Extra JVM options for the jar: environment variable {@code BENCH_JAVA_OPTS}.
 */
public final class LoadBenchmark {

    private static final String OURS = "im-deferred-push";
    private static final String MSILO = "msilo";
    private static final String WARMUP_MESSAGES = "warmup-messages.csv";
    private static final String WARMUP_USERS = "warmup-users.csv";
    /** A warm-up cycle whose JIT compiler threads took less than this share of the service's CPU ends the warm-up. */
    private static final double JIT_QUIET_SHARE = 0.05;
    private static final Pattern BENCH_BODY = Pattern.compile("bench u(\\d+) m(\\d+)");
    private static final Duration NO_PROGRESS = Duration.ofSeconds(60);
    private static final long TICKS_PER_SECOND = 100; // Linux USER_HZ, the unit of utime/stime in /proc

    /** Everything started and not yet stopped, stopped last-in first-out after each run and on exit. */
    private static final Deque<AutoCloseable> RUNNING = new ArrayDeque<>();
    /** Set by the shutdown hook (Ctrl-C): whatever the main thread starts from then on is stopped at once. */
    private static volatile boolean stopping;
    private static volatile boolean finished;

    private final int rounds;
    private final int recipients;
    private final int messagesPerRecipient;
    private final int inFlight;
    /** Recipients of the warm-up and their messages each, run before the measured phases and not measured. */
    private final int warmupRecipients;
    private final int warmupMessages;
    private final int warmupCycles;
    private final boolean profile;
    private final List<String> javaOptions;
    private final Path outDir;
    private final HttpClient http = HttpClient.newHttpClient();

    private LoadBenchmark(int rounds, int recipients, int messagesPerRecipient, int inFlight, int warmupRecipients,
                          int warmupMessages, int warmupCycles, boolean profile,
                          List<String> javaOptions, Path outDir) {
        this.rounds = rounds;
        this.recipients = recipients;
        this.messagesPerRecipient = messagesPerRecipient;
        this.inFlight = inFlight;
        this.warmupRecipients = warmupRecipients;
        this.warmupMessages = warmupMessages;
        this.warmupCycles = warmupCycles;
        this.profile = profile;
        this.javaOptions = javaOptions;
        this.outDir = outDir;
    }

    /** What one run of one system measured, and what went wrong in it. */
    private static final class Run {
        final String system;
        final Map<String, Double> figures = new LinkedHashMap<>();
        final List<String> losses = new ArrayList<>();
        final List<String> notes = new ArrayList<>();

        Run(String system) {
            this.system = system;
        }

        void put(String key, double value) {
            figures.put(key, value);
        }
    }

    public static void main(String... args) throws Exception {
        int rounds = 1;
        int recipients = 1000;
        int messages = 10;
        int inFlight = 10;
        int warmup = -1;
        int warmupMessages = -1;
        int warmupCycles = 10;
        boolean profile = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--recipients" -> recipients = Integer.parseInt(args[++i]);
                case "--messages" -> messages = Integer.parseInt(args[++i]);
                case "--in-flight" -> inFlight = Integer.parseInt(args[++i]);
                case "--profile" -> profile = true;
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--warmup-messages" -> warmupMessages = Integer.parseInt(args[++i]);
                case "--warmup-cycles" -> warmupCycles = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: load.sh [--rounds R] [--recipients N] [--messages M] [--in-flight F]"
                            + " [--warmup W] [--warmup-messages K] [--warmup-cycles C] [--profile]\n  defaults: 1 round,"
                            + " 1000 recipients x 10 messages, 10 in flight, a warm-up (not measured; --warmup 0: none) of at"
                            + " most 10 cycles of as many other recipients and messages as measured, until the JIT compiler"
                            + " is quiet");
                    System.exit(2);
                }
            }
        }
        // the warm-up has the shape of the measured load: sessions of 10 messages compile other code than sessions of 2
        warmup = warmup < 0 ? recipients : warmup;
        warmupMessages = warmupMessages < 0 ? messages : warmupMessages;
        String opts = System.getenv().getOrDefault("BENCH_JAVA_OPTS", "").strip();
        List<String> javaOptions = opts.isEmpty() ? List.of() : List.of(opts.split("\\s+"));
        Path outDir = ExternalProcess.projectRoot().resolve("target/bench")
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(outDir);
        System.setProperty("imdp.peers.output-dir", outDir.resolve("peers").toString());
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping = true;
            stopAll();
            if (!finished) {
                // the main thread may be starting a peer right now: let it reach started(), which stops it
                try {
                    main.join(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                stopAll();
            }
        }, "load-benchmark-cleanup"));
        int exit = new LoadBenchmark(rounds, recipients, messages, inFlight, warmup, warmupMessages, warmupCycles, profile,
                javaOptions, outDir).run();
        finished = true;
        System.exit(exit);
    }

    private int run() throws Exception {
        int total = recipients * messagesPerRecipient;
        say("load: %d recipients x %d messages = %d, %d in flight, %d round(s), warm-up %d recipients; jar JVM options: %s;"
            + " output in %s", recipients, messagesPerRecipient, total, inFlight, rounds, warmupRecipients,
                javaOptions.isEmpty() ? "(none)" : javaOptions, outDir);
        Path messagesFile = outDir.resolve("messages.csv");
        Path usersFile = outDir.resolve("users.csv");
        writeInjectionFiles(messagesFile, usersFile, "u", "bench", recipients, messagesPerRecipient);
        writeInjectionFiles(outDir.resolve(WARMUP_MESSAGES), outDir.resolve(WARMUP_USERS), "w", "warm", warmupRecipients,
                warmupMessages);
        List<Run> ours = new ArrayList<>();
        List<Run> msilo = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            int r = round;
            ours.add(guarded(OURS, () -> runOurs(r, profile && r == 1, messagesFile, usersFile)));
            msilo.add(guarded(MSILO, () -> runMsilo(r, messagesFile, usersFile)));
        }
        return report(ours, msilo);
    }

    private interface RunBody {
        Run run() throws Exception;
    }

    /** A run that fails (a peer that does not start, a signal from outside) counts as a loss; the others go on. */
    private static Run guarded(String system, RunBody body) {
        try {
            return body.run();
        } catch (Exception | AssertionError e) {
            if (stopping) {
                throw new IllegalStateException("the benchmark is being stopped", e);
            }
            say("%s: the run failed: %s", system, e.toString().lines().findFirst().orElse(""));
            Run failed = new Run(system);
            failed.losses.add("the run failed: " + e.toString().lines().findFirst().orElse("") + " (see the logs)");
            return failed;
        }
    }

    // round-robin over the recipients: with more recipients than in flight, two messages of one recipient are
    // never outstanding together, so each recipient's order is the order they were sent in
    // (the warm-up's recipients are w0, w1, ... and its bodies "warm wN mK": never counted as the measured ones)
    private static void writeInjectionFiles(Path messagesFile, Path usersFile, String user, String text, int users,
                                            int messages) throws IOException {
        StringBuilder m = new StringBuilder("SEQUENTIAL\n");
        for (int k = 0; k < messages; k++) {
            for (int u = 0; u < users; u++) {
                m.append(user).append(u).append(';').append(text).append(' ').append(user).append(u).append(" m").append(k)
                        .append('\n');
            }
        }
        Files.writeString(messagesFile, m);
        StringBuilder r = new StringBuilder("SEQUENTIAL\n");
        for (int u = 0; u < users; u++) {
            r.append(user).append(u).append('\n');
        }
        Files.writeString(usersFile, r);
    }

    // ---------------------------------------------------------------------------------------------- ours

    private Run runOurs(int round, boolean withProfile, Path messagesFile, Path usersFile) throws Exception {
        Run run = new Run(OURS);
        Path dir = Files.createDirectories(outDir.resolve("round-" + round + "-ours"));
        say("round %d, %s: starting freeDiameter and the jar", round, OURS);
        try {
            FreeDiameter chargingEnabler = new FreeDiameter("bench-" + round, "ocs.localdomain");
            // registered first: it runs in a session of its own, so a Ctrl-C on the terminal does not reach it
            started(chargingEnabler::stop);
            chargingEnabler.start();
            int sipPort = TestPorts.next();
            int msrpPort = TestPorts.next();
            int managementPort = TestPorts.next();
            ServiceProcess.Builder builder = ServiceProcess.builder()
                    .property("imdp.sip.port", String.valueOf(sipPort))
                    .property("imdp.msrp.port", String.valueOf(msrpPort))
                    .property("imdp.ch1.peers", "127.0.0.1:" + chargingEnabler.port())
                    .property("imdp.data-dir", dir.resolve("data").toString())
                    .property("imdp.broker.embedded.port", String.valueOf(TestPorts.next()))
                    .property("camel.management.port", String.valueOf(managementPort));
            javaOptions.forEach(builder::jvmOption);
            if (withProfile) {
                // recording from the start: a recording started later makes the JIT compile much of the code again (its
                // compiler threads then take half the CPU of the phase), so the phases are cut out of this one; Java
                // samples every 1 ms instead of the profile's 10 (about 7 times the samples for the same phase)
                builder.jvmOption("-XX:StartFlightRecording=name=loadbench,settings=profile,jdk.ExecutionSample#period=1ms,maxage=1h");
            }
            ServiceProcess service = started(builder.start());
            String metricsUrl = "http://127.0.0.1:" + managementPort + "/observe/metrics";
            awaitReady("http://127.0.0.1:" + managementPort + "/observe/health/ready");
            LongSupplier cpu = () -> cpuTicks(service.pid());

            int total = recipients * messagesPerRecipient;
            KamailioMsrpPeer clientMsrp = started(KamailioMsrpPeer.start(TestPorts.next()));
            int uasPort = TestPorts.next();
            Sipp clients = started(Sipp.scenario("uas-msrp.xml").localPort(uasPort)
                    .key("msrp_port", String.valueOf(clientMsrp.port())).set("answer_delay", "0").set("bye_delay", "0")
                    .calls(total + warmupCycles * warmupRecipients * warmupMessages)
                    .timeout(Duration.ofHours(1)).withoutMessageTrace().startServer());
            warmUp(run, service.pid(), sipPort, uasPort, dir, () -> count(clientMsrp.process().logText(), "warm w"));

            Path intakeJfr = dir.resolve("intake.jfr");
            Map<String, Double> intakeThreadCpu0 = threadCpuMillis(service.pid());
            Instant intakeBegin = Instant.now();
            intake(run, sipPort, cpu, messagesFile, dir, total, true);
            if (withProfile || round == 1) {
                run.notes.add("CPU of the intake phase by thread (jcmd Thread.print, names without numbers):\n"
                        + threadCpuReport(intakeThreadCpu0, threadCpuMillis(service.pid()), total));
            }
            if (withProfile) {
                Instant intakeEnd = jfrDump(service.pid(), intakeBegin, intakeJfr);
                JfrTopCosts costs = JfrTopCosts.analyse(intakeJfr, intakeBegin, intakeEnd);
                Files.writeString(dir.resolve("intake-profile.txt"), costs.report());
                run.notes.add("profile of the intake phase (" + intakeJfr + "):\n" + costs.report());
            }

            LoadCapture capture = started(LoadCapture.start(dir.resolve("delivery.pcapng"), sipPort, uasPort,
                    clientMsrp.port(), msrpPort, chargingEnabler.port())
                    .decodeAs("sip", "udp", sipPort, uasPort).decodeAs("msrp", "tcp", clientMsrp.port(), msrpPort)
                    .decodeAs("diameter", "tcp", chargingEnabler.port()));
            Path jfr = dir.resolve("delivery.jfr");
            Map<String, Double> threadCpu0 = threadCpuMillis(service.pid());
            Instant deliveryBegin = Instant.now();
            say("round %d, %s: delivery (REGISTER of %d recipients)", round, OURS, recipients);
            long cpu0 = cpu.getAsLong();
            long t0 = System.nanoTime();
            register(run, sipPort, uasPort, usersFile, recipients);
            awaitCount(() -> count(clientMsrp.process().logText(), "bench u"), total, "messages at the MSRP client");
            // then every session charged: the Charging Enabler has answered one ACR per INVITE the clients took
            // (read from the peers' logs, not from the service, so that waiting costs the service nothing)
            awaitCount(() -> chargingEnabler.count("'Accounting-Answer'") >= count(clients.scenarioLog(), "offer:") ? 1 : 0,
                    1, "an ACA for every push session");
            long cpuTicks = cpu.getAsLong() - cpu0;
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Double> threadCpu1 = threadCpuMillis(service.pid());
            Instant deliveryEnd = withProfile ? jfrDump(service.pid(), deliveryBegin, jfr) : Instant.now();
            if (withProfile || round == 1) {
                run.notes.add("CPU of the delivery phase by thread (jcmd Thread.print, names without numbers):\n"
                        + threadCpuReport(threadCpu0, threadCpu1, total));
            }
            capture.stop();
            cpu(run, "delivery", cpuTicks, seconds, total);
            // what the service keeps, not the garbage it has not collected yet
            String histogram = jcmd(service.pid(), "GC.class_histogram");
            String metrics = get(metricsUrl);
            run.put("heap", metric(metrics, "jvm_memory_used_bytes", "area=\"heap\"") / (1024 * 1024));
            if (round == 1) {
                run.notes.add("heap after a full GC, the largest classes (jcmd GC.class_histogram):\n"
                        + histogram.lines().limit(13).collect(Collectors.joining("\n")));
            }
            storedAfter(run, (long) metric(metrics, "imdp_store_messages", ""));

            checkDelivered(run, clientMsrp.received().stream().map(KamailioMsrpPeer.Frame::body).toList());
            analyseOursCapture(run, capture);
            String log = service.logText();
            long errors = log.lines().filter(l -> l.contains(" ERROR ")).count();
            long warnings = log.lines().filter(l -> l.contains(" WARN ")).count();
            if (errors + warnings > 0) {
                run.notes.add(errors + " ERROR and " + warnings + " WARN lines in " + service.log());
            }
            if (withProfile) {
                JfrTopCosts costs = JfrTopCosts.analyse(jfr, deliveryBegin, deliveryEnd);
                Files.writeString(dir.resolve("profile.txt"), costs.report());
                run.notes.add("profile of the delivery phase (" + jfr + "):\n" + costs.report());
            }
        } finally {
            stopAll();
        }
        return run;
    }

    private void analyseOursCapture(Run run, LoadCapture capture) throws Exception {
        Map<String, Double> invites = new HashMap<>();
        Map<String, Double> byes = new HashMap<>();
        for (String[] row : capture.read("sip.Method == \"INVITE\" || sip.Method == \"BYE\"",
                "frame.time_epoch", "sip.Method", "sip.Call-ID")) {
            (row[1].equals("INVITE") ? invites : byes).putIfAbsent(row[2], Double.parseDouble(row[0]));
        }
        // several Diameter messages may share a TCP segment: each field then lists one value per message
        Map<String, List<Double>> acrByCallId = new HashMap<>();
        Map<String, String> sessionIdByCallId = new HashMap<>();
        Map<String, Double> acaBySessionId = new HashMap<>();
        for (String[] row : capture.read("diameter.cmd.code == 271", "frame.time_epoch", "diameter.flags.request",
                "diameter.Session-Id", "diameter.User-Session-ID", "diameter.Result-Code")) {
            double t = Double.parseDouble(row[0]);
            String[] request = row[1].split(",");
            String[] sessionIds = row[2].split(",");
            String[] callIds = row[3].split(",", -1);
            String[] results = row[4].split(",", -1);
            int acr = 0;
            int aca = 0;
            for (int i = 0; i < request.length; i++) {
                if (request[i].equals("1") || request[i].equalsIgnoreCase("True")) {
                    String callId = callIds[acr++];
                    acrByCallId.computeIfAbsent(callId, k -> new ArrayList<>()).add(t);
                    sessionIdByCallId.put(callId, sessionIds[i]);
                } else if ("2001".equals(aca < results.length ? results[aca++] : "")) {
                    acaBySessionId.putIfAbsent(sessionIds[i], t);
                }
            }
        }
        List<Double> byeToAcr = new ArrayList<>();
        List<Double> byeToAca = new ArrayList<>();
        int uncharged = 0;
        int chargedTwice = 0;
        for (Map.Entry<String, Double> bye : byes.entrySet()) {
            List<Double> acrs = acrByCallId.getOrDefault(bye.getKey(), List.of());
            Double aca = acaBySessionId.get(sessionIdByCallId.get(bye.getKey()));
            if (acrs.isEmpty() || aca == null) {
                uncharged++;
                continue;
            }
            if (acrs.size() > 1) {
                chargedTwice++;
            }
            byeToAcr.add((acrs.get(0) - bye.getValue()) * 1000);
            byeToAca.add((aca - bye.getValue()) * 1000);
        }
        if (uncharged > 0) {
            run.losses.add(uncharged + " of " + byes.size() + " sessions without ACR/ACA 2001 on the wire");
        }
        if (chargedTwice > 0) {
            run.losses.add(chargedTwice + " sessions with more than one ACR");
        }
        if (byes.size() < invites.size()) {
            run.notes.add((invites.size() - byes.size()) + " INVITEs without a BYE");
        }
        run.put("sessions", byes.size());
        double firstInvite = invites.values().stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double lastBye = byes.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        run.put("sessions/s", byes.size() / Math.max(1e-3, lastBye - firstInvite));
        deliveryRate(run, capture.read("msrp.status.code == 200", "frame.time_epoch", "msrp.status.code"));
        sipRetransmissions(run, capture);
        latency(run, "bye-acr", byeToAcr);
        latency(run, "bye-aca", byeToAca);
    }

    // ---------------------------------------------------------------------------------------------- msilo

    private Run runMsilo(int round, Path messagesFile, Path usersFile) throws Exception {
        Run run = new Run(MSILO);
        Path dir = Files.createDirectories(outDir.resolve("round-" + round + "-msilo"));
        say("round %d, %s: starting Kamailio msilo (SQLite WAL, children=1, -m 1024)", round, MSILO);
        try {
            KamailioMsilo msilo = started(KamailioMsilo.start(TestPorts.next()));
            LongSupplier cpu = () -> cpuTicks(msilo.process().pid());
            int total = recipients * messagesPerRecipient;
            int uasPort = TestPorts.next();
            // no warm-up: msilo is native code, and a warm-up's extra rows made its SQLite writes fail ("database is
            // locked" in m_clean_silo), losing messages in the measured phase that it did not lose without one
            Sipp clients = started(Sipp.scenario("bench/uas-message-load.xml").localPort(uasPort).calls(2 * total)
                    .timeout(Duration.ofHours(1)).withoutMessageTrace().startServer());

            intake(run, msilo.port(), cpu, messagesFile, dir, total, true);

            LoadCapture capture = started(LoadCapture.start(dir.resolve("delivery.pcapng"), msilo.port(), uasPort)
                    .decodeAs("sip", "udp", msilo.port(), uasPort));
            say("round %d, %s: delivery (REGISTER of %d recipients)", round, MSILO, recipients);
            long cpu0 = cpu.getAsLong();
            long t0 = System.nanoTime();
            register(run, msilo.port(), uasPort, usersFile, recipients);
            awaitCount(() -> count(clients.scenarioLog(), "bench u"), total, "messages at the SIP clients");
            long cpuTicks = cpu.getAsLong() - cpu0;
            double seconds = (System.nanoTime() - t0) / 1e9;
            capture.stop();
            cpu(run, "delivery", cpuTicks, seconds, total);
            // msilo deletes a dumped message when its 200 comes back: give the last ones a moment
            awaitCount(() -> msilo.storedMessages() == 0 ? 1 : 0, 1, "msilo's table emptied");
            storedAfter(run, msilo.storedMessages());

            List<String> bodies = clients.scenarioLog().lines().filter(l -> l.contains("bench u"))
                    .map(l -> l.substring(l.indexOf(' ') + 1)).toList();
            checkDelivered(run, bodies);
            deliveryRate(run, capture.read("sip.Status-Code == 200 && sip.CSeq.method == \"MESSAGE\" && udp.srcport == "
                    + uasPort, "frame.time_epoch", "sip.Status-Code"));
            sipRetransmissions(run, capture);
            long errors = msilo.process().logText().lines().filter(l -> l.contains("ERROR")).count();
            if (errors > 0) {
                run.notes.add(errors + " ERROR lines in " + msilo.process().log());
            }
        } finally {
            stopAll();
        }
        return run;
    }

    // ---------------------------------------------------------------------------------------------- phases

    /**
     * Not measured, for the service only: cycles of intake and delivery of the warm-up's recipients, so that the
     * measured phases find the code compiled and the caches filled, as in a service that has run for a while. A JVM
     * runs cold code interpreted, then compiled with profiling, and compiles a method for good after some thousand
     * calls; on 2 cores its compiler threads took a third to a half of the service's CPU in phases measured after one
     * warm-up of 6,000 MESSAGEs and 3,000 sessions, and a steady intake of MESSAGEs alone kept compiling for about
     * 40 s. So the warm-up repeats until a cycle spends less than {@value #JIT_QUIET_SHARE} of the service's CPU in
     * the compiler threads, at most {@code warmupCycles} times, and the run notes each cycle's share.
     */
    private void warmUp(Run run, long pid, int port, int uasPort, Path dir, LongSupplier delivered) throws Exception {
        if (warmupRecipients == 0) {
            return;
        }
        int total = warmupRecipients * warmupMessages;
        Path warmupDir = Files.createDirectories(dir.resolve("warmup"));
        List<String> shares = new ArrayList<>();
        for (int cycle = 1; cycle <= warmupCycles; cycle++) {
            say("  warm-up cycle %d (not measured): %d MESSAGEs for %d other recipients, then their REGISTERs", cycle,
                    total, warmupRecipients);
            Map<String, Double> before = threadCpuMillis(pid);
            intake(new Run("warm-up"), port, () -> 0, outDir.resolve(WARMUP_MESSAGES),
                    Files.createDirectories(warmupDir.resolve("cycle-" + cycle)), total, false);
            register(new Run("warm-up"), port, uasPort, outDir.resolve(WARMUP_USERS), warmupRecipients);
            awaitCount(delivered, (long) cycle * total, "warm-up messages at the clients");
            Map<String, Double> after = threadCpuMillis(pid);
            double all = after.entrySet().stream().mapToDouble(e -> e.getValue() - before.getOrDefault(e.getKey(), 0.0)).sum();
            double jit = after.entrySet().stream().filter(e -> e.getKey().contains("CompilerThread"))
                    .mapToDouble(e -> e.getValue() - before.getOrDefault(e.getKey(), 0.0)).sum();
            shares.add(String.format("%.0f %%", 100 * jit / Math.max(1, all)));
            if (jit < JIT_QUIET_SHARE * all) {
                break;
            }
        }
        run.notes.add("warm-up: JIT compiler threads' share of the service's CPU per cycle: " + String.join(", ", shares));
    }

    /** The intake phase; {@code wire}: also capture it, for the server's share of the response time. */
    private void intake(Run run, int port, LongSupplier cpu, Path messagesFile, Path dir, int total, boolean wire)
            throws Exception {
        say("  intake: %d MESSAGEs, %d in flight", total, inFlight);
        Path stat = dir.resolve("intake-stat.csv");
        LoadCapture capture = wire
                ? started(LoadCapture.start(dir.resolve("intake.pcapng"), port).decodeAs("sip", "udp", port)) : null;
        long cpu0 = cpu.getAsLong();
        long t0 = System.nanoTime();
        Sipp sender = started(Sipp.scenario("bench/uac-message-load.xml").remotePort(port).calls(total)
                .timeout(Duration.ofSeconds(120 + total / 20)).withoutMessageTrace()
                .options("-inf", messagesFile.toString(), "-l", String.valueOf(inFlight), "-r", "100000",
                        "-trace_stat", "-stf", stat.toString(), "-fd", "3600")
                .startClient());
        sender.awaitClient();
        long cpuTicks = cpu.getAsLong() - cpu0;
        double seconds = (System.nanoTime() - t0) / 1e9;
        cpu(run, "intake", cpuTicks, seconds, total);
        if (capture != null) {
            capture.stop();
            serverResponseTime(run, capture, port);
        }
        // "<clock_tick ms> 202 bench uN mK" per answered MESSAGE
        long[] ticks = sender.scenarioLog().lines().filter(l -> l.contains(" 202 bench u"))
                .mapToLong(l -> Long.parseLong(l.substring(0, l.indexOf(' ')))).sorted().toArray();
        run.put("intake-202", ticks.length);
        run.put("intake/s", ticks.length < 2 ? 0 : (ticks.length - 1) * 1000.0 / Math.max(1, ticks[ticks.length - 1] - ticks[0]));
        Map<String, Long> stats = sippStatistics(stat);
        double rate = run.figures.get("intake/s");
        if (rate > 0) {
            // closed loop: each of the F in flight waits F / rate for its 202, as SIPp sees it
            run.put("intake-client-mean", inFlight * 1000.0 / rate);
        }
        run.put("intake-retrans", stats.getOrDefault("Retransmissions(C)", -1L));
        run.put("intake-failed", stats.getOrDefault("FailedCall(C)", -1L));
        if (ticks.length != total) {
            run.losses.add("intake: " + ticks.length + " of " + total + " MESSAGEs answered 202 (SIPp exit "
                    + sender.exitCode() + ", " + sender.process().log() + ")");
        }
        if (stats.getOrDefault("Retransmissions(C)", 0L) > 0) {
            run.notes.add("intake: " + stats.get("Retransmissions(C)") + " MESSAGE retransmissions (no 202 within 500 ms)");
        }
    }

    private void register(Run run, int port, int uasPort, Path usersFile, int users) throws Exception {
        Sipp registrar = started(Sipp.scenario("bench/uac-register-load.xml").remotePort(port).calls(users)
                .key("contact", "sip:127.0.0.1:" + uasPort).timeout(Duration.ofSeconds(120 + users / 20))
                .withoutMessageTrace()
                .options("-inf", usersFile.toString(), "-l", String.valueOf(inFlight), "-r", "100000")
                .startClient());
        registrar.awaitClient();
        if (registrar.exitCode() != 0) {
            run.notes.add("REGISTER: SIPp exited with " + registrar.exitCode() + " (" + registrar.process().log() + ")");
        }
    }

    /** Each "bench uN mK" exactly once, each recipient's K in order, to the right recipient. */
    private void checkDelivered(Run run, List<String> deliveredBodies) {
        Map<Integer, List<Integer>> byRecipient = new HashMap<>();
        int wrongRecipient = 0;
        for (String body : deliveredBodies) {
            Matcher m = BENCH_BODY.matcher(body);
            if (!m.find()) {
                continue;
            }
            int u = Integer.parseInt(m.group(1));
            byRecipient.computeIfAbsent(u, k -> new ArrayList<>()).add(Integer.parseInt(m.group(2)));
            if (!body.contains("sip:u" + u + "@")) {
                wrongRecipient++;
            }
        }
        int lost = 0;
        int duplicated = 0;
        int misordered = 0;
        for (int u = 0; u < recipients; u++) {
            List<Integer> got = byRecipient.getOrDefault(u, List.of());
            long distinct = got.stream().distinct().count();
            duplicated += got.size() - (int) distinct;
            lost += messagesPerRecipient - (int) distinct;
            List<Integer> firsts = got.stream().distinct().toList();
            for (int i = 1; i < firsts.size(); i++) {
                if (firsts.get(i) < firsts.get(i - 1)) {
                    misordered++;
                    break;
                }
            }
        }
        run.put("delivered", deliveredBodies.stream().filter(b -> BENCH_BODY.matcher(b).find()).count());
        run.put("lost", lost);
        run.put("duplicated", duplicated);
        run.put("misordered-recipients", misordered);
        if (lost > 0) {
            run.losses.add(lost + " messages never delivered");
        }
        if (duplicated > 0) {
            run.losses.add(duplicated + " messages delivered more than once");
        }
        if (misordered > 0) {
            run.losses.add(misordered + " recipients got their messages out of order");
        }
        if (wrongRecipient > 0) {
            run.losses.add(wrongRecipient + " messages delivered to another recipient");
        }
    }

    private static void storedAfter(Run run, long stored) {
        run.put("stored-after", stored);
        if (stored > 0) {
            run.losses.add(stored + " messages still stored after everything was delivered: they would go out again");
        }
    }

    /** SIP requests of the delivery phase seen again on the same hop (UDP ports, Call-ID, CSeq): retransmissions. */
    private static void sipRetransmissions(Run run, LoadCapture capture) throws Exception {
        Map<String, Integer> seen = new HashMap<>();
        Map<String, Integer> againByMethod = new java.util.TreeMap<>();
        for (String[] row : capture.read("sip.Method", "udp.srcport", "udp.dstport", "sip.Call-ID", "sip.CSeq", "sip.Method")) {
            if (seen.merge(String.join("|", row), 1, Integer::sum) > 1) {
                againByMethod.merge(row[4], 1, Integer::sum);
            }
        }
        int total = againByMethod.values().stream().mapToInt(Integer::intValue).sum();
        run.put("delivery-retrans", total);
        if (total > 0) {
            run.notes.add("delivery: SIP requests retransmitted " + againByMethod);
        }
    }

    /** msg/s from the first to the last client acknowledgement (MSRP 200 / SIP 200) in the capture. */
    private void deliveryRate(Run run, List<String[]> acknowledgements) {
        double first = Double.MAX_VALUE;
        double last = 0;
        for (String[] row : acknowledgements) {
            double t = Double.parseDouble(row[0]);
            first = Math.min(first, t);
            last = Math.max(last, t);
        }
        int total = recipients * messagesPerRecipient;
        run.put("delivery/s", acknowledgements.isEmpty() ? 0 : (total - 1) / Math.max(1e-3, last - first));
    }

    /**
     * How long the system under test took to answer each MESSAGE, on the wire (its first sending to the 202, from the
     * capture): the server's share of the time a MESSAGE waits for its 202; the rest is the client's loop and the
     * kernel's.
     */
    private static void serverResponseTime(Run run, LoadCapture capture, int port) throws Exception {
        Map<String, Double> sent = new HashMap<>();
        List<Double> millis = new ArrayList<>();
        for (String[] row : capture.read("sip.CSeq.method == \"MESSAGE\"", "frame.time_epoch", "udp.dstport",
                "sip.Call-ID", "sip.Status-Code")) {
            double t = Double.parseDouble(row[0]);
            if (row[3].isEmpty() && Integer.parseInt(row[1]) == port) {
                sent.putIfAbsent(row[2], t);
            } else if ("202".equals(row[3])) {
                Double at = sent.remove(row[2]);
                if (at != null) {
                    millis.add((t - at) * 1000);
                }
            }
        }
        latency(run, "intake-server", millis);
    }

    private static void latency(Run run, String key, List<Double> millis) {
        if (millis.isEmpty()) {
            return;
        }
        double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        run.put(key + "-mean", Arrays.stream(sorted).average().orElse(0));
        run.put(key + "-p50", percentile(sorted, 50));
        run.put(key + "-p99", percentile(sorted, 99));
        run.put(key + "-max", sorted[sorted.length - 1]);
    }

    private static double percentile(double[] sorted, double p) {
        return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)];
    }

    private static void cpu(Run run, String phase, long ticks, double seconds, int messages) {
        double cpuMillis = ticks * 1000.0 / TICKS_PER_SECOND;
        run.put(phase + "-cpu%", cpuMillis / 10 / seconds);
        run.put(phase + "-cpu-ms/msg", cpuMillis / messages);
    }

    // ---------------------------------------------------------------------------------------------- report

    private static final String[][] ROWS = {
        {"intake/s", "intake, msg/s (first to last 202)", "%.0f"},
        {"intake-retrans", "intake, MESSAGE retransmissions", "%.0f"},
        {"intake-client-mean", "intake, MESSAGE -> 202 at the client, mean ms", "%.2f"},
        {"intake-server-mean", "intake, MESSAGE -> 202 on the wire, mean ms", "%.2f"},
        {"intake-server-p50", "intake, MESSAGE -> 202 on the wire, p50 ms", "%.2f"},
        {"intake-server-p99", "intake, MESSAGE -> 202 on the wire, p99 ms", "%.2f"},
        {"intake-cpu%", "intake, CPU % of one core", "%.0f"},
        {"intake-cpu-ms/msg", "intake, CPU ms per message", "%.2f"},
        {"delivery/s", "delivery, msg/s (first to last client 200)", "%.0f"},
        {"sessions/s", "delivery, sessions/s (first INVITE to last BYE)", "%.0f"},
        {"delivery-retrans", "delivery, SIP request retransmissions", "%.0f"},
        {"delivery-cpu%", "delivery, CPU % of one core", "%.0f"},
        {"delivery-cpu-ms/msg", "delivery, CPU ms per message", "%.2f"},
        {"bye-acr-mean", "BYE -> ACR, mean ms", "%.1f"},
        {"bye-acr-p50", "BYE -> ACR, p50 ms", "%.1f"},
        {"bye-acr-p99", "BYE -> ACR, p99 ms", "%.1f"},
        {"bye-acr-max", "BYE -> ACR, max ms", "%.1f"},
        {"bye-aca-mean", "BYE -> ACA, mean ms", "%.1f"},
        {"bye-aca-p99", "BYE -> ACA, p99 ms", "%.1f"},
        {"heap", "heap used after the run and a full GC, MiB", "%.0f"},
        {"delivered", "messages delivered", "%.0f"},
        {"lost", "lost", "%.0f"},
        {"duplicated", "duplicated", "%.0f"},
        {"misordered-recipients", "recipients out of order", "%.0f"},
        {"stored-after", "still stored after the run", "%.0f"},
    };

    private int report(List<Run> ours, List<Run> msilo) {
        System.out.println();
        for (Run run : concat(ours, msilo)) {
            for (String note : run.notes) {
                say("%s: %s", run.system, note);
            }
        }
        System.out.printf("%nper round (msg/s intake, msg/s delivery, BYE -> ACR mean ms, CPU %% intake / delivery):%n");
        for (int i = 0; i < rounds; i++) {
            for (Run run : List.of(ours.get(i), msilo.get(i))) {
                Map<String, Double> f = run.figures;
                System.out.printf(Locale.ROOT, "  round %d %-17s %6.0f %6.0f %8s %5.0f / %.0f%n", i + 1, run.system,
                        f.getOrDefault("intake/s", 0.0), f.getOrDefault("delivery/s", 0.0),
                        format("%.0f", f.get("bye-acr-mean")), f.getOrDefault("intake-cpu%", 0.0),
                        f.getOrDefault("delivery-cpu%", 0.0));
            }
        }
        System.out.printf("%nmedians over %d round(s), %d recipients x %d messages, %d in flight%n", rounds,
                recipients, messagesPerRecipient, inFlight);
        System.out.printf("%-50s %14s %14s %10s%n", "", OURS, MSILO, "ours/msilo");
        for (String[] row : ROWS) {
            Double a = median(ours, row[0]);
            Double b = median(msilo, row[0]);
            if (a == null && b == null) {
                continue;
            }
            String ratio = a != null && b != null && b != 0 ? String.format(Locale.ROOT, "%.2f", a / b) : "";
            System.out.printf("%-50s %14s %14s %10s%n", row[1], format(row[2], a), format(row[2], b), ratio);
        }
        List<String> ourLosses = new ArrayList<>();
        List<String> incumbentLosses = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            String round = "round " + (i + 1) + ": ";
            ours.get(i).losses.forEach(l -> ourLosses.add(round + l));
            msilo.get(i).losses.forEach(l -> incumbentLosses.add(round + l));
        }
        System.out.println();
        if (ourLosses.isEmpty()) {
            System.out.println("VERDICT " + OURS + ": NO LOSS. Every message delivered exactly once, in order, nothing"
                    + " left stored, every session charged once (one ACR answered 2001), in every round.");
        } else {
            System.out.println("VERDICT " + OURS + ": LOSS");
            ourLosses.forEach(l -> System.out.println("  " + l));
        }
        if (incumbentLosses.isEmpty()) {
            System.out.println("incumbent " + MSILO + ": no loss, no duplicate, in order, nothing left stored.");
        } else {
            System.out.println("incumbent " + MSILO + " (reported, does not fail the run):");
            incumbentLosses.forEach(l -> System.out.println("  " + l));
        }
        return ourLosses.isEmpty() ? 0 : 1;
    }

    private static List<Run> concat(List<Run> a, List<Run> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }

    private static Double median(List<Run> runs, String key) {
        double[] values = runs.stream().map(r -> r.figures.get(key)).filter(v -> v != null).mapToDouble(Double::doubleValue)
                .sorted().toArray();
        if (values.length == 0) {
            return null;
        }
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    private static String format(String format, Double value) {
        return value == null ? "-" : String.format(Locale.ROOT, format, value);
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static synchronized <T extends AutoCloseable> T started(T resource) throws Exception {
        if (stopping) {
            resource.close();
            throw new IllegalStateException("the benchmark is being stopped");
        }
        RUNNING.push(resource);
        return resource;
    }

    private static synchronized void stopAll() {
        while (!RUNNING.isEmpty()) {
            try {
                RUNNING.pop().close();
            } catch (Exception e) {
                System.err.println("load benchmark: stopping failed: " + e);
            }
        }
    }

    /** Waits until {@code counter} reaches {@code target}; gives up after {@link #NO_PROGRESS} without progress. */
    private static void awaitCount(LongSupplier counter, long target, String what) {
        long last = -1;
        long lastChange = System.nanoTime();
        while (true) {
            long now = counter.getAsLong();
            if (now >= target || stopping) {
                return;
            }
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > NO_PROGRESS.toNanos()) {
                say("  gave up waiting for %s: %d of %d, no progress for %d s", what, now, target, NO_PROGRESS.toSeconds());
                return;
            }
            LoadCapture.pause(200);
        }
    }

    private void awaitReady(String url) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // the management server is starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            LoadCapture.pause(200);
        }
        throw new IllegalStateException("the service was not ready (" + url + ") within 60 s");
    }

    private String get(String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Sum of the Prometheus samples of {@code name} whose labels contain {@code labels}. */
    static double metric(String text, String name, String labels) {
        double sum = 0;
        for (String line : text.lines().toList()) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                int space = line.lastIndexOf(' ');
                if (line.substring(0, space).contains(labels)) {
                    sum += Double.parseDouble(line.substring(space + 1));
                }
            }
        }
        return sum;
    }

    private static long count(String text, String what) {
        long n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }

    /** utime + stime of the process and its children (Kamailio's workers), in clock ticks. */
    private static long cpuTicks(long pid) {
        return Stream.concat(Stream.of(pid), ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants)
                .map(ProcessHandle::pid)).mapToLong(LoadBenchmark::processTicks).sum();
    }

    private static long processTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // after "(comm)": state is field 3, utime 14, stime 15
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException gone) {
            return 0;
        }
    }

    private static Map<String, Long> sippStatistics(Path stat) {
        Map<String, Long> values = new HashMap<>();
        try {
            List<String> lines = Files.readAllLines(stat);
            String[] names = lines.get(0).split(";");
            String[] last = lines.get(lines.size() - 1).split(";");
            for (int i = 0; i < Math.min(names.length, last.length); i++) {
                if (last[i].matches("\\d+")) {
                    values.put(names[i], Long.parseLong(last[i]));
                }
            }
        } catch (IOException | IndexOutOfBoundsException e) {
            System.err.println("load benchmark: no SIPp statistics in " + stat + ": " + e);
        }
        return values;
    }

    /** CPU time of each live thread, by name with its numbers taken out (thread pools), in milliseconds. */
    private static Map<String, Double> threadCpuMillis(long pid) throws IOException, InterruptedException {
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("^\"(.*)\" .*cpu=([0-9.]+)ms");
        Map<String, Double> cpu = new java.util.TreeMap<>();
        for (String l : jcmd(pid, "Thread.print").split("\n")) {
            java.util.regex.Matcher m = line.matcher(l);
            if (m.find()) {
                cpu.merge(m.group(1).replaceAll("[0-9]+", "N"), Double.parseDouble(m.group(2)), Double::sum);
            }
        }
        return cpu;
    }

    private static String threadCpuReport(Map<String, Double> before, Map<String, Double> after, int messages) {
        double total = after.entrySet().stream().mapToDouble(e -> e.getValue() - before.getOrDefault(e.getKey(), 0.0)).sum();
        StringBuilder report = new StringBuilder(String.format("  %.0f ms in Java threads (%.3f ms per message)%n", total,
                total / messages));
        after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0.0)))
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(20)
                .forEach(e -> report.append(String.format("  %6.1f %%  %8.0f ms  %s%n", 100 * e.getValue() / total,
                        e.getValue(), e.getKey())));
        return report.toString();
    }

    /** The jar's recording from {@code begin} until now, into {@code file}; returns the end. */
    private static Instant jfrDump(long pid, Instant begin, Path file) throws IOException, InterruptedException {
        Instant end = Instant.now();
        jcmd(pid, "JFR.dump", "name=loadbench", "begin=" + begin, "end=" + end, "filename=" + file);
        return end;
    }

    private static String jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid)));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
        }
        return out;
    }

    private static void say(String format, Object... args) {
        System.out.printf("* " + format + "%n", args);
        System.out.flush();
    }
}
