package org.imdp.fault;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.imdp.cpim.CpimMessage;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.sipmsrp.msrp.MsrpTestPeer;

/**
 * The IM Client's side of the fault campaign's lossy link ({@code scripts/fault/netem.sh} runs it inside a network
 * namespace, behind a veth pair with loss and delay): stores {@code --messages} messages for each of
 * {@code --recipients} recipients over SIP, registers them all, and waits until every message whose MESSAGE got 202
 * arrived over MSRP (or {@code --timeout} seconds passed). Prints what it measured on one line and exits 1 when a
 * message was lost or came twice with different imdn.Message-IDs (an unmarked duplicate).
 * <p>
 * Usage: {@code LossyLinkPush --server HOST:PORT --local HOST [--recipients N] [--messages M] [--timeout S]}
 */
public final class LossyLinkPush {

    private static final Duration QUIET = Duration.ofSeconds(45);

    private LossyLinkPush() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>(Map.of("--recipients", "50", "--messages", "4", "--timeout", "300"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        String[] server = options.get("--server").split(":");
        String local = options.get("--local");
        int recipients = Integer.parseInt(options.get("--recipients"));
        int messages = Integer.parseInt(options.get("--messages"));
        long timeoutMillis = TimeUnit.SECONDS.toMillis(Long.parseLong(options.get("--timeout")));

        int exit;
        try (SipTestClient client = SipTestClient.start(server[0], Integer.parseInt(server[1]), local);
             MsrpTestPeer msrp = new MsrpTestPeer(local).start(0)) {
            client.answerWithMsrp(msrp.path(), "passive");
            Set<String> accepted = new HashSet<>();
            int intakeFailures = 0;
            long intakeStart = System.nanoTime();
            for (int r = 0; r < recipients; r++) {
                for (int m = 1; m <= messages; m++) {
                    String text = String.format("r%03d m%d", r, m);
                    try {
                        int status = client.sendMessage("sip:alice@" + local, recipient(r, local), "text/plain",
                                text.getBytes(StandardCharsets.UTF_8));
                        if (status == 202) {
                            accepted.add(text);
                        } else {
                            System.err.println("MESSAGE " + text + ": " + status);
                            intakeFailures++;
                        }
                    } catch (Exception e) {
                        // no final answer through the lossy link: the message may or may not be stored
                        System.err.println("MESSAGE " + text + ": " + e);
                        intakeFailures++;
                    }
                }
            }
            long intakeMillis = (System.nanoTime() - intakeStart) / 1_000_000;

            long pushStart = System.nanoTime();
            int registerFailures = 0;
            for (int r = 0; r < recipients; r++) {
                if (!register(client, recipient(r, local))) {
                    registerFailures++;
                }
            }
            long lastDelivery = awaitDelivered(msrp, accepted, pushStart, timeoutMillis);
            // a push the client's side ended (a 4xx to the INVITE) waits for the recipient's next registration
            Set<String> afterFirst = delivered(msrp);
            long missing = accepted.stream().filter(t -> !afterFirst.contains(t)).count();
            if (missing > 0) {
                for (int r = 0; r < recipients; r++) {
                    register(client, recipient(r, local));
                }
                lastDelivery = awaitDelivered(msrp, accepted, lastDelivery, timeoutMillis);
            }
            List<String[]> got = received(msrp);
            Map<String, Set<String>> idsByText = new HashMap<>();
            got.forEach(g -> idsByText.computeIfAbsent(g[0], t -> new HashSet<>()).add(g[1]));
            Set<String> delivered = idsByText.keySet();
            long lost = accepted.stream().filter(t -> !delivered.contains(t)).count();
            long duplicates = got.size() - delivered.size();
            long unmarked = idsByText.values().stream().filter(ids -> ids.size() > 1).count();
            long storedWithout202 = delivered.stream().filter(t -> !accepted.contains(t)).count();
            System.out.printf("LOSSY LINK %d recipients x %d messages: intake %d x 202, %d without a final answer (%d ms);"
                            + " %d REGISTERs without 200; push: %d delivered, %d lost, %d duplicates (%d unmarked),"
                            + " %d stored without a 202 seen; %d missing after the first REGISTER, delivered on the second;"
                            + " %d ms from the first REGISTER to the last delivery%n",
                    recipients, messages, accepted.size(), intakeFailures, intakeMillis, registerFailures,
                    delivered.size(), lost, duplicates, unmarked, storedWithout202, missing,
                    (lastDelivery - pushStart) / 1_000_000);
            exit = lost == 0 && unmarked == 0 ? 0 : 1;
        }
        System.exit(exit);
    }

    /**
     * Polls until every accepted text arrived, nothing arrived for {@link #QUIET} (longer than SIP's Timer B, so that a
     * push still trying its INVITE is not cut short) or the timeout passed; the time of the last arrival seen.
     */
    private static long awaitDelivered(MsrpTestPeer msrp, Set<String> accepted, long since, long timeoutMillis)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long lastDelivery = since;
        int seen = received(msrp).size();
        while (System.nanoTime() < deadline && !delivered(msrp).containsAll(accepted)
               && System.nanoTime() - lastDelivery < QUIET.toNanos()) {
            TimeUnit.MILLISECONDS.sleep(100);
            int now = received(msrp).size();
            if (now != seen) {
                seen = now;
                lastDelivery = System.nanoTime();
            }
        }
        return lastDelivery;
    }

    private static String recipient(int r, String host) {
        return String.format("sip:r%03d@%s", r, host);
    }

    /** A REGISTER through the lossy link, tried a second time when it got no 200. */
    private static boolean register(SipTestClient client, String aor) {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                if (client.register(aor, 600).getStatusCode() == 200) {
                    return true;
                }
            } catch (Exception e) {
                // lost both ways for its whole transaction: try once more
                System.err.println("REGISTER " + aor + ": " + e);
            }
        }
        return false;
    }

    /** Text and imdn.Message-ID of every message chunk received, in order. */
    private static List<String[]> received(MsrpTestPeer msrp) {
        List<String[]> got = new ArrayList<>();
        for (MsrpTestPeer.Received f : msrp.frames()) {
            if (f.body().length > 0) {
                CpimMessage cpim = CpimMessage.parse(f.body());
                got.add(new String[] {new String(cpim.body(), StandardCharsets.UTF_8), cpim.header(CpimMessage.IMDN_MESSAGE_ID)});
            }
        }
        return got;
    }

    private static Set<String> delivered(MsrpTestPeer msrp) {
        Set<String> texts = new HashSet<>();
        received(msrp).forEach(g -> texts.add(g[0]));
        return texts;
    }
}
