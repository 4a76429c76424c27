package io.mongolb.sample;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import io.mongolb.embedded.support.HaproxyProcess;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged sample app pointed with {@code --spring.mongodb.uri} at a real HAProxy
 * ({@code mode tcp}, {@code send-proxy-v2}) in front of two mongos-like fronts, as mongos
 * is deployed. Skipped with a reason when haproxy is not installed; under {@code CI=true}
 * its absence fails.
 */
class SampleAppBehindHaproxyIT {

	@TempDir
	Path directory;

	@Test
	void ordersApiWorksThroughHaproxyWithProxyProtocolV2() {
		HaproxyProcess.requireHaproxy();
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).balancer(false).start();
				HaproxyProcess haproxy = HaproxyProcess.start(this.directory,
						List.of(mongo.getLoadBalancerPort(0), mongo.getLoadBalancerPort(1)), "send-proxy-v2");
				SampleAppProcess app = SampleAppProcess.start(this.directory, Map.of(),
						"--spring.mongodb.uri=mongodb://127.0.0.1:" + haproxy.getPort() + "/orders?loadBalanced=true");
				MongoClient direct = MongoClients.create(mongo.getFrontConnectionString(0))) {
			String address = "127.0.0.1:" + haproxy.getPort();
			Set<String> fronts = new TreeSet<>(mongo.getServiceIds().stream().map(ObjectId::toHexString).toList());
			HttpJson http = new HttpJson(app.port());

			String output = app.output();
			assertThat(output).contains("mode: external, from spring.mongodb.uri", "LoadBalancer " + address);
			assertThat(output).doesNotContain("Embedded load-balanced MongoDB started");

			HttpJson.Reply created = http.post("/api/orders",
					"{\"customer\":\"ada\",\"item\":\"book\",\"quantity\":2}");
			assertThat(created.status()).as(created.toString()).isEqualTo(201);
			assertThat(created.serviceIds()).isIn(fronts);
			String id = created.json().path("id").asString();

			// The order is in the test's cluster (read on a front's normal port), not in
			// an embedded one of the app.
			MongoCollection<Document> orders = direct.getDatabase("orders").getCollection("orders");
			Document stored = orders.find(new Document("_id", new ObjectId(id))).first();
			assertThat(stored).isNotNull();
			assertThat(stored.getString("customer")).isEqualTo("ada");

			assertThat(http.put("/api/orders/" + id, "{\"customer\":\"ada\",\"item\":\"pen\",\"quantity\":4}").status())
				.isEqualTo(200);
			assertThat(http.get("/api/orders/" + id).json().path("item").asString()).isEqualTo("pen");
			assertThat(http.get("/api/orders").json().path("totalElements").asLong()).isEqualTo(1);

			// HAProxy's round robin spreads the pool's connections over both fronts.
			await().atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> http.burst("/api/orders", 16).size() == 2);
			JsonNode lb = http.get("/actuator/health").json().path("components").path("mongodbLoadBalancer");
			assertThat(lb.path("status").asString()).isEqualTo("UP");
			assertThat(lb.path("details").path("loadBalancer").asString()).isEqualTo(address);
			Set<String> seen = new TreeSet<>();
			lb.path("details")
				.path("services")
				.values()
				.forEach((service) -> seen.add(service.path("serviceId").asString()));
			assertThat(seen).isEqualTo(fronts);

			// The application's connections (and HAProxy's health checks) reached the
			// fronts with PROXY v2 headers.
			for (int front = 0; front < 2; front++) {
				assertThat(mongo.getProxyHeaderCounts(front).v2()).as("v2 headers at front %d", front).isPositive();
				assertThat(mongo.getProxyHeaderCounts(front).v1()).as("v1 headers at front %d", front).isZero();
			}

			assertThat(http.delete("/api/orders/" + id).status()).isEqualTo(204);
			assertThat(orders.countDocuments()).isZero();
			assertThat(app.stop()).isIn(0, 143);
		}
	}

}
