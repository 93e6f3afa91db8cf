package org.imdp.ops.hawtio;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.imdp.test.BrokerClient;
import org.imdp.test.TestPorts;
import org.imdp.test.peers.ExternalProcess;
import org.imdp.test.peers.KamailioMsrpPeer;
import org.imdp.test.peers.ServiceProcess;
import org.imdp.test.peers.Sipp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hawtio as an operator uses it, in Debian's chromium (driven by Debian's chromedriver): the packaged service with a
 * management password, {@code scripts/hawtio.sh} ({@link HawtioConsole}), a login in the preconfigured
 * connection's dialog, the flow's routes in the Camel tree, the push route's diagram and source, and after a real push
 * (SIPp and Kamailio's msrp module as bob's IM Client) the push MBean's {@code MessagesDelivered} and the store's
 * {@code StoredMessages}. Every request the
 * browser made must have stayed on this machine (no CDN). Screenshots: {@code target/hawtio-it/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HawtioIT {

    private static final String PASSWORD = "hawtio-it-secret";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path SCREENSHOTS = ExternalProcess.projectRoot().resolve("target/hawtio-it");
    /** The flow's routes (the admin API's are not part of it). */
    private static final List<String> FLOW_ROUTES = List.of("intake.xml", "availability.xml", "push.xml", "charging.xml",
            "imdn.xml");
    private static final Pattern ROUTE_ID = Pattern.compile("<route id=\"([^\"]+)\"");

    @TempDir
    static Path dataDir;
    @TempDir
    static Path browserProfile;

    private static int sipPort;
    private static KamailioMsrpPeer kamailio;
    private static ServiceProcess service;
    private static ExternalProcess hawtio;
    private static URI hawtioUrl;
    private static ChromeDriverService chromedriver;
    private static ChromeDriver browser;
    private static WebDriverWait await;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(SCREENSHOTS);
        sipPort = TestPorts.next();
        int managementPort = TestPorts.next();
        kamailio = KamailioMsrpPeer.start(TestPorts.next());
        service = ServiceProcess.builder()
                .property("imdp.sip.port", String.valueOf(sipPort))
                .property("imdp.msrp.port", String.valueOf(TestPorts.next()))
                .property("imdp.broker.embedded.port", String.valueOf(TestPorts.next()))
                .property("imdp.broker.password", BrokerClient.SERVICE_PASSWORD)
                .property("imdp.data-dir", dataDir.toString())
                .property("imdp.ch1.peers", "127.0.0.1:" + TestPorts.next())
                .property("camel.management.port", String.valueOf(managementPort))
                .environment("IMDP_MANAGEMENT_PASSWORD", PASSWORD)
                .start();
        Path target = ExternalProcess.projectRoot().resolve("target");
        // as an operator starts it (the launcher needs a JVM of its own: HawtioConsole)
        int hawtioPort = TestPorts.next();
        hawtio = ExternalProcess.start("hawtio", ExternalProcess.projectRoot(), List.of("/usr/bin/env",
                "CAMEL_MANAGEMENT_PORT=" + managementPort, "scripts/hawtio.sh", String.valueOf(hawtioPort)));
        hawtio.waitForLog(Pattern.compile("^Hawtio: http://127.0.0.1:" + hawtioPort + "/hawtio/", Pattern.MULTILINE), WAIT);
        hawtioUrl = URI.create("http://127.0.0.1:" + hawtioPort + "/hawtio/");

        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + browserProfile, "--window-size=1400,900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.PERFORMANCE, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        chromedriver = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().withLogFile(target.resolve("hawtio-it/chromedriver.log").toFile()).build();
        browser = new ChromeDriver(chromedriver, options);
        await = new WebDriverWait(browser, WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            try {
                if (chromedriver != null) {
                    chromedriver.stop();
                }
            } finally {
                try {
                    if (hawtio != null) {
                        hawtio.close();
                    }
                } finally {
                    if (service != null) {
                        service.close();
                    }
                    if (kamailio != null) {
                        kamailio.close();
                    }
                }
            }
        }
    }

    /** Every page the browser showed, and no request off this machine, after each step. */
    @AfterEach
    void screenshot_and_no_request_left_this_machine(TestInfo test) throws IOException {
        Files.write(SCREENSHOTS.resolve(test.getTestMethod().orElseThrow().getName() + ".png"),
                browser.getScreenshotAs(OutputType.BYTES));
        assertThat(requestedUrls()).isNotEmpty().allSatisfy(url -> assertThat(URI.create(url).getHost())
                .as("the browser requested %s", url).isIn("127.0.0.1", "localhost"));
    }

    /** The http(s) and ws(s) URLs the browser requested so far (chromium's performance log, drained at each call). */
    private static final List<String> REQUESTED = new ArrayList<>();

    private static List<String> requestedUrls() throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (LogEntry entry : browser.manage().logs().get(LogType.PERFORMANCE)) {
            JsonNode message = json.readTree(entry.getMessage()).path("message");
            String method = message.path("method").asText();
            String url = switch (method) {
                case "Network.requestWillBeSent" -> message.path("params").path("request").path("url").asText();
                case "Network.webSocketCreated" -> message.path("params").path("url").asText();
                default -> "";
            };
            if (url.matches("(?i)(https?|wss?)://.*")) {
                REQUESTED.add(url);
            }
        }
        return REQUESTED;
    }

    private static WebElement visible(By by) {
        return await.until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    /** The tree item under {@code scope} whose own node reads {@code text}, once it is shown. */
    private static WebElement treeItem(WebElement scope, String text) {
        return await.until(ExpectedConditions.visibilityOfNestedElementsLocatedBy(scope, By.xpath(
                ".//li[@role='treeitem'][./div//button[contains(@class,'pf-v5-c-tree-view__node-text') and normalize-space()='"
                        + text + "']]"))).get(0);
    }

    /** Opens the tree item {@link #treeItem} finds with its toggle, and returns it. */
    private static WebElement expand(WebElement scope, String text) {
        WebElement item = treeItem(scope, text);
        if (!"true".equals(item.getAttribute("aria-expanded"))) {
            item.findElement(By.xpath("./div//button[contains(@class,'pf-v5-c-tree-view__node-toggle')]")).click();
            await.until(ExpectedConditions.attributeToBe(item, "aria-expanded", "true"));
        }
        return item;
    }

    private static By treeNode(String text) {
        return By.xpath("//button[contains(@class,'pf-v5-c-tree-view__node-text') and normalize-space()='" + text + "']");
    }

    @Test
    @Order(1)
    void the_operator_logs_in_to_the_preconfigured_connection() {
        browser.get(hawtioUrl.toString());
        visible(By.xpath("//*[normalize-space()='Log in to " + HawtioConsole.CONNECTION + "']"));
        visible(By.id("connect-login-form-username")).sendKeys("admin");
        browser.findElement(By.id("connect-login-form-password")).sendKeys(PASSWORD);
        browser.findElement(By.xpath("//button[normalize-space()='Log in']")).click();
        // connected: the header names the connection and its user, and the Camel plugin found the service's context
        visible(By.xpath("//*[normalize-space()='" + HawtioConsole.CONNECTION + " (admin)']"));
        visible(treeNode("im-deferred-push"));
    }

    @Test
    @Order(2)
    void the_camel_tree_shows_every_route_of_the_flow_by_id() throws IOException {
        browser.get(hawtioUrl.resolve("camel/routes").toString());
        visible(treeNode("routes"));
        for (String routeId : flowRouteIds()) {
            await.until(ExpectedConditions.presenceOfElementLocated(treeNode(routeId)));
        }
        visible(By.xpath("//*[normalize-space()='push']"));
    }

    @Test
    @Order(3)
    void the_push_route_diagram_draws_the_ladder_in_order() {
        openPushRoute("Route Diagram");
        // steps 1-4, settle, step 5 and the ACR's hand-over (routes/push.xml), top to bottom
        List<Integer> nodes = Stream.of("To sipmsrp:push", "To direct:settle", "To sipmsrp:bye", "To seda:charge-af")
                .map(label -> Integer.valueOf(await.until(ExpectedConditions.presenceOfElementLocated(By.xpath(
                        "//div[contains(concat(' ', @class, ' '), ' react-flow__node ')][contains(normalize-space(),'" + label + "')]")))
                        .getAttribute("data-id")))
                .toList();
        assertThat(nodes).isSorted().doesNotHaveDuplicates();
    }

    @Test
    @Order(4)
    void the_push_route_source_loads_its_editor_from_hawtio_itself() {
        openPushRoute("Source");
        visible(By.cssSelector(".monaco-editor"));
        visible(By.xpath("//div[contains(@class,'view-lines')][contains(.,'id=\"push\"')]"));
    }

    private static void openPushRoute(String tab) {
        browser.get(hawtioUrl.resolve("camel/routes").toString());
        visible(treeNode("push")).click();
        visible(By.xpath("//button[normalize-space()='" + tab + "'] | //a[normalize-space()='" + tab + "']")).click();
    }

    @Test
    @Order(5)
    void the_push_and_store_mbeans_count_the_message_a_real_push_delivered() {
        String user = "bob";
        Sipp.scenario("uac-message.xml").remotePort(sipPort).service(user)
                .key("sender", "sip:alice@127.0.0.1").key("body", "seen in Hawtio").runClient().assertSucceeded();
        int clientPort = TestPorts.next();
        try (Sipp client = Sipp.scenario("uas-msrp.xml").localPort(clientPort)
                .key("msrp_port", String.valueOf(kamailio.port())).startServer()) {
            Sipp.scenario("uac-register.xml").remotePort(sipPort).service(user)
                    .set("contact", "sip:127.0.0.1:" + clientPort).runClient().assertSucceeded();
            service.waitForLog(Pattern.compile("Push to sip:bob@127.0.0.1 Call-ID \\S+: 1 sent, 1 acknowledged"), WAIT);
            assertThat(client.waitForExit(WAIT)).as(client.errors()).isZero();
        }

        browser.get(hawtioUrl.resolve("jmx/attributes").toString());
        WebElement domain = expand(browser.findElement(By.tagName("body")), "org.imdp");
        WebElement context = expand(domain, "im-deferred-push");
        // the attribute tables, read from the service through Jolokia: the push delivered the message, and the store
        // holds nothing any more
        treeItem(context, "push").findElement(By.xpath("./div//button[contains(@class,'pf-v5-c-tree-view__node-text')]"))
                .click();
        visible(By.xpath("//tr[td[normalize-space()='MessagesDelivered']]/td[normalize-space()='1']"));
        treeItem(context, "store").findElement(By.xpath("./div//button[contains(@class,'pf-v5-c-tree-view__node-text')]"))
                .click();
        visible(By.xpath("//tr[td[normalize-space()='StoredMessages']]/td[normalize-space()='0']"));
        visible(By.xpath("//tr[td[normalize-space()='Recipients']]/td[normalize-space()='0']"));
    }

    @Test
    @Order(6)
    void the_store_operations_name_their_parameters() {
        // still on the store MBean: its Operations tab, the operation opened, its parameter's name (not "p1")
        visible(By.xpath("//button[normalize-space()='Operations'] | //a[normalize-space()='Operations']")).click();
        String operation = "//li[contains(@class,'pf-v5-c-data-list__item')][contains(normalize-space(),'storedMessagesFor(String)')]";
        visible(By.xpath("(" + operation + "//button)[1]")).click();
        WebElement parameter = visible(By.xpath(operation + "//*[normalize-space()='recipient']"));
        browser.executeScript("arguments[0].scrollIntoView({block: 'center'})", parameter);
        assertThat(browser.findElements(By.xpath("//*[normalize-space()='p1']"))).isEmpty();
    }

    private static List<String> flowRouteIds() throws IOException {
        List<String> ids = new ArrayList<>();
        for (String file : FLOW_ROUTES) {
            Matcher m = ROUTE_ID.matcher(Files.readString(ExternalProcess.projectRoot().resolve("routes").resolve(file)));
            while (m.find()) {
                ids.add(m.group(1));
            }
        }
        assertThat(ids).contains("push", "intake-sip", "charging");
        return ids;
    }
}
