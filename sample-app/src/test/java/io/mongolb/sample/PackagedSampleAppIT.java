package io.mongolb.sample;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged sample app started as a user starts it ({@code java -jar}, after
 * {@code package}): on the embedded default, and pointed through
 * {@code SPRING_MONGODB_URI} at a cluster with a password in its connection string.
 */
class PackagedSampleAppIT {

	// Reserved characters on purpose: the URI carries it percent-encoded, and neither
	// form may show anywhere.
	private static final String PASSWORD = "p@ss:w/rd%Zq9";

	private static final String ENCODED_PASSWORD = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);

	@TempDir
	Path directory;

	@Test
	void embeddedDefaultServesTheOrdersApiAndReportsBothServices() {
		try (SampleAppProcess app = SampleAppProcess.start(this.directory, Map.of())) {
			HttpJson http = new HttpJson(app.port());

			JsonNode info = http.get("/actuator/info").json().path("mongodb");
			assertThat(info.path("mode").asString()).isEqualTo("embedded");
			assertThat(info.path("loadBalanced").asBoolean()).isTrue();
			String loadBalancer = info.path("loadBalancer").asString();
			assertThat(loadBalancer).matches("127\\.0\\.0\\.1:\\d+");
			Set<String> serviceIds = new TreeSet<>();
			info.path("serviceIds").values().forEach((id) -> serviceIds.add(id.asString()));
			assertThat(serviceIds).hasSize(2);

			// The start-up line: mode, LoadBalancer address, the fronts' serviceIds.
			String output = app.output();
			assertThat(output).containsPattern("mongolb sample ready on http://localhost:" + app.port()
					+ "/api/orders; mode: embedded \\(2 mongos-like fronts behind the in-process PROXY v2 balancer\\), "
					+ "LoadBalancer " + loadBalancer.replace(".", "\\.") + ", serviceIds [0-9a-f]{24}, [0-9a-f]{24}");
			serviceIds.forEach((id) -> assertThat(output).contains(id));

			// Round trip: create, read, list, delete.
			HttpJson.Reply created = http.post("/api/orders",
					"{\"customer\":\"ada\",\"item\":\"book\",\"quantity\":2}");
			assertThat(created.status()).as(created.toString()).isEqualTo(201);
			assertThat(created.serviceIds()).isIn(serviceIds);
			String id = created.json().path("id").asString();
			HttpJson.Reply read = http.get("/api/orders/" + id);
			assertThat(read.status()).isEqualTo(200);
			assertThat(read.json().path("customer").asString()).isEqualTo("ada");
			JsonNode list = http.get("/api/orders").json();
			assertThat(list.path("totalElements").asLong()).isEqualTo(1);
			assertThat(list.path("content").path(0).path("id").asString()).isEqualTo(id);
			assertThat(http.delete("/api/orders/" + id).status()).isEqualTo(204);
			assertThat(http.get("/api/orders/" + id).status()).isEqualTo(404);
			assertThat(http.get("/api/orders").json().path("totalElements").asLong()).isZero();

			// Concurrent requests open several pooled connections; the balancer spreads
			// them over both fronts.
			await().atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> http.burst("/api/orders", 16).size() == 2);
			HttpJson.Reply health = http.get("/actuator/health");
			assertThat(health.status()).as(health.toString()).isEqualTo(200);
			JsonNode root = health.json();
			assertThat(root.path("status").asString()).isEqualTo("UP");
			JsonNode lb = root.path("components").path("mongodbLoadBalancer");
			assertThat(lb.path("status").asString()).isEqualTo("UP");
			assertThat(lb.path("details").path("topologyType").asString()).isEqualTo("LoadBalanced");
			assertThat(lb.path("details").path("serverType").asString()).isEqualTo("LoadBalancer");
			assertThat(lb.path("details").path("loadBalancer").asString()).isEqualTo(loadBalancer);
			assertThat(lb.path("details").path("servicesSeen").asInt()).isEqualTo(2);
			Set<String> healthServiceIds = new TreeSet<>();
			lb.path("details")
				.path("services")
				.values()
				.forEach((service) -> healthServiceIds.add(service.path("serviceId").asString()));
			assertThat(healthServiceIds).isEqualTo(serviceIds);

			// The starter's mongodblb endpoint: one client, both fronts' serviceIds.
			HttpJson.Reply endpoint = http.get("/actuator/mongodblb");
			assertThat(endpoint.status()).as(endpoint.toString()).isEqualTo(200);
			JsonNode clients = endpoint.json().path("clients");
			assertThat(clients.properties()).hasSize(1);
			JsonNode client = clients.values().iterator().next();
			assertThat(client.path("loadBalanced").asBoolean()).isTrue();
			assertThat(client.path("topologyType").asString()).isEqualTo("LoadBalanced");
			assertThat(client.path("loadBalancer").asString()).isEqualTo(loadBalancer);
			Set<String> endpointServiceIds = new TreeSet<>();
			client.path("services")
				.values()
				.forEach((service) -> endpointServiceIds.add(service.path("serviceId").asString()));
			assertThat(endpointServiceIds).isEqualTo(serviceIds);
			assertThat(client.path("applicationEvents").path("dropped").asLong()).isZero();
			String oneService = serviceIds.iterator().next();
			assertThat(http.get("/actuator/mongodblb/" + oneService).status()).isEqualTo(200);
			assertThat(http.get("/actuator/mongodblb/" + "0".repeat(24)).status()).isEqualTo(404);

			assertThat(http.get("/actuator/metrics").json().path("names").values()).extracting(JsonNode::asString)
				.contains("mongodb.driver.commands", "http.server.requests", "mongodb.lb.commands",
						"mongodb.lb.connections", "mongodb.lb.services");
			// The starter's meters, one series per mongos behind the balancer.
			for (String serviceId : serviceIds) {
				HttpJson.Reply commands = http.get("/actuator/metrics/mongodb.lb.commands?tag=service.id:" + serviceId);
				assertThat(commands.status()).as(commands.toString()).isEqualTo(200);
				JsonNode count = commands.json().path("measurements").path(0);
				assertThat(count.path("statistic").asString()).isEqualTo("COUNT");
				assertThat(count.path("value").asDouble()).as(serviceId).isPositive();
			}
			assertThat(http.get("/actuator/env").status()).isEqualTo(404);

			// The live view and its chart library (a WebJar) are in the repackaged jar.
			assertThat(http.get("/").body()).contains("mongolb live view");
			HttpJson.Reply uplot = http.get("/webjars/uplot/dist/uPlot.iife.min.js");
			assertThat(uplot.status()).as("GET the WebJar's uPlot").isEqualTo(200);
			assertThat(http.get("/api/fronts").json().path("fronts").values()).hasSize(2);

			assertThat(app.stop()).as("exit code after SIGTERM").isIn(0, 143);
			assertThat(app.output()).contains("Front 0 stopped", "Front 1 stopped");
		}
	}

	@Test
	void aPasswordInTheConnectionStringNeverShows() {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).start()) {
			String address = "127.0.0.1:" + mongo.getBalancerPort();
			String uri = "mongodb://app:" + ENCODED_PASSWORD + "@" + address + "/orders?loadBalanced=true";
			try (SampleAppProcess app = SampleAppProcess.start(this.directory, Map.of("SPRING_MONGODB_URI", uri))) {
				HttpJson http = new HttpJson(app.port());
				// The embedded store has no authentication, so requests that reach
				// MongoDB fail: what matters is that no answer and no log line shows the
				// password.
				http.post("/api/orders", "{\"customer\":\"ada\",\"item\":\"book\",\"quantity\":2}");
				http.get("/api/orders");
				// Each path with the status it must answer (the store rejects the
				// credentials, so whatever touches MongoDB is DOWN or fails): a wrong
				// path or an empty answer would check nothing.
				Map<String, List<Integer>> paths = new LinkedHashMap<>();
				paths.put("/actuator", List.of(200));
				paths.put("/actuator/health", List.of(503));
				paths.put("/actuator/health/mongodbLoadBalancer", List.of(503));
				paths.put("/actuator/health/mongo", List.of(503));
				paths.put("/actuator/info", List.of(200));
				paths.put("/actuator/metrics", List.of(200));
				paths.put("/actuator/metrics/mongodb.driver.pool.size", List.of(200));
				paths.put("/actuator/mongodblb", List.of(200));
				paths.put("/api/orders", List.of(500, 503));
				for (Map.Entry<String, List<Integer>> path : paths.entrySet()) {
					HttpJson.Reply reply = http.get(path.getKey());
					assertThat(reply.status()).as("GET %s: %s", path.getKey(), reply.body()).isIn(path.getValue());
					assertThat(reply.body()).as("GET " + path.getKey()).isNotBlank();
					assertThat(reply.body() + reply.headers()).as("GET " + path.getKey())
						.doesNotContain(PASSWORD)
						.doesNotContain(ENCODED_PASSWORD);
				}
				JsonNode lb = http.get("/actuator/health/mongodbLoadBalancer").json();
				assertThat(lb.path("details").path("loadBalancer").asString()).isEqualTo(address);
				JsonNode info = http.get("/actuator/info").json().path("mongodb");
				assertThat(info.path("mode").asString()).isEqualTo("external");
				assertThat(info.path("loadBalancer").asString()).isEqualTo(address);
				assertThat(http.get("/actuator/env").status()).isEqualTo(404);
				assertThat(http.get("/actuator/configprops").status()).isEqualTo(404);
				// No embedded fronts to stop: the live view's front API is not found.
				HttpJson.Reply fronts = http.get("/api/fronts");
				assertThat(fronts.status()).as(fronts.toString()).isEqualTo(404);
				assertThat(fronts.json().path("detail").asString())
					.contains("not running the embedded load-balanced MongoDB");

				String output = app.output();
				assertThat(output).contains("mode: external, from spring.mongodb.uri", "LoadBalancer " + address);
				// The embedded server was switched off by the URI.
				assertThat(output).doesNotContain("Embedded load-balanced MongoDB started");
				assertThat(app.stop()).isIn(0, 143);
				assertThat(app.output()).doesNotContain(PASSWORD).doesNotContain(ENCODED_PASSWORD);
			}
		}
	}

}
