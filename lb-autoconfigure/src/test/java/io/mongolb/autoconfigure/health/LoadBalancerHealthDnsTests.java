package io.mongolb.autoconfigure.health;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import com.mongodb.MongoConfigurationException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.internal.build.MongoDriverVersion;
import io.mongolb.autoconfigure.FakeDnsClientProvider;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code mongodbLoadBalancer} contributor names DNS failures as such, in a real
 * context with the real driver. A host name under {@code .invalid} (reserved, never
 * resolves) goes to this machine's real resolver. SRV and TXT look-ups cannot run here
 * (no DNS server to publish records on): they go to {@link FakeDnsClientProvider}, the
 * driver's own DNS SPI, so the driver's SRV monitor, its messages and its time-outs are
 * the real ones. Time-outs are kept short: the health timeout and
 * {@code serverSelectionTimeoutMS}/{@code connectTimeoutMS} in the URI.
 */
class LoadBalancerHealthDnsTests {

	private static final String SHORT_TIMEOUTS = "serverSelectionTimeoutMS=500&connectTimeoutMS=500";

	private static final String PASSWORD = "Sup3rS3cret";

	private static final String FAILED_SRV_LOOKUP = "Failed looking up SRV record for '";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MongoAutoConfiguration.class, LoadBalancedMongoAutoConfiguration.class,
				LoadBalancerHealthContributorAutoConfiguration.class, HealthContributorAutoConfiguration.class,
				HealthContributorRegistryAutoConfiguration.class))
		.withPropertyValues("mongodb.load-balanced.health.timeout=500ms");

	@Test
	void downNamingTheHostWhenTheBalancersHostNameDoesNotResolve() {
		this.runner
			.withPropertyValues("spring.mongodb.uri=mongodb://app:" + PASSWORD
					+ "@nohost.invalid:27017/?loadBalanced=true&authSource=admin&" + SHORT_TIMEOUTS)
			.run((context) -> {
				Health health = indicator(context).health();
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
				assertThat(health.getDetails()).containsEntry("loadBalancer", "nohost.invalid:27017")
					.containsEntry("cause",
							"The host name nohost.invalid does not resolve (unknown host): check the host name in"
									+ " the connection string for a typo, and that this machine's DNS server knows"
									+ " nohost.invalid.");
				// The driver's own words: the host name, from
				// java.net.UnknownHostException.
				assertThat((String) health.getDetails().get("error"))
					.startsWith("com.mongodb.MongoSocketException: nohost.invalid");
				assertThat(health.getDetails().toString()).doesNotContain(PASSWORD);
			});
	}

	@Test
	void downNamingTheHostWhenAClientBuiltWithoutTheStarterTimesOutOnAnUnknownHost() {
		// A MongoClient of the application's own, not load-balanced: its server selection
		// times out and the driver reports the UnknownHostException only inside the
		// message of that MongoTimeoutException.
		this.runner.withPropertyValues("spring.mongodb.uri=mongodb://nohost.invalid:27017/?loadBalanced=true")
			.withBean(MongoClient.class,
					() -> MongoClients.create("mongodb://app:" + PASSWORD + "@nohost.invalid:27017/?" + SHORT_TIMEOUTS))
			.run((context) -> {
				Health health = indicator(context).health();
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
				assertThat((String) health.getDetails().get("error"))
					.startsWith("com.mongodb.MongoOperationTimeoutException: Timed out while waiting for a server")
					.contains("java.net.UnknownHostException: nohost.invalid");
				assertThat((String) health.getDetails().get("cause"))
					.startsWith("The host name nohost.invalid does not resolve (unknown host)");
				assertThat(health.getDetails().toString()).doesNotContain(PASSWORD);
			});
	}

	@Test
	void downNamingTheSrvRecordWhenTheDnsServerDoesNotKnowIt() {
		// DNS is faked (no DNS server here): the SRV name is unknown (NXDOMAIN).
		FakeDnsClientProvider.publish("srvunknown.mongolb.test", null);
		FakeDnsClientProvider.notFound("SRV", "_mongodb._tcp.srvunknown.mongolb.test");
		assertDownNamingTheFailedSrvRecord("srvunknown.mongolb.test", FAILED_SRV_LOOKUP);
	}

	@Test
	void downNamingTheSrvRecordWhenTheDnsServerDoesNotAnswer() {
		// DNS is faked (no DNS server here): the look-up fails without a response code,
		// as the driver's JNDI client reports a time-out or an unreachable server.
		FakeDnsClientProvider.publish("srvnoanswer.mongolb.test", null);
		FakeDnsClientProvider.noAnswer("SRV", "_mongodb._tcp.srvnoanswer.mongolb.test");
		assertDownNamingTheFailedSrvRecord("srvnoanswer.mongolb.test", FAILED_SRV_LOOKUP);
	}

	@Test
	void downNamingTheSrvRecordWhenItHasNoTarget() {
		// DNS is faked (no DNS server here): the name exists with no SRV record.
		FakeDnsClientProvider.publish("srvempty.mongolb.test", null);
		// The driver's words differ: 5.8 wraps its "No SRV records available" in "Failed
		// looking up SRV record", 5.14 (the driver-compat run) does not; the starter's
		// cause is the same for both.
		String driverWords = driverVersion().startsWith("5.8.") ? FAILED_SRV_LOOKUP : "No SRV records available for '";
		assertDownNamingTheFailedSrvRecord("srvempty.mongolb.test", driverWords);
	}

	private static String driverVersion() {
		try {
			// Read at run time: VERSION is a constant, which javac would copy in here.
			return (String) MongoDriverVersion.class.getField("VERSION").get(null);
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void assertDownNamingTheFailedSrvRecord(String srvHost, String driverWords) {
		String record = "_mongodb._tcp." + srvHost;
		this.runner
			.withPropertyValues("spring.mongodb.uri=mongodb+srv://app:" + PASSWORD + "@" + srvHost
					+ "/?loadBalanced=true&" + SHORT_TIMEOUTS)
			.run((context) -> {
				// The driver looks SRV up lazily, in its own monitor thread: wait for the
				// look-up to have been asked, then the ping waits for its outcome.
				await().atMost(Duration.ofSeconds(10)).until(() -> FakeDnsClientProvider.lookups("SRV", record) > 0);
				Health health = indicator(context).health();
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
				assertThat(health.getDetails()).containsEntry("topologyType", "Unknown")
					.containsEntry("loadBalancer", srvHost + " (SRV)")
					.containsEntry("cause",
							"The DNS look-up of the SRV record " + record + " failed: check the host name of the"
									+ " mongodb+srv connection string for a typo, that this SRV record exists and"
									+ " points to the load balancer (a single target), and that this machine's DNS"
									+ " server answers.");
				// What reaches the indicator: a time-out that quotes the look-up error.
				assertThat((String) health.getDetails().get("error"))
					.startsWith("com.mongodb.MongoOperationTimeoutException: Timed out while waiting to resolve SRV"
							+ " records for " + srvHost + ".")
					.contains(driverWords + record + "'");
				assertThat(health.getDetails().toString()).doesNotContain(PASSWORD);
			});
	}

	@Test
	void downNamingTheSrvRecordWhenTheDnsServerIsSlowerThanTheHealthTimeout() throws Exception {
		// DNS is faked (no DNS server here): the SRV look-up has not answered when the
		// health timeout ends.
		String record = "_mongodb._tcp.srvslow.mongolb.test";
		FakeDnsClientProvider.publish("srvslow.mongolb.test", null);
		CountDownLatch release = FakeDnsClientProvider.stall("SRV", record);
		try {
			this.runner
				.withPropertyValues("spring.mongodb.uri=mongodb+srv://app:" + PASSWORD
						+ "@srvslow.mongolb.test/?loadBalanced=true&" + SHORT_TIMEOUTS)
				.run((context) -> {
					await().atMost(Duration.ofSeconds(10))
						.until(() -> FakeDnsClientProvider.lookups("SRV", record) > 0);
					Health health = indicator(context).health();
					assertThat(health.getStatus()).isEqualTo(Status.DOWN);
					assertThat(health.getDetails()).containsEntry("cause",
							"The DNS look-up of the SRV record " + record
									+ " did not complete in time: check that this machine's DNS server answers,"
									+ " and that the SRV record exists.");
					assertThat((String) health.getDetails().get("error"))
						.isEqualTo("com.mongodb.MongoOperationTimeoutException: Timed out while waiting to resolve SRV"
								+ " records for srvslow.mongolb.test.");
				});
		}
		finally {
			release.countDown();
		}
	}

	@Test
	void downNamingTheSrvTargetWhenItDoesNotResolve() {
		// DNS is faked for SRV (no DNS server here); the target's host name goes to this
		// machine's real resolver: .test is reserved and never resolves.
		FakeDnsClientProvider.publish("srvtarget.mongolb.test", null, "nolb.mongolb.test:27017");
		this.runner
			.withPropertyValues("spring.mongodb.uri=mongodb+srv://app:" + PASSWORD
					+ "@srvtarget.mongolb.test/?loadBalanced=true&" + SHORT_TIMEOUTS)
			.run((context) -> {
				// Wait until the driver's SRV monitor has the target.
				await().atMost(Duration.ofSeconds(10))
					.until(() -> context.getBean(MongoClient.class)
						.getClusterDescription()
						.getServerDescriptions()
						.stream()
						.anyMatch((server) -> server.getAddress().getHost().equals("nolb.mongolb.test")));
				Health health = indicator(context).health();
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
				assertThat(health.getDetails()).containsEntry("cause",
						"The host name nolb.mongolb.test does not resolve (unknown host): check the target of the"
								+ " SRV record _mongodb._tcp.srvtarget.mongolb.test for a typo, and that this"
								+ " machine's DNS server knows nolb.mongolb.test.");
				assertThat(health.getDetails().toString()).doesNotContain(PASSWORD);
			});
	}

	@Test
	void upOnceTheSrvRecordIsFixedWithoutARestart() {
		// DNS is faked (no DNS server here), SRV and the target's address alike: the
		// target name resolves to 127.0.0.1, where the embedded balancer listens (no TLS,
		// which mongodb+srv turns on by default).
		String record = "_mongodb._tcp.srvfixed.mongolb.test";
		FakeDnsClientProvider.publish("srvfixed.mongolb.test", null);
		FakeDnsClientProvider.notFound("SRV", record);
		MongoClientSettingsBuilderCustomizer fakeAddresses = (builder) -> builder.inetAddressResolver((host) -> {
			if (host.endsWith(".mongolb.test")) {
				return List.of(InetAddress.getLoopbackAddress());
			}
			throw new UnknownHostException(host);
		});
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(1).start()) {
			this.runner.withBean(MongoClientSettingsBuilderCustomizer.class, () -> fakeAddresses)
				.withPropertyValues(
						"spring.mongodb.uri=mongodb+srv://srvfixed.mongolb.test/?loadBalanced=true&tls=false&"
								+ SHORT_TIMEOUTS + "&heartbeatFrequencyMS=500")
				.run((context) -> {
					await().atMost(Duration.ofSeconds(10))
						.until(() -> FakeDnsClientProvider.lookups("SRV", record) > 0);
					HealthIndicator indicator = indicator(context);
					assertThat((String) indicator.health().getDetails().get("cause"))
						.startsWith("The DNS look-up of the SRV record " + record + " failed");
					FakeDnsClientProvider.publish("srvfixed.mongolb.test", null,
							"lb.mongolb.test:" + mongo.getBalancerPort());
					// The driver's SRV monitor looks again every heartbeatFrequencyMS.
					await().atMost(Duration.ofSeconds(20))
						.untilAsserted(() -> assertThat(indicator.health().getStatus()).isEqualTo(Status.UP));
					assertThat(indicator.health().getDetails()).containsEntry("topologyType", "LoadBalanced")
						.containsEntry("servicesSeen", 1)
						.doesNotContainKey("cause");
				});
		}
	}

	@Test
	void aFailedTxtLookupStopsTheStartNamingTheRecordSoHealthNeverSeesIt() {
		// DNS is faked (no DNS server here). The driver reads the TXT record when it
		// parses a mongodb+srv string, before any client exists.
		FakeDnsClientProvider.publish("txtfail.mongolb.test", null, "lb.mongolb.test:27017");
		FakeDnsClientProvider.noAnswer("TXT", "txtfail.mongolb.test");
		this.runner
			.withPropertyValues("spring.mongodb.uri=mongodb+srv://app:" + PASSWORD
					+ "@txtfail.mongolb.test/?loadBalanced=true&" + SHORT_TIMEOUTS)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause().hasMessage("DNS error");
				assertThat(context.getStartupFailure()).hasRootCauseInstanceOf(com.mongodb.spi.dns.DnsException.class);
				Throwable driverError = context.getStartupFailure();
				while (!(driverError instanceof MongoConfigurationException)) {
					driverError = driverError.getCause();
				}
				assertThat(driverError).hasMessage("Failed looking up TXT record for host txtfail.mongolb.test");
			});
	}

	@Test
	void aTxtNameTheDnsServerDoesNotKnowIsReadAsNoTxtRecord() {
		// DNS is faked (no DNS server here). NXDOMAIN for TXT means "no options" to the
		// driver: the start goes on and the SRV look-up decides.
		FakeDnsClientProvider.publish("txtunknown.mongolb.test", null);
		FakeDnsClientProvider.notFound("TXT", "txtunknown.mongolb.test");
		FakeDnsClientProvider.notFound("SRV", "_mongodb._tcp.txtunknown.mongolb.test");
		this.runner
			.withPropertyValues(
					"spring.mongodb.uri=mongodb+srv://txtunknown.mongolb.test/?loadBalanced=true&" + SHORT_TIMEOUTS)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(LoadBalancedMode.class).active()).isTrue();
				await().atMost(Duration.ofSeconds(10))
					.until(() -> FakeDnsClientProvider.lookups("SRV", "_mongodb._tcp.txtunknown.mongolb.test") > 0);
				Map<String, Object> details = indicator(context).health().getDetails();
				assertThat((String) details.get("cause"))
					.startsWith("The DNS look-up of the SRV record _mongodb._tcp.txtunknown.mongolb.test failed");
			});
	}

	private static HealthIndicator indicator(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		return (HealthIndicator) context.getBean(HealthContributorRegistry.class).getContributor("mongodbLoadBalancer");
	}

}
