package io.mongolb.autoconfigure.observation;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandSucceededEvent;
import com.mongodb.observability.micrometer.MongodbObservationContext;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.e2e.TwoFronts;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The driver's own observations end to end: real Spring contexts with Spring Boot's
 * MongoDB auto-configuration and the starter, the real driver talking through the
 * embedded in-process balancer (PROXY v2) to two mongos-like fronts, each with its own
 * serviceId, and Micrometer's {@link TestObservationRegistry}.
 */
@ExtendWith(OutputCaptureExtension.class)
class DriverObservationsEndToEndTests {

	private static final String ENABLED = "mongodb.load-balanced.observations.enabled=true";

	private EmbeddedLoadBalancedMongo mongo;

	private final ServiceIdsSeenByTheDriver driver = new ServiceIdsSeenByTheDriver();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MongoAutoConfiguration.class, LoadBalancedMongoAutoConfiguration.class,
				LoadBalancedObservationAutoConfiguration.class))
		.withBean(MongoClientSettingsBuilderCustomizer.class,
				() -> (builder) -> builder.addCommandListener(this.driver));

	@BeforeEach
	void start() {
		this.mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).start();
	}

	@AfterEach
	void stop() {
		this.mongo.close();
	}

	@Test
	void everyCommandCarriesTheServiceIdOfTheFrontThatServedIt(CapturedOutput output) {
		TestObservationRegistry registry = TestObservationRegistry.create();
		this.runner.withBean(TestObservationRegistry.class, () -> registry)
			.withPropertyValues("spring.mongodb.uri=" + this.mongo.getConnectionString(), ENABLED)
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(LoadBalancedObservabilityCustomizer.class);
				MongoCollection<Document> orders = collection(context, "orders");
				for (int i = 0; i < 10; i++) {
					orders.insertOne(new Document("_id", i).append("note", "payload-marker-" + i));
				}
				TwoFronts.openCursorsUntilBothServicesAreSeen(context.getBean(LoadBalancedTopology.class), orders);
				List<Observation.Context> contexts = handled(registry);
				List<Observation.Context> commands = named(contexts, "mongodb.command");
				assertThat(commands).hasSizeGreaterThanOrEqualTo(10);
				// Each command's serviceId is the one the front announced on that
				// connection's handshake, as the driver reported it.
				assertThat(commands).allSatisfy((command) -> {
					String connectionId = command.getHighCardinalityKeyValue("db.mongodb.driver_connection_id")
						.getValue();
					KeyValue serviceId = command
						.getHighCardinalityKeyValue(ServiceIdObservationConvention.SERVICE_ID_KEY);
					assertThat(serviceId).as("serviceId of %s", command).isNotNull();
					assertThat(serviceId.getValue()).isEqualTo(this.driver.serviceIdOf(connectionId).toHexString());
				});
				Set<String> seen = new HashSet<>();
				commands.forEach((command) -> seen
					.add(command.getHighCardinalityKeyValue(ServiceIdObservationConvention.SERVICE_ID_KEY).getValue()));
				assertThat(seen).containsExactlyInAnyOrderElementsOf(hex(this.mongo.getServiceIds()));
				// Operations run on no single connection: only their commands carry it.
				List<Observation.Context> operations = named(contexts, "mongodb.operation");
				assertThat(operations).isNotEmpty()
					.allSatisfy((operation) -> assertThat(
							operation.getHighCardinalityKeyValue(ServiceIdObservationConvention.SERVICE_ID_KEY))
						.isNull());
				assertThat(commands).allSatisfy((command) -> assertThat(command.getParentObservation()).isNotNull());
				// Command payloads stay out of the observations.
				assertThat(keyValues(contexts)).noneMatch((keyValue) -> keyValue.contains("payload-marker"));
				assertThat(contexts)
					.allSatisfy((observation) -> assertThat(observation).isInstanceOf(MongodbObservationContext.class));
				commands.stream()
					.filter((command) -> "find".equals(command.getContextualName()))
					.findFirst()
					.ifPresent((find) -> System.out.println("A command observation: " + describe(find)));
			});
		assertThat(output).containsOnlyOnce("MongoDB driver observations wired to the ObservationRegistry");
	}

	@Test
	void springBootsObservationRegistryReceivesTheObservations() {
		List<Observation.Context> stopped = new CopyOnWriteArrayList<>();
		ObservationHandler<Observation.Context> handler = new ObservationHandler<>() {

			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

			@Override
			public void onStop(Observation.Context context) {
				stopped.add(context);
			}

		};
		this.runner.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class))
			.withBean("collectingHandler", ObservationHandler.class, () -> handler)
			.withPropertyValues("spring.mongodb.uri=" + this.mongo.getConnectionString(), ENABLED)
			.run((context) -> {
				assertThat(context).hasSingleBean(LoadBalancedObservabilityCustomizer.class);
				collection(context, "boot").insertOne(new Document("_id", 1));
				// drop, then insert
				List<Observation.Context> commands = named(stopped, "mongodb.command");
				assertThat(commands).hasSize(2)
					.allSatisfy((command) -> assertThat(
							command.getHighCardinalityKeyValue(ServiceIdObservationConvention.SERVICE_ID_KEY))
						.isNotNull()
						.extracting(KeyValue::getValue)
						.isIn(hex(this.mongo.getServiceIds())));
			});
	}

	@Test
	void offByDefault() {
		TestObservationRegistry registry = TestObservationRegistry.create();
		this.runner.withBean(TestObservationRegistry.class, () -> registry)
			.withPropertyValues("spring.mongodb.uri=" + this.mongo.getConnectionString())
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(LoadBalancedObservabilityCustomizer.class);
				MongoCollection<Document> items = collection(context, "items");
				items.insertOne(new Document("_id", 1));
				assertThat(items.countDocuments()).isOne();
				assertThat(this.driver.commands()).isPositive();
				assertThat(registry).doesNotHaveAnyObservation();
			});
	}

	@Test
	void offWhenTheModeIsNotActive(CapturedOutput output) {
		// A front's normal port answers ordinary (not load-balanced) clients, as mongos's
		// main port does.
		TestObservationRegistry registry = TestObservationRegistry.create();
		this.runner.withBean(TestObservationRegistry.class, () -> registry)
			.withPropertyValues("spring.mongodb.uri=mongodb://127.0.0.1:" + this.mongo.getPort(0) + "/test", ENABLED)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				MongoCollection<Document> items = collection(context, "plain");
				items.insertOne(new Document("_id", 1));
				assertThat(items.countDocuments()).isOne();
				assertThat(this.driver.commands()).isPositive();
				assertThat(registry).doesNotHaveAnyObservation();
			});
		assertThat(output).contains("MongoDB driver observations are not wired")
			.contains("load-balanced mode is not active")
			.doesNotContain("MongoDB driver observations wired");
	}

	@Test
	void noKeyValueOfAnyObservationContainsThePassword(CapturedOutput output) {
		// The embedded fronts have no authentication (as mongo-java-server), so the
		// driver's SCRAM conversation fails: the observations then carry the driver's
		// error, the place where a credential could leak.
		String password = "s3cretPa55w0rd";
		String uri = this.mongo.getConnectionString().replace("mongodb://", "mongodb://app:" + password + "@");
		TestObservationRegistry registry = TestObservationRegistry.create();
		this.runner.withBean(TestObservationRegistry.class, () -> registry)
			.withPropertyValues("spring.mongodb.uri=" + uri, ENABLED)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				MongoCollection<Document> items = context.getBean(MongoClient.class)
					.getDatabase("obs")
					.getCollection("secret");
				assertThatExceptionOfType(MongoException.class)
					.isThrownBy(() -> items.insertOne(new Document("_id", 1)));
				List<Observation.Context> contexts = handled(registry);
				contexts.forEach((observation) -> System.out.println("Observation: " + describe(observation)));
				assertThat(contexts).isNotEmpty()
					.anySatisfy((observation) -> assertThat(observation.getError()).isNotNull());
				assertThat(keyValues(contexts)).isNotEmpty().noneMatch((keyValue) -> keyValue.contains(password));
				assertThat(contexts).allSatisfy((observation) -> {
					assertThat(String.valueOf(observation)).doesNotContain(password);
					if (observation.getError() != null) {
						assertThat(stackTrace(observation.getError())).doesNotContain(password);
					}
				});
			});
		assertThat(output).doesNotContain(password);
	}

	private static MongoCollection<Document> collection(AssertableApplicationContext context, String name) {
		MongoCollection<Document> collection = context.getBean(MongoClient.class)
			.getDatabase("obs")
			.getCollection(name);
		collection.drop();
		return collection;
	}

	private static List<Observation.Context> handled(TestObservationRegistry registry) {
		List<Observation.Context> handled = new ArrayList<>();
		assertThat(registry).hasHandledContextsThatSatisfy(handled::addAll);
		return handled;
	}

	private static List<Observation.Context> named(List<Observation.Context> contexts, String name) {
		return contexts.stream().filter((context) -> name.equals(context.getName())).toList();
	}

	private static List<String> keyValues(List<Observation.Context> contexts) {
		List<String> all = new ArrayList<>();
		for (Observation.Context context : contexts) {
			context.getLowCardinalityKeyValues()
				.forEach((keyValue) -> all.add(keyValue.getKey() + "=" + keyValue.getValue()));
			context.getHighCardinalityKeyValues()
				.forEach((keyValue) -> all.add(keyValue.getKey() + "=" + keyValue.getValue()));
			all.add(String.valueOf(context.getName()));
			all.add(String.valueOf(context.getContextualName()));
		}
		return all;
	}

	private static String describe(Observation.Context context) {
		return context.getName() + " '" + context.getContextualName() + "' low=" + context.getLowCardinalityKeyValues()
				+ " high=" + context.getHighCardinalityKeyValues()
				+ ((context.getError() != null) ? " error=" + context.getError() : "");
	}

	private static String stackTrace(Throwable error) {
		StringWriter text = new StringWriter();
		error.printStackTrace(new PrintWriter(text));
		return text.toString();
	}

	private static List<String> hex(List<ObjectId> serviceIds) {
		return serviceIds.stream().map(ObjectId::toHexString).toList();
	}

	/**
	 * The serviceId of each connection, as the driver reports it with every command event
	 * (from the front's handshake reply): the ground truth for the observations.
	 */
	private static final class ServiceIdsSeenByTheDriver implements CommandListener {

		private final Map<String, ObjectId> serviceIds = new ConcurrentHashMap<>();

		private final AtomicInteger commands = new AtomicInteger();

		@Override
		public void commandSucceeded(CommandSucceededEvent event) {
			record(event.getConnectionDescription().getConnectionId().getLocalValue(),
					event.getConnectionDescription().getServiceId());
		}

		@Override
		public void commandFailed(CommandFailedEvent event) {
			record(event.getConnectionDescription().getConnectionId().getLocalValue(),
					event.getConnectionDescription().getServiceId());
		}

		private void record(long connectionId, ObjectId serviceId) {
			this.commands.incrementAndGet();
			if (serviceId != null) {
				this.serviceIds.put(String.valueOf(connectionId), serviceId);
			}
		}

		ObjectId serviceIdOf(String connectionId) {
			ObjectId serviceId = this.serviceIds.get(connectionId);
			assertThat(serviceId).as("the driver's serviceId of connection %s", connectionId).isNotNull();
			return serviceId;
		}

		int commands() {
			return this.commands.get();
		}

	}

}
