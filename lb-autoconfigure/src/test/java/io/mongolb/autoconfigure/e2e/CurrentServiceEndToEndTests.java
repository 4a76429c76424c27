package io.mongolb.autoconfigure.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.topology.CurrentService;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link CurrentService} with the real synchronous driver, through the embedded
 * in-process balancer (PROXY v2) to two mongos-like fronts: the value after a command
 * names the front that served it, and scopes, MDC, a failed command, a client that is not
 * load-balanced and a second load-balanced client behave as documented.
 */
class CurrentServiceEndToEndTests {

	private EmbeddedLoadBalancedMongo mongo;

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(MongoAutoConfiguration.class, LoadBalancedMongoAutoConfiguration.class));

	@BeforeEach
	void start() {
		// Other tests on this thread may have left a value: outside a scope it stays.
		CurrentService.clear();
		this.mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).start();
	}

	@AfterEach
	void stop() {
		CurrentService.clear();
		MDC.remove(CurrentService.MDC_KEY);
		this.mongo.close();
	}

	@Test
	void afterACommandTheValueNamesTheFrontThatServedIt() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + this.mongo.getConnectionString()).run((context) -> {
			MongoCollection<Document> orders = collection(context.getBean(MongoClient.class), "orders");
			orders.insertOne(new Document("item", "book"));
			ObjectId served = CurrentService.lastServiceId();
			assertThat(served).isIn(this.mongo.getServiceIds());
			// The front's own count of load-balanced connections: the pooled connection
			// the insert ran on is open at the front that the value names.
			assertThat(this.mongo.getLoadBalancedConnections(this.mongo.getServiceIds().indexOf(served))).isPositive();
			CurrentService.clear();
			assertThat(CurrentService.lastServiceId()).isNull();

			try (CurrentService.Scope scope = CurrentService.open()) {
				assertThat(CurrentService.lastServiceId()).isNull();
				assertThat(orders.countDocuments()).isOne();
				assertThat(CurrentService.lastServiceId()).isIn(this.mongo.getServiceIds());
				assertThat(CurrentService.servicesInScope()).containsExactly(CurrentService.lastServiceId());
			}
			assertThat(CurrentService.lastServiceId()).isNull();
			assertThat(CurrentService.servicesInScope()).isEmpty();
		});
	}

	@Test
	void aScopeNamesEveryFrontItsCommandsReached() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + this.mongo.getConnectionString()).run((context) -> {
			MongoCollection<Document> items = collection(context.getBean(MongoClient.class), "items");
			items.insertMany(List.of(new Document("_id", 1), new Document("_id", 2), new Document("_id", 3)));
			try (CurrentService.Scope scope = CurrentService.open()) {
				// Open cursors pin their connections, so each find needs a new one: the
				// balancer sends the new connections to both fronts in turn.
				List<MongoCursor<Document>> cursors = new ArrayList<>();
				try {
					for (int i = 0; i < 8 && CurrentService.servicesInScope().size() < 2; i++) {
						MongoCursor<Document> cursor = items.find().batchSize(1).iterator();
						cursor.next();
						cursors.add(cursor);
					}
				}
				finally {
					cursors.forEach(MongoCursor::close);
				}
				assertThat(CurrentService.servicesInScope())
					.containsExactlyInAnyOrderElementsOf(this.mongo.getServiceIds());
			}
		});
	}

	@Test
	void aFailedCommandNamesTheFrontThatFailedIt() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + this.mongo.getConnectionString()).run((context) -> {
			MongoCollection<Document> items = collection(context.getBean(MongoClient.class), "failing");
			items.insertOne(new Document("_id", 1));
			for (int front = 0; front < 2; front++) {
				try (MongoClient admin = MongoClients.create(this.mongo.getFrontConnectionString(front))) {
					admin.getDatabase("admin")
						.runCommand(new Document("configureFailPoint", "failCommand")
							.append("mode", new Document("times", 1))
							.append("data", new Document("failCommands", List.of("find")).append("errorCode", 2)));
				}
			}
			CurrentService.clear();
			assertThatExceptionOfType(MongoCommandException.class).isThrownBy(() -> items.find().first());
			ObjectId failedAt = CurrentService.lastServiceId();
			assertThat(failedAt).isIn(this.mongo.getServiceIds());
			List<ServiceSnapshot> failing = context.getBean(LoadBalancedTopology.class)
				.snapshot()
				.services()
				.stream()
				.filter((service) -> service.commandsFailed() > 0)
				.toList();
			assertThat(failing).singleElement().extracting(ServiceSnapshot::serviceId).isEqualTo(failedAt);
		});
	}

	@Test
	void theMdcKeyIsSetOnlyInAScopeOpenedWithMdc() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + this.mongo.getConnectionString()).run((context) -> {
			MongoCollection<Document> items = collection(context.getBean(MongoClient.class), "mdc");
			items.insertOne(new Document("_id", 1));
			assertThat(MDC.get(CurrentService.MDC_KEY)).isNull();
			try (CurrentService.Scope scope = CurrentService.open()) {
				items.find().first();
				assertThat(CurrentService.lastServiceId()).isNotNull();
				assertThat(MDC.get(CurrentService.MDC_KEY)).isNull();
			}
			try (CurrentService.Scope scope = CurrentService.openWithMdc()) {
				items.find().first();
				ObjectId served = CurrentService.lastServiceId();
				assertThat(served).isIn(this.mongo.getServiceIds());
				assertThat(MDC.get(CurrentService.MDC_KEY)).isEqualTo(served.toHexString());
			}
			assertThat(MDC.get(CurrentService.MDC_KEY)).isNull();
		});
	}

	@Test
	void aClientThatIsNotLoadBalancedLeavesNothing() {
		// A front's normal port, without loadBalanced=true: the starter stays inert and
		// registers no listener.
		String uri = "mongodb://127.0.0.1:" + this.mongo.getPort(0) + "/?serverSelectionTimeoutMS=5000";
		this.runner.withPropertyValues("spring.mongodb.uri=" + uri).run((context) -> {
			MongoCollection<Document> items = collection(context.getBean(MongoClient.class), "plain");
			try (CurrentService.Scope scope = CurrentService.openWithMdc()) {
				items.insertOne(new Document("_id", 1));
				assertThat(items.countDocuments()).isOne();
				assertThat(CurrentService.lastServiceId()).isNull();
				assertThat(CurrentService.servicesInScope()).isEmpty();
				assertThat(MDC.get(CurrentService.MDC_KEY)).isNull();
			}
		});
	}

	@Test
	void withTwoLoadBalancedClientsTheValueIsTheOneOfTheLastCommand() {
		try (EmbeddedLoadBalancedMongo other = EmbeddedLoadBalancedMongo.builder().fronts(1).start()) {
			this.runner.withPropertyValues("spring.mongodb.uri=" + this.mongo.getConnectionString()).run((context) -> {
				// A second client behind another balancer, given the command listener
				// of a topology of its own; and a plain client with no listener.
				LoadBalancedTopology otherTopology = new LoadBalancedTopology(32, Duration.ofSeconds(30), 16);
				MongoClientSettings settings = MongoClientSettings.builder()
					.applyConnectionString(new ConnectionString(other.getConnectionString()))
					.addCommandListener(otherTopology.commandListener())
					.build();
				try (MongoClient second = MongoClients.create(settings);
						MongoClient plain = MongoClients.create(this.mongo.getFrontConnectionString(1));
						CurrentService.Scope scope = CurrentService.open()) {
					collection(context.getBean(MongoClient.class), "first").insertOne(new Document("_id", 1));
					ObjectId first = CurrentService.lastServiceId();
					assertThat(first).isIn(this.mongo.getServiceIds());
					collection(second, "second").insertOne(new Document("_id", 1));
					assertThat(CurrentService.lastServiceId()).isEqualTo(other.getServiceId(0));
					collection(plain, "plain").insertOne(new Document("_id", 1));
					assertThat(CurrentService.lastServiceId()).as("a client without the listener changes nothing")
						.isEqualTo(other.getServiceId(0));
					assertThat(CurrentService.servicesInScope()).containsExactly(first, other.getServiceId(0));
				}
			});
		}
	}

	private static MongoCollection<Document> collection(MongoClient client, String name) {
		MongoCollection<Document> collection = client.getDatabase("current").getCollection(name);
		collection.drop();
		return collection;
	}

}
