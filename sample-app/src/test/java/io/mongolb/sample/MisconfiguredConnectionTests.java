package io.mongolb.sample;

import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * What a user sees when the sample is pointed at the wrong thing: each error message of
 * the README's troubleshooting section, produced by a real run of the application against
 * the embedded fronts (which answer as mongos does).
 */
@ExtendWith(OutputCaptureExtension.class)
class MisconfiguredConnectionTests {

	private static EmbeddedLoadBalancedMongo mongo;

	@BeforeAll
	static void startCluster() {
		mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).start();
	}

	@AfterAll
	static void stopCluster() {
		if (mongo != null) {
			mongo.close();
		}
	}

	@Test
	void normalPortInsteadOfLoadBalancerPort() {
		// mongos's main port ignores loadBalanced:true and sends no serviceId: the driver
		// refuses.
		String uri = "mongodb://127.0.0.1:" + mongo.getPort(0) + "/orders?loadBalanced=true";
		try (ConfigurableApplicationContext context = run(uri)) {
			HttpJson http = http(context);
			HttpJson.Reply health = http.get("/actuator/health/mongodbLoadBalancer");
			assertThat(health.status()).isEqualTo(503);
			JsonNode details = health.json().path("details");
			assertThat(details.path("error").asString()).isEqualTo("com.mongodb.MongoClientException: Driver attempted"
					+ " to initialize in load balancing mode, but the server does not support this mode");
			assertThat(details.path("cause").asString()).contains("it is not a mongos load-balancer port");
			assertThat(http.get("/api/orders").status()).isEqualTo(500);
		}
	}

	@Test
	void loadBalancerPortWithoutProxyHeader(CapturedOutput output) {
		// The driver connects straight to the load-balancer port: no balancer, so no
		// PROXY protocol header.
		String uri = "mongodb://127.0.0.1:" + mongo.getLoadBalancerPort(0) + "/orders?loadBalanced=true";
		try (ConfigurableApplicationContext context = run(uri)) {
			HttpJson http = http(context);
			HttpJson.Reply health = http.get("/actuator/health/mongodbLoadBalancer");
			assertThat(health.status()).isEqualTo(503);
			assertThat(health.json().path("status").asString()).isEqualTo("DOWN");
			// The front closes the connection, as mongos does; the driver sees the end of
			// the stream.
			JsonNode details = health.json().path("details");
			assertThat(details.path("error").asString())
				.isEqualTo("com.mongodb.MongoSocketReadException: Prematurely reached end of stream");
			assertThat(details.path("cause").asString()).contains("is the balancer sending a PROXY header");
			assertThat(output).contains("Initial Proxy Protocol header bytes invalid")
				.contains("Make sure your proxy is configured to emit a Proxy Protocol header");
		}
	}

	@Test
	void balancerWithoutLoadBalancedOption(CapturedOutput output) {
		// No loadBalanced=true: the starter stays out of the way, and mongos refuses the
		// ordinary handshake (354).
		String uri = "mongodb://127.0.0.1:" + mongo.getBalancerPort() + "/orders?serverSelectionTimeoutMS=5000";
		try (ConfigurableApplicationContext context = run(uri)) {
			assertThat(output).contains("NOT load-balanced");
			HttpJson http = http(context);
			HttpJson.Reply health = http.get("/actuator/health");
			assertThat(health.status()).isEqualTo(503);
			JsonNode root = health.json().path("components");
			assertThat(root.has("mongodbLoadBalancer")).isFalse();
			assertThat(root.path("mongo").path("details").path("error").asString())
				.contains("error 354 (LoadBalancerSupportMismatch): 'The server is being accessed"
						+ " through a load balancer, but this driver does not have load balancing enabled'");
			// Server selection times out: Spring Data says the resource failed, the API
			// says 503 with a fixed text.
			HttpJson.Reply orders = http.get("/api/orders");
			assertThat(orders.status()).isEqualTo(503);
			assertThat(orders.contentType()).startsWith("application/problem+json");
			assertThat(orders.json().path("detail").asString())
				.isEqualTo("The database is unavailable: see /actuator/health/mongodbLoadBalancer");
		}
	}

	@Test
	void twoHostsFailStartWithTheStartersReport(CapturedOutput output) {
		assertThatException().isThrownBy(
				() -> run("mongodb://mongos1.example.net:27017,mongos2.example.net:27017/orders?loadBalanced=true")
					.close());
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("The MongoDB connection is not valid for load-balanced mode.")
			.contains("2 hosts are listed, but a load-balanced connection names exactly one host: the load balancer.");
	}

	private static ConfigurableApplicationContext run(String uri) {
		return new SpringApplicationBuilder(SampleApplication.class).run("--server.port=0",
				"--server.address=127.0.0.1", "--spring.mongodb.uri=" + uri,
				// Long enough for a cold JVM on a busy machine to finish the handshake:
				// the failures come at once.
				"--mongodb.load-balanced.health.timeout=5s");
	}

	private static HttpJson http(ConfigurableApplicationContext context) {
		return new HttpJson(Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "-1")));
	}

}
