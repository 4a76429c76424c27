package io.mongolb.sample;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged sample app with Spring AOT on the JVM: the build runs
 * {@code spring-boot:process-aot} (the jar then carries the generated bean definitions
 * and native-image metadata), and {@code java -Dspring.aot.enabled=true -jar} uses them.
 * AOT fixes the bean conditions when the jar is built, for the embedded default: that is
 * the mode tested here, and what a connection string given at run time then does is
 * tested too (it is ignored, and the application says so).
 */
class SampleAppAotIT {

	private static final List<String> AOT = List.of("-Dspring.aot.enabled=true");

	private static final String METADATA = "META-INF/native-image/io.mongolb/mongodb-lb-sample-app/"
			+ "reachability-metadata.json";

	@TempDir
	Path directory;

	@Test
	void aotProcessedEmbeddedDefaultIsHealthyWithBothServices() {
		try (SampleAppProcess app = SampleAppProcess.start(this.directory, AOT, Map.of())) {
			assertThat(app.output()).contains("Starting AOT-processed SampleApplication");
			HttpJson http = new HttpJson(app.port());
			JsonNode info = http.get("/actuator/info").json().path("mongodb");
			assertThat(info.path("mode").asString()).isEqualTo("embedded");
			assertThat(info.path("loadBalanced").asBoolean()).isTrue();
			String loadBalancer = info.path("loadBalancer").asString();
			Set<String> serviceIds = new TreeSet<>();
			info.path("serviceIds").values().forEach((id) -> serviceIds.add(id.asString()));
			assertThat(serviceIds).hasSize(2);

			HttpJson.Reply created = http.post("/api/orders",
					"{\"customer\":\"ada\",\"item\":\"book\",\"quantity\":2}");
			assertThat(created.status()).as(created.toString()).isEqualTo(201);
			String id = created.json().path("id").asString();
			assertThat(http.get("/api/orders/" + id).json().path("customer").asString()).isEqualTo("ada");
			await().atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> http.burst("/api/orders", 16).size() == 2);

			HttpJson.Reply health = http.get("/actuator/health");
			assertThat(health.status()).as(health.toString()).isEqualTo(200);
			JsonNode lb = health.json().path("components").path("mongodbLoadBalancer");
			assertThat(lb.path("status").asString()).isEqualTo("UP");
			assertThat(lb.path("details").path("topologyType").asString()).isEqualTo("LoadBalanced");
			assertThat(lb.path("details").path("loadBalancer").asString()).isEqualTo(loadBalancer);
			assertThat(serviceIdsOf(lb.path("details").path("services"))).isEqualTo(serviceIds);

			HttpJson.Reply endpoint = http.get("/actuator/mongodblb");
			assertThat(endpoint.status()).as(endpoint.toString()).isEqualTo(200);
			JsonNode client = endpoint.json().path("clients").values().iterator().next();
			assertThat(client.path("loadBalanced").asBoolean()).isTrue();
			assertThat(serviceIdsOf(client.path("services"))).isEqualTo(serviceIds);
			HttpJson.Reply one = http.get("/actuator/mongodblb/" + serviceIds.iterator().next());
			assertThat(one.status()).as(one.toString()).isEqualTo(200);
			assertThat(http.get("/actuator/metrics/mongodb.lb.commands").status()).isEqualTo(200);

			assertThat(app.stop()).isIn(0, 143);
			assertThat(app.output()).doesNotContain(" ERROR ");
		}
	}

	@Test
	void aConnectionStringGivenAtRunTimeIsIgnoredAndTheApplicationSaysSo() {
		// The "external cluster", reachable and load-balanced: it must not be used.
		try (EmbeddedLoadBalancedMongo external = EmbeddedLoadBalancedMongo.builder().fronts(1).start()) {
			String address = "127.0.0.1:" + external.getBalancerPort();
			String uri = "mongodb://" + address + "/orders?loadBalanced=true";
			try (SampleAppProcess app = SampleAppProcess.start(this.directory, AOT, Map.of(),
					"--spring.mongodb.uri=" + uri)) {
				HttpJson http = new HttpJson(app.port());
				assertThat(http.post("/api/orders", "{\"customer\":\"ada\",\"item\":\"book\",\"quantity\":2}").status())
					.isEqualTo(201);
				JsonNode info = http.get("/actuator/info").json().path("mongodb");
				assertThat(info.path("mode").asString()).isEqualTo("embedded");
				assertThat(info.path("loadBalancer").asString()).isNotEqualTo(address);
				JsonNode services = http.get("/actuator/health/mongodbLoadBalancer").json().path("details");
				assertThat(services.path("loadBalancer").asString()).isNotEqualTo(address);
				assertThat(serviceIdsOf(services.path("services"))).doesNotContain(
						external.getServiceIds().stream().map(ObjectId::toHexString).toArray(String[]::new));
				// Nothing reached the external cluster's balancer.
				assertThat(external.getProxyHeaderCounts(0).v2()).isZero();
				assertThat(external.getProxyHeaderCounts(0).v1()).isZero();
				String output = app.output();
				assertThat(output).contains("Embedded load-balanced MongoDB started")
					.contains(ConnectionModeConfiguration.ignoredConnectionMessage(true));
				assertThat(app.stop()).isIn(0, 143);
			}
		}
	}

	@Test
	void theJarCarriesTheStartersNativeImageHints() throws IOException {
		Path jar = Path.of(System.getProperty("sample.jar", "target/mongodb-lb-sample-app-0.1.0-SNAPSHOT.jar"));
		try (JarFile file = new JarFile(jar.toFile())) {
			ZipEntry entry = file.getEntry(METADATA);
			assertThat(entry).as(METADATA + " in the jar (process-aot ran)").isNotNull();
			assertThat(file
				.getEntry("BOOT-INF/classes/io/mongolb/sample/SampleApplication__ApplicationContextInitializer.class"))
				.isNotNull();
			JsonNode metadata;
			try (InputStream in = file.getInputStream(entry)) {
				metadata = HttpJson.json.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
			}
			Set<String> types = new TreeSet<>();
			// A type hint names the type as a string (a proxy hint as an object).
			metadata.path("reflection")
				.values()
				.stream()
				.map((hint) -> hint.path("type"))
				.filter(JsonNode::isString)
				.forEach((type) -> types.add(type.asString()));
			// org.slf4j.MDC is registered by the starter's LoadBalancedRuntimeHints only.
			assertThat(types).contains("org.slf4j.MDC", "com.mongodb.client.MongoClient",
					"io.mongolb.autoconfigure.LoadBalancedProperties");
			// No reactive stack in this application: no hint for it.
			assertThat(types).doesNotContain("com.mongodb.reactivestreams.client.MongoClient");
		}
	}

	private static Set<String> serviceIdsOf(JsonNode services) {
		Set<String> ids = new TreeSet<>();
		services.values().forEach((service) -> ids.add(service.path("serviceId").asString()));
		return ids;
	}

}
