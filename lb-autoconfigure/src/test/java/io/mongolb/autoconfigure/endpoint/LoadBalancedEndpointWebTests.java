package io.mongolb.autoconfigure.endpoint;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import io.mongolb.autoconfigure.e2e.TwoFronts;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * The {@code mongodblb} endpoint over real HTTP: a Spring Boot web application (Tomcat,
 * Spring MVC, Actuator) on a random port of 127.0.0.1, its client in load-balanced mode
 * through the embedded in-process balancer to two mongos-like fronts.
 */
class LoadBalancedEndpointWebTests {

	private static final String PASSWORD = "Sup3rS3cret";

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private EmbeddedLoadBalancedMongo mongo;

	private ConfigurableApplicationContext context;

	@BeforeEach
	void start() {
		this.mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).start();
	}

	@AfterEach
	void stop() {
		if (this.context != null) {
			this.context.close();
		}
		this.mongo.close();
	}

	@Test
	void answersWithTheTopologyAndEveryServiceKeyedByTheClientsBeanName() throws Exception {
		run("spring.mongodb.uri=" + this.mongo.getConnectionString("web"),
				"management.endpoints.web.exposure.include=health,mongodblb");
		MongoCollection<Document> items = items();
		TwoFronts.openCursorsUntilBothServicesAreSeen(this.context.getBean(LoadBalancedTopology.class), items);
		Reply reply = get("/actuator/mongodblb");
		System.out.println("GET /actuator/mongodblb: " + reply.body());
		assertThat(reply.status()).isEqualTo(200);
		assertThat(reply.contentType()).contains("json");
		DocumentContext json = JsonPath.parse(reply.body());
		Map<String, Object> clients = json.read("$.clients");
		assertThat(clients).containsOnlyKeys("mongo");
		assertThat(json.read("$.clients.mongo.loadBalanced", Boolean.class)).isTrue();
		assertThat(json.read("$.clients.mongo.topologyType", String.class)).isEqualTo("LoadBalanced");
		assertThat(json.read("$.clients.mongo.serverType", String.class)).isEqualTo("LoadBalancer");
		assertThat(json.read("$.clients.mongo.loadBalancer", String.class))
			.isEqualTo("127.0.0.1:" + this.mongo.getBalancerPort());
		List<String> serviceIds = json.read("$.clients.mongo.services[*].serviceId");
		assertThat(serviceIds).containsExactlyInAnyOrderElementsOf(
				this.mongo.getServiceIds().stream().map(ObjectId::toHexString).toList());
		List<Integer> succeeded = json.read("$.clients.mongo.services[*].commands.succeeded");
		assertThat(succeeded).allSatisfy((count) -> assertThat(count).isPositive());
		List<Integer> open = json.read("$.clients.mongo.services[*].connections.open");
		assertThat(open).allSatisfy((count) -> assertThat(count).isPositive());
		List<Integer> checkedOut = json.read("$.clients.mongo.services[*].connections.checkedOut");
		assertThat(checkedOut).containsOnly(0);
		List<Integer> pastThreshold = json.read("$.clients.mongo.services[*].connections.pastLeakThreshold");
		assertThat(pastThreshold).containsOnly(0);
		List<String> firstSeen = json.read("$.clients.mongo.services[*].firstSeen");
		assertThat(firstSeen).allSatisfy((time) -> assertThat(time).matches("\\d{4}-\\d\\d-\\d\\dT.*Z"));
		assertThat(json.read("$.clients.mongo.untrackedServices", Integer.class)).isZero();
		assertThat(json.read("$.clients.mongo.evictedServices", Integer.class)).isZero();
		List<String> discovered = json
			.read("$.clients.mongo.recentEvents[?(@.type == 'SERVICE_DISCOVERED')].serviceId");
		assertThat(discovered).containsExactlyInAnyOrderElementsOf(serviceIds);
		List<Object> leaks = json.read("$.clients.mongo.pinnedConnectionLeaks");
		assertThat(leaks).isEmpty();
		assertThat(json.read("$.clients.mongo.applicationEvents.dropped", Integer.class)).isZero();
		assertThat(json.read("$.clients.mongo.applicationEvents.capacity", Integer.class)).isEqualTo(256);
		assertThat(json.read("$.clients.mongo.applicationEvents.published", Integer.class)).isBetween(0, 2);
		// The actuator root lists the endpoint and its selector.
		assertThat(get("/actuator").body()).contains("/actuator/mongodblb\"", "/actuator/mongodblb/{serviceId}");
	}

	@Test
	void oneServiceBySelectorAndA404ForAnUnknownOrMalformedServiceId() throws Exception {
		run("spring.mongodb.uri=" + this.mongo.getConnectionString("web"),
				"management.endpoints.web.exposure.include=mongodblb",
				"mongodb.load-balanced.pinning.leak-threshold=100ms");
		MongoCollection<Document> items = items();
		TwoFronts.openCursorsUntilBothServicesAreSeen(this.context.getBean(LoadBalancedTopology.class), items);
		// A cursor left open pins its connection: the leak scan reports it.
		MongoCursor<Document> leaky = items.find().batchSize(1).iterator();
		try {
			leaky.next();
			LoadBalancedTopology topology = this.context.getBean(LoadBalancedTopology.class);
			await().until(() -> topology.snapshot().pinnedConnectionLeaks().size() == 1);
			String leakyService = topology.snapshot().pinnedConnectionLeaks().get(0).serviceId().toHexString();
			Reply reply = get("/actuator/mongodblb/" + leakyService);
			System.out.println("GET /actuator/mongodblb/" + leakyService + ": " + reply.body());
			assertThat(reply.status()).isEqualTo(200);
			DocumentContext json = JsonPath.parse(reply.body());
			assertThat(json.read("$.clients.mongo.serviceId", String.class)).isEqualTo(leakyService);
			assertThat(json.read("$.clients.mongo.connections.checkedOut", Integer.class)).isOne();
			assertThat(json.read("$.clients.mongo.connections.pastLeakThreshold", Integer.class)).isOne();
			assertThat(json.read("$.clients.mongo.pinnedConnectionLeaks[0].commandName", String.class))
				.isEqualTo("find");
			assertThat(json.read("$.clients.mongo.pinnedConnectionLeaks[0].collection", String.class))
				.isEqualTo("items");
			List<String> types = json.read("$.clients.mongo.recentEvents[*].type");
			assertThat(types).contains("SERVICE_DISCOVERED", "PINNED_CONNECTION_LEAK");
			List<String> eventServices = json.read("$.clients.mongo.recentEvents[*].serviceId");
			assertThat(eventServices).containsOnly(leakyService);
			// Upper-case hexadecimal is the same ObjectId.
			assertThat(get("/actuator/mongodblb/" + leakyService.toUpperCase()).status()).isEqualTo(200);
		}
		finally {
			leaky.close();
		}
		assertThat(get("/actuator/mongodblb/" + new ObjectId().toHexString()).status()).isEqualTo(404);
		assertThat(get("/actuator/mongodblb/not-an-object-id").status()).isEqualTo(404);
		assertThat(get("/actuator/mongodblb/" + "0".repeat(25)).status()).isEqualTo(404);
	}

	@Test
	void notExposedOverHttpUnlessIncluded() throws Exception {
		run("spring.mongodb.uri=" + this.mongo.getConnectionString("web"));
		items();
		assertThat(get("/actuator/mongodblb").status()).isEqualTo(404);
		assertThat(get("/actuator").body()).contains("/actuator/health").doesNotContain("mongodblb");
		assertThat(this.context.getBeanNamesForType(LoadBalancedEndpoint.class)).isEmpty();
		// Spring Boot's own exposure rule: without the include, not even a JMX bean.
		assertThat(get("/actuator/health").status()).isEqualTo(200);
	}

	@Test
	void notLoadBalancedSaysSo() throws Exception {
		// A front's normal port, without loadBalanced=true: the starter stays inert.
		run("spring.mongodb.uri=" + this.mongo.getFrontConnectionString(0),
				"management.endpoints.web.exposure.include=mongodblb");
		Reply reply = get("/actuator/mongodblb");
		assertThat(reply.status()).isEqualTo(200);
		DocumentContext json = JsonPath.parse(reply.body());
		assertThat(json.read("$.clients.mongo.loadBalanced", Boolean.class)).isFalse();
		assertThat(json.read("$.clients.mongo.reason", String.class))
			.startsWith("Neither mongodb.load-balanced.enabled nor the connection string (spring.mongodb.uri")
			.endsWith("asks for load-balanced mode.");
		assertThat(get("/actuator/mongodblb/" + this.mongo.getServiceId(0).toHexString()).status()).isEqualTo(404);
	}

	@Test
	void aPasswordInTheConnectionStringAppearsInNoField() throws Exception {
		String address = "127.0.0.1:" + this.mongo.getBalancerPort();
		run("spring.mongodb.uri=mongodb://user:" + PASSWORD + "@" + address + "/web?loadBalanced=true",
				"spring.mongodb.timeout=2s", "management.endpoints.web.exposure.include=mongodblb");
		// The embedded store has no authentication: commands fail at the handshake.
		assertThatExceptionOfType(MongoException.class).isThrownBy(() -> this.context.getBean(MongoClient.class)
			.getDatabase("web")
			.withTimeout(2, TimeUnit.SECONDS)
			.getCollection("items")
			.insertOne(new Document("_id", 1)));
		Reply reply = get("/actuator/mongodblb");
		assertThat(reply.status()).isEqualTo(200);
		assertThat(JsonPath.parse(reply.body()).read("$.clients.mongo.loadBalancer", String.class)).isEqualTo(address);
		assertThat(reply.body()).doesNotContain(PASSWORD);
	}

	@Test
	void aConnectionStringQuotedInAnErrorIsMasked() throws Exception {
		run("spring.mongodb.uri=" + this.mongo.getConnectionString("web"),
				"management.endpoints.web.exposure.include=mongodblb");
		String quoted = "mongodb://user:" + PASSWORD + "@db.example.net:27017/app?authSource=admin";
		MongoClient client = this.context.getBean(MongoClient.class);
		// A server error that quotes what the application sent: here the name of an
		// unknown command.
		MongoException failure = catchThrowableOfType(MongoException.class,
				() -> client.getDatabase("web").runCommand(new Document(quoted, 1)));
		assertThat(failure).isNotNull();
		System.out.println("The command's failure: " + failure.getMessage());
		assertThat(failure.getMessage()).contains(PASSWORD);
		LoadBalancedTopology topology = this.context.getBean(LoadBalancedTopology.class);
		// The model keeps the failure, already masked by its own pass.
		assertThat(topology.snapshot().services())
			.anySatisfy((service) -> assertThat(service.lastError()).contains("mongodb://****@db.example.net:27017/app")
				.doesNotContain(PASSWORD));
		Reply reply = get("/actuator/mongodblb");
		System.out.println("GET /actuator/mongodblb: " + reply.body());
		List<String> errors = JsonPath.parse(reply.body()).read("$.clients.mongo.services[*].lastError");
		assertThat(errors).anySatisfy((error) -> assertThat(error).contains("mongodb://****@db.example.net:27017/app"));
		assertThat(reply.body()).doesNotContain(PASSWORD);
		for (ObjectId serviceId : this.mongo.getServiceIds()) {
			Reply service = get("/actuator/mongodblb/" + serviceId.toHexString());
			assertThat(service.body()).doesNotContain(PASSWORD);
		}
	}

	private void run(String... properties) {
		List<String> all = new ArrayList<>(List.of(properties));
		all.add("server.address=127.0.0.1");
		all.add("server.port=0");
		all.add("spring.jmx.enabled=false");
		// The reactive driver is on this module's test class path too (an optional
		// dependency): these tests are about one synchronous client, as an application
		// with the synchronous driver alone has it.
		all.add("spring.autoconfigure.exclude=org.springframework.boot.mongodb.autoconfigure.MongoReactiveAutoConfiguration");
		this.context = new SpringApplicationBuilder(App.class).properties(all.toArray(String[]::new)).run();
	}

	private MongoCollection<Document> items() {
		MongoCollection<Document> items = this.context.getBean(MongoClient.class)
			.getDatabase("web")
			.getCollection("items");
		items.drop();
		items.insertMany(List.of(new Document("_id", 1), new Document("_id", 2), new Document("_id", 3)));
		return items;
	}

	private Reply get(String path) throws IOException, InterruptedException {
		String port = this.context.getEnvironment().getProperty("local.server.port");
		HttpResponse<String> response = this.http
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
				.timeout(Duration.ofSeconds(20))
				.GET()
				.build(), HttpResponse.BodyHandlers.ofString());
		return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
				response.body());
	}

	record Reply(int status, String contentType, String body) {

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

	}

}
