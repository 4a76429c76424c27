package io.mongolb.autoconfigure.reactive;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.mongodb.MongoException;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.health.LoadBalancerHealthContributorAutoConfiguration;
import io.mongolb.autoconfigure.health.LoadBalancerReactiveHealthIndicator;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.LoadBalancedTopologySnapshot;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest.Lifecycle;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.ReactiveHealthContributorRegistry;
import org.springframework.boot.json.JsonWriter;
import org.springframework.boot.mongodb.autoconfigure.MongoReactiveAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.health.MongoReactiveHealthContributorAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The starter end to end with the reactive driver alone (the synchronous driver filtered
 * out of the context's class loader): Spring Boot's reactive MongoDB auto-configuration
 * and the starter, the reactive client talking through the embedded in-process balancer
 * (PROXY v2) to two mongos-like fronts, the cluster started by the JUnit extension.
 */
@EmbeddedLoadBalancedMongoTest(fronts = 2, lifecycle = Lifecycle.PER_METHOD)
class ReactiveEndToEndTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withClassLoader(new FilteredClassLoader(com.mongodb.client.MongoClient.class))
		.withConfiguration(AutoConfigurations.of(MongoReactiveAutoConfiguration.class,
				LoadBalancedMongoAutoConfiguration.class, LoadBalancerHealthContributorAutoConfiguration.class,
				MongoReactiveHealthContributorAutoConfiguration.class, HealthContributorAutoConfiguration.class,
				HealthContributorRegistryAutoConfiguration.class));

	@Test
	void bothServicesAreSeenAndTheReactiveHealthIsUpWithBoth(EmbeddedLoadBalancedMongo mongo) {
		this.runner.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString()).run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean("mongo");
			MongoCollection<Document> orders = context.getBean(MongoClient.class)
				.getDatabase("e2e")
				.getCollection("orders");
			Flux.from(
					orders.insertMany(List.of(new Document("_id", 1), new Document("_id", 2), new Document("_id", 3))))
				.blockLast(WAIT);
			LoadBalancedTopology topology = context.getBean(LoadBalancedTopology.class);
			try (ReactiveCursors cursors = new ReactiveCursors()) {
				cursors.openUntilBothServicesAreSeen(topology, orders);
			}
			LoadBalancedTopologySnapshot snapshot = topology.snapshot();
			assertThat(snapshot.topologyTypeName()).isEqualTo("LoadBalanced");
			assertThat(snapshot.services()).extracting(ServiceSnapshot::serviceId)
				.containsExactlyInAnyOrderElementsOf(mongo.getServiceIds());
			ReactiveHealthIndicator indicator = indicator(context);
			assertThat(indicator).isInstanceOf(LoadBalancerReactiveHealthIndicator.class);
			Health health = indicator.health().block(WAIT);
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("topologyType", "LoadBalanced")
				.containsEntry("serverType", "LoadBalancer")
				.containsEntry("loadBalancer", "127.0.0.1:" + mongo.getBalancerPort())
				.containsEntry("servicesSeen", 2);
			@SuppressWarnings("unchecked")
			List<Map<String, Object>> services = (List<Map<String, Object>>) health.getDetails().get("services");
			assertThat(services).extracting((service) -> service.get("serviceId"))
				.containsExactlyInAnyOrderElementsOf(
						mongo.getServiceIds().stream().map(ObjectId::toHexString).toList());
			System.out.println("mongodbLoadBalancer health (reactive): " + json(health));
			// Spring Boot's own reactive contributor keeps working through the balancer.
			assertThat(((ReactiveHealthIndicator) context.getBean(ReactiveHealthContributorRegistry.class)
				.getContributor("mongo")).health().block(WAIT).getStatus()).isEqualTo(Status.UP);
		});
	}

	@Test
	void aClosedConnectionOnOneFrontClearsThePoolForThatServiceOnly(EmbeddedLoadBalancedMongo mongo) {
		this.runner.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString()).run((context) -> {
			MongoCollection<Document> items = context.getBean(MongoClient.class)
				.getDatabase("e2e")
				.getCollection("items");
			Flux.from(items.insertMany(List.of(new Document("_id", 1), new Document("_id", 2), new Document("_id", 3))))
				.blockLast(WAIT);
			LoadBalancedTopology topology = context.getBean(LoadBalancedTopology.class);
			ObjectId failing = mongo.getServiceId(0);
			ObjectId healthy = mongo.getServiceId(1);
			try (ReactiveCursors cursors = new ReactiveCursors()) {
				cursors.openUntilBothServicesAreSeen(topology, items);
				try (MongoClient admin = MongoClients.create(mongo.getFrontConnectionString(0))) {
					Mono.from(admin.getDatabase("admin")
						.runCommand(new Document("configureFailPoint", "failCommand")
							.append("mode", new Document("times", 1))
							.append("data",
									new Document("failCommands", List.of("find")).append("closeConnection", true))))
						.block(WAIT);
				}
				// Pooled connections are reused, and round robin only places new ones:
				// hold cursors open so that each find needs a new connection, until one
				// reaches the failing front and the driver clears its pool.
				for (int i = 0; i < 10 && service(topology.snapshot(), failing).poolClears() == 0; i++) {
					try {
						cursors.open(items);
					}
					catch (MongoException ex) {
						// The expected network error on the failing front.
					}
				}
			}
			LoadBalancedTopologySnapshot snapshot = topology.snapshot();
			assertThat(service(snapshot, failing).poolClears()).isOne();
			assertThat(service(snapshot, failing).commandsFailed()).isPositive();
			assertThat(service(snapshot, healthy).poolClears()).isZero();
			Health health = indicator(context).health().block(WAIT);
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("lastPoolClear", Map.of("serviceId", failing.toHexString(),
					"time", String.valueOf(service(snapshot, failing).lastPoolClear())));
		});
	}

	@Test
	void healthIsDownWithTheFixWhenTheBalancerReachesAPortWithoutLoadBalancing(EmbeddedLoadBalancedMongo mongo) {
		// A load-balanced client pointed at a front's normal port gets no serviceId, as
		// from mongos's main port.
		String uri = "mongodb://127.0.0.1:" + mongo.getPort(0) + "/?loadBalanced=true";
		this.runner.withPropertyValues("spring.mongodb.uri=" + uri).run((context) -> {
			Health health = indicator(context).health().block(WAIT);
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat((String) health.getDetails().get("cause")).contains("answered the handshake without a serviceId")
				.contains("loadBalancerPort")
				.contains("PROXY protocol header");
			assertThat((String) health.getDetails().get("error")).contains(
					"Driver attempted to initialize in load balancing mode, but the server does not support this mode");
			System.out.println("mongodbLoadBalancer health (reactive): " + json(health));
		});
	}

	@Test
	void healthIsDownWithItsCauseWhenEveryFrontIsStoppedAndUpAgainAfterwards(EmbeddedLoadBalancedMongo mongo) {
		this.runner.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString()).run((context) -> {
			MongoCollection<Document> items = context.getBean(MongoClient.class)
				.getDatabase("e2e")
				.getCollection("down");
			Mono.from(items.insertOne(new Document("_id", 1))).block(WAIT);
			ReactiveHealthIndicator indicator = indicator(context);
			assertThat(indicator.health().block(WAIT).getStatus()).isEqualTo(Status.UP);
			mongo.stopFront(0);
			mongo.stopFront(1);
			// DOWN with a cause, whatever the ping met (here the reactive driver reports
			// the
			// in-process balancer's closed connection as an internal error), never an
			// error
			// of the probe itself (such as Reactor's retry running out).
			Health down = indicator.health().block(WAIT);
			assertThat(down.getStatus()).isEqualTo(Status.DOWN);
			assertThat((String) down.getDetails().get("cause")).isNotBlank();
			assertThat((String) down.getDetails().get("error")).doesNotContain("Retries exhausted")
				.doesNotContain("RetryExhausted");
			System.out.println("mongodbLoadBalancer health (reactive), every front stopped: " + json(down));
			mongo.startFront(0);
			mongo.startFront(1);
			await().atMost(WAIT).until(() -> indicator.health().block(WAIT).getStatus().equals(Status.UP));
		});
	}

	private static ServiceSnapshot service(LoadBalancedTopologySnapshot snapshot, ObjectId serviceId) {
		return snapshot.services()
			.stream()
			.filter((service) -> service.serviceId().equals(serviceId))
			.findFirst()
			.orElseThrow(() -> new AssertionError("service " + serviceId + " not seen: " + snapshot.services()));
	}

	private static ReactiveHealthIndicator indicator(AssertableApplicationContext context) {
		return (ReactiveHealthIndicator) context.getBean(ReactiveHealthContributorRegistry.class)
			.getContributor("mongodbLoadBalancer");
	}

	private static String json(Health health) {
		return JsonWriter.standard()
			.writeToString(Map.of("status", health.getStatus().getCode(), "details", health.getDetails()));
	}

}
