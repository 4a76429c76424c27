package io.mongolb.sample;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.stream.Collectors;

import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The live view ({@code /}) in a real browser: Debian's headless {@code chromium}, driven
 * through {@code chromedriver} by Selenium, against the sample on the embedded default
 * with its traffic switched on from the page. The page shows both fronts' services;
 * stopping front 0 from the page marks its service stopped with a pool clear; starting it
 * shows its new serviceId serving commands; the browser logs no error.
 * <p>
 * Skipped with a reason without {@code /usr/bin/chromium} and
 * {@code /usr/bin/chromedriver} (packages {@code chromium} and {@code chromium-driver}),
 * failed under {@code CI=true} (whose {@code .ci/run} installs them). Selenium Manager
 * downloads nothing: both paths are given. Screenshots go to
 * {@code target/live-view-*.png}.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.address=127.0.0.1", "mongodb.load-balanced.embedded.enabled=true" })
// The test stops and starts fronts and runs traffic: no other test class may share this
// application.
@DirtiesContext
class LiveViewBrowserTests {

	private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final String PROBE = "mongolb-console-probe";

	@LocalServerPort
	int port;

	@Autowired
	EmbeddedLoadBalancedMongo mongo;

	@Autowired
	TrafficGenerator traffic;

	@TempDir
	Path profile;

	private ChromeDriverService service;

	private ChromeDriver driver;

	private WebDriverWait wait;

	private final List<LogEntry> errors = new ArrayList<>();

	@BeforeEach
	void startBrowser() throws IOException {
		requireChromium();
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toString());
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
				"--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
				"--user-data-dir=" + this.profile.toAbsolutePath(), "--window-size=1280,1400");
		LoggingPreferences logging = new LoggingPreferences();
		logging.enable(LogType.BROWSER, Level.ALL);
		options.setCapability(ChromeOptions.LOGGING_PREFS, logging);
		this.service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		this.driver = new ChromeDriver(this.service, options);
		this.wait = new WebDriverWait(this.driver, WAIT, Duration.ofMillis(100));
		this.wait.ignoring(StaleElementReferenceException.class);
	}

	@AfterEach
	void stopBrowser() {
		this.traffic.stop();
		if (this.driver != null) {
			this.driver.quit();
		}
		if (this.service != null) {
			this.service.stop();
		}
	}

	@Test
	void showsBothServicesAndAFrontStoppedAndStartedAgain() throws IOException {
		Set<String> serviceIds = new TreeSet<>();
		this.mongo.getServiceIds().forEach((id) -> serviceIds.add(id.toHexString()));
		this.driver.get("http://127.0.0.1:" + this.port + "/");
		this.wait.withMessage("the page read /actuator/info and shows the fronts")
			.until((d) -> "embedded".equals(d.findElement(By.tagName("body")).getDomAttribute("data-mode"))
					&& d.findElement(By.id("fronts-section")).isDisplayed()
					&& d.findElements(By.cssSelector("#fronts .front")).size() == 2);
		// The browser's log is read: a console error written now must be found in it.
		this.driver.executeScript("console.error(arguments[0])", PROBE);
		this.wait.withMessage("the probe in the browser log")
			.until((d) -> severe(d).stream().anyMatch((entry) -> entry.getMessage().contains(PROBE)));

		click(By.id("traffic-toggle"));
		this.wait.withMessage("traffic running")
			.until((d) -> "true".equals(d.findElement(By.id("traffic-toggle")).getDomAttribute("data-running")));
		this.wait.withMessage("both fronts' services shown as running, " + serviceIds)
			.until((d) -> servicesIn(d, "running").equals(serviceIds));
		this.wait.withMessage("the chart has drawn")
			.until((d) -> !d.findElements(By.cssSelector("#chart canvas")).isEmpty());

		String stopped = this.mongo.getServiceId(0).toHexString();
		click(By.cssSelector("#fronts .front[data-front='0'] button.stop"));
		this.wait.withMessage("front 0 shown stopped")
			.until((d) -> "false".equals(front(d, 0).getDomAttribute("data-running")));
		assertThat(this.mongo.isFrontRunning(0)).isFalse();
		this.wait.withMessage("the service of front 0 (" + stopped + ") shown stopped, with a pool clear")
			.until((d) -> servicesIn(d, "stopped").equals(Set.of(stopped)) && poolClears(d, stopped) >= 1);
		this.wait.withMessage("a POOL_CLEARED event listed for " + stopped)
			.until((d) -> d.findElements(By.cssSelector("#events tr.POOL_CLEARED"))
				.stream()
				.anyMatch((row) -> row.getText().contains(stopped)));
		screenshot("stopped");

		click(By.cssSelector("#fronts .front[data-front='0'] button.start"));
		String restarted = this.wait.withMessage("front 0 shown running with a new serviceId").until((d) -> {
			WebElement front = front(d, 0);
			String id = front.getDomAttribute("data-service-id");
			return ("true".equals(front.getDomAttribute("data-running")) && !stopped.equals(id)) ? id : null;
		});
		assertThat(ObjectId.isValid(restarted)).isTrue();
		assertThat(restarted).isEqualTo(this.mongo.getServiceId(0).toHexString());
		String other = this.mongo.getServiceId(1).toHexString();
		this.wait.withMessage("the new serviceId " + restarted + " serving commands, beside " + other)
			.until((d) -> servicesIn(d, "running").equals(Set.of(restarted, other)));
		this.wait.withMessage("the previous serviceId " + stopped + " shown replaced")
			.until((d) -> servicesIn(d, "replaced").equals(Set.of(stopped)));
		screenshot("restarted");

		List<String> consoleErrors = severe(this.driver).stream()
			.map(LogEntry::getMessage)
			.filter((message) -> !message.contains(PROBE))
			.toList();
		assertThat(consoleErrors).as("browser console errors").isEmpty();
	}

	private void click(By locator) {
		// The page renders again after each poll: find and click in one step.
		this.wait.withMessage("click " + locator).until((d) -> {
			WebElement element = d.findElement(locator);
			if (!element.isEnabled()) {
				return false;
			}
			element.click();
			return true;
		});
	}

	private static WebElement front(WebDriver driver, int index) {
		return driver.findElement(By.cssSelector("#fronts .front[data-front='" + index + "']"));
	}

	private static Set<String> servicesIn(WebDriver driver, String state) {
		return driver.findElements(By.cssSelector("#services .service[data-state='" + state + "']"))
			.stream()
			.map((card) -> card.getDomAttribute("data-service-id"))
			.collect(Collectors.toCollection(TreeSet::new));
	}

	private static long poolClears(WebDriver driver, String serviceId) {
		String text = driver
			.findElement(By.cssSelector("#services .service[data-service-id='" + serviceId + "'] dd.pool-clears"))
			.getText()
			.trim();
		return Long.parseLong(text);
	}

	/**
	 * The browser's errors so far: each read of the log drains it, so what was read is
	 * kept.
	 */
	private List<LogEntry> severe(WebDriver driver) {
		driver.manage()
			.logs()
			.get(LogType.BROWSER)
			.getAll()
			.stream()
			.filter((entry) -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
			.forEach(this.errors::add);
		return List.copyOf(this.errors);
	}

	private void screenshot(String name) throws IOException {
		File shot = this.driver.getScreenshotAs(OutputType.FILE);
		Path target = Path.of("target", "live-view-" + name + ".png");
		Files.createDirectories(target.getParent());
		Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
	}

	private static void requireChromium() {
		if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
			return;
		}
		String reason = CHROMIUM + " or " + CHROMEDRIVER + " is missing (install them, e.g. apt-get install "
				+ "chromium chromium-driver; .ci/run does)";
		// Required under CI=true (the project's CI installs them), or wherever
		// MONGOLB_REQUIRE_CHROMIUM=true; MONGOLB_REQUIRE_CHROMIUM=false lets a CI without
		// them skip this test instead.
		String required = System.getenv("MONGOLB_REQUIRE_CHROMIUM");
		if ("true".equals(required) || ("true".equals(System.getenv("CI")) && !"false".equals(required))) {
			fail(reason + ": under CI=true (or MONGOLB_REQUIRE_CHROMIUM=true) the browser test must run;"
					+ " set MONGOLB_REQUIRE_CHROMIUM=false to skip it");
		}
		Assumptions.abort(reason + ": skipping the live view's browser test");
	}

}
