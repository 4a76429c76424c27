package io.mongolb.autoconfigure.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.e2e.TwoFronts;
import io.mongolb.autoconfigure.topology.LoadBalancedEvent;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The application events end to end: a Spring context with Spring Boot's MongoDB
 * auto-configuration and the starter, an {@link ApplicationListener} bean, and the real
 * driver talking through the embedded in-process balancer to two mongos-like fronts.
 */
@ExtendWith(OutputCaptureExtension.class)
class LoadBalancedEventsEndToEndTests {

	private EmbeddedLoadBalancedMongo mongo;

	private final Recorder recorder = new Recorder();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MongoAutoConfiguration.class, LoadBalancedMongoAutoConfiguration.class,
				LoadBalancedEventsAutoConfiguration.class))
		.withBean("recorder", Recorder.class, () -> this.recorder);

	@BeforeEach
	void start() {
		this.mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).start();
	}

	@AfterEach
	void stop() {
		this.recorder.release.countDown();
		this.mongo.close();
	}

	@Test
	void bothFrontsAreDiscoveredOnThePublishingThread() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + this.mongo.getConnectionString()).run((context) -> {
			assertThat(context).hasNotFailed();
			MongoCollection<Document> items = collection(context, "discovered");
			items.insertMany(List.of(new Document("_id", 1), new Document("_id", 2), new Document("_id", 3)));
			TwoFronts.openCursorsUntilBothServicesAreSeen(context.getBean(LoadBalancedTopology.class), items);
			await().untilAsserted(
					() -> assertThat(this.recorder.events).filteredOn(ServiceDiscoveredEvent.class::isInstance)
						.extracting(LoadBalancedApplicationEvent::getServiceId)
						.containsExactlyInAnyOrderElementsOf(this.mongo.getServiceIds()));
			assertThat(this.recorder.events).filteredOn(ServiceDiscoveredEvent.class::isInstance)
				.allSatisfy((event) -> {
					assertThat(event.getServiceSnapshot()).isNotNull();
					assertThat(event.getServiceSnapshot().serviceId()).isEqualTo(event.getServiceId());
					assertThat(event.getEvent().type()).isEqualTo(LoadBalancedEvent.Type.SERVICE_DISCOVERED);
					assertThat(event.getTopology()).isSameAs(context.getBean(LoadBalancedTopology.class));
				});
			assertThat(this.recorder.threads).containsOnly(LoadBalancedEventPublisher.THREAD_NAME);
			LoadBalancedEventPublisher publisher = context.getBean(LoadBalancedEventPublisher.class);
			assertThat(publisher.isActive()).isTrue();
			assertThat(publisher.getDroppedCount()).isZero();
		});
	}

	@Test
	void aClosedConnectionPublishesAPoolClearForThatService() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + this.mongo.getConnectionString()).run((context) -> {
			MongoCollection<Document> items = collection(context, "cleared");
			items.insertMany(List.of(new Document("_id", 1), new Document("_id", 2), new Document("_id", 3)));
			TwoFronts.openCursorsUntilBothServicesAreSeen(context.getBean(LoadBalancedTopology.class), items);
			ObjectId failing = this.mongo.getServiceId(0);
			failFinds(0, 1);
			causePoolClears(context, items, 1);
			await().untilAsserted(() -> assertThat(this.recorder.events).filteredOn(PoolClearedEvent.class::isInstance)
				.singleElement()
				.satisfies((event) -> {
					assertThat(event.getServiceId()).isEqualTo(failing);
					assertThat(event.getEvent().type()).isEqualTo(LoadBalancedEvent.Type.POOL_CLEARED);
					assertThat(event.getServiceSnapshot().poolClears()).isOne();
					assertThat(event.getServiceSnapshot().lastPoolClear()).isNotNull();
					assertThat(event.getServiceSnapshot().lastError()).startsWith("MongoSocket");
				}));
		});
	}

	/**
	 * A listener that blocks while the application runs commands that cause more events
	 * than the queue holds (pool clears after connections closed by the fronts): every
	 * command completes, the queue stays within its capacity, the events it could not
	 * hold are counted, and once the listener returns the queued ones follow.
	 */
	@Test
	void aBlockedListenerHoldsUpNoCommand() throws Exception {
		int capacity = 2;
		this.recorder.blockOnFirst();
		this.runner
			.withPropertyValues("spring.mongodb.uri=" + this.mongo.getConnectionString(),
					"mongodb.load-balanced.events.publish-capacity=" + capacity)
			.run((context) -> {
				LoadBalancedTopology topology = context.getBean(LoadBalancedTopology.class);
				LoadBalancedEventPublisher publisher = context.getBean(LoadBalancedEventPublisher.class);
				List<LoadBalancedEvent> offered = new CopyOnWriteArrayList<>();
				topology.addEventListener(recordPublishedTypes(offered));
				MongoCollection<Document> items = collection(context, "blocked");
				items.insertMany(List.of(new Document("_id", 1), new Document("_id", 2), new Document("_id", 3)));
				assertThat(this.recorder.entered.await(10, TimeUnit.SECONDS)).isTrue();
				failFinds(0, 10);
				failFinds(1, 10);
				int maxQueued = 0;
				long started = System.nanoTime();
				for (int i = 0; i < 40 && publisher.getOfferedCount() < capacity + 6; i++) {
					causePoolClears(context, items, 1);
					maxQueued = Math.max(maxQueued, publisher.getQueuedCount());
				}
				Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
				// The commands ran while the listener was blocked.
				assertThat(this.recorder.release.getCount()).isOne();
				assertThat(elapsed).isLessThan(Duration.ofSeconds(30));
				long total = publisher.getOfferedCount();
				assertThat(total).isGreaterThanOrEqualTo(capacity + 6);
				assertThat(maxQueued).isLessThanOrEqualTo(capacity);
				assertThat(publisher.getQueuedCount()).isEqualTo(capacity);
				assertThat(publisher.getPublishedCount()).isZero();
				assertThat(publisher.getDroppedCount()).isEqualTo(total - 1 - capacity);
				// The publisher was offered every event of its types that the topology
				// recorded (the test's listener was added before the first command).
				assertThat(offered).hasSize((int) total);
				assertThat(offered.get(0)).isSameAs(this.recorder.events.get(0).getEvent());

				this.recorder.release.countDown();
				await().until(() -> publisher.getPublishedCount() + publisher.getDroppedCount() == total);
				assertThat(publisher.getPublishedCount()).isEqualTo(1 + capacity);
				assertThat(this.recorder.events).hasSize(1 + capacity);
				assertThat(this.recorder.events.get(0)).isInstanceOf(ServiceDiscoveredEvent.class);
				assertThat(this.recorder.events.subList(1, 1 + capacity))
					.extracting(LoadBalancedApplicationEvent::getEvent)
					.containsExactlyElementsOf(offered.subList(1, 1 + capacity));
				assertThat(publisher.getQueuedCount()).isZero();
			});
	}

	@Test
	void aListenerThatThrowsFailsNoCommandAndLaterEventsAreDelivered(CapturedOutput output) {
		this.recorder.throwOn(ServiceDiscoveredEvent.class);
		this.runner.withPropertyValues("spring.mongodb.uri=" + this.mongo.getConnectionString()).run((context) -> {
			MongoCollection<Document> items = collection(context, "throwing");
			items.insertMany(List.of(new Document("_id", 1), new Document("_id", 2), new Document("_id", 3)));
			TwoFronts.openCursorsUntilBothServicesAreSeen(context.getBean(LoadBalancedTopology.class), items);
			assertThat(items.countDocuments()).isEqualTo(3);
			LoadBalancedEventPublisher publisher = context.getBean(LoadBalancedEventPublisher.class);
			await().until(() -> publisher.getListenerFailureCount() == 2);
			failFinds(1, 1);
			causePoolClears(context, items, 1);
			await().untilAsserted(() -> assertThat(this.recorder.events).filteredOn(PoolClearedEvent.class::isInstance)
				.singleElement()
				.satisfies((event) -> assertThat(event.getServiceId()).isEqualTo(this.mongo.getServiceId(1))));
			assertThat(output.getOut().split("A listener failed on the MongoDB load-balanced event", -1)).hasSize(2);
			assertThat(output.getOut()).contains("java.lang.IllegalStateException: listener broken");
		});
	}

	@Test
	void withoutLoadBalancedModeNothingIsPublished() {
		// A front's normal port, without loadBalanced=true: the starter stays inert.
		this.runner.withPropertyValues("spring.mongodb.uri=" + this.mongo.getFrontConnectionString(0))
			.run((context) -> {
				collection(context, "plain").insertOne(new Document("_id", 1));
				LoadBalancedEventPublisher publisher = context.getBean(LoadBalancedEventPublisher.class);
				assertThat(publisher.isActive()).isFalse();
				assertThat(publisher.isRunning()).isFalse();
				assertThat(publisher.getOfferedCount()).isZero();
				assertThat(this.recorder.events).isEmpty();
			});
	}

	private static MongoCollection<Document> collection(AssertableApplicationContext context, String name) {
		MongoCollection<Document> collection = context.getBean(MongoClient.class)
			.getDatabase("e2e")
			.getCollection(name);
		collection.drop();
		return collection;
	}

	private static Consumer<LoadBalancedEvent> recordPublishedTypes(List<LoadBalancedEvent> offered) {
		return (event) -> {
			if (event.type() == LoadBalancedEvent.Type.SERVICE_DISCOVERED
					|| event.type() == LoadBalancedEvent.Type.POOL_CLEARED) {
				offered.add(event);
			}
		};
	}

	// The next finds on a front close their connection without a reply.
	private void failFinds(int front, int times) {
		try (MongoClient admin = MongoClients.create(this.mongo.getFrontConnectionString(front))) {
			admin.getDatabase("admin")
				.runCommand(new Document("configureFailPoint", "failCommand")
					.append("mode", new Document("times", times))
					.append("data", new Document("failCommands", List.of("find")).append("closeConnection", true)));
		}
	}

	/*
	 * Pooled connections are reused, and round robin only places new ones: hold cursors
	 * open so that each find needs a new connection, until one reaches a failing front
	 * and the driver clears that service's connections.
	 */
	private static void causePoolClears(AssertableApplicationContext context, MongoCollection<Document> items,
			int clears) {
		LoadBalancedTopology topology = context.getBean(LoadBalancedTopology.class);
		long before = poolClears(topology);
		List<MongoCursor<Document>> cursors = new ArrayList<>();
		try {
			for (int i = 0; i < 10 && poolClears(topology) < before + clears; i++) {
				try {
					cursors.add(items.find().batchSize(1).iterator());
				}
				catch (MongoException ex) {
					// The expected network error on the failing front.
				}
			}
		}
		finally {
			cursors.forEach(MongoCursor::close);
		}
		assertThat(poolClears(topology)).isGreaterThanOrEqualTo(before + clears);
	}

	private static long poolClears(LoadBalancedTopology topology) {
		return topology.snapshot().services().stream().mapToLong((service) -> service.poolClears()).sum();
	}

	/**
	 * The application's listener: records what it receives and where, and can block on
	 * its first event or throw on a type.
	 */
	static final class Recorder implements ApplicationListener<LoadBalancedApplicationEvent> {

		final List<LoadBalancedApplicationEvent> events = new CopyOnWriteArrayList<>();

		final Set<String> threads = ConcurrentHashMap.newKeySet();

		final CountDownLatch entered = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		private volatile boolean block;

		private volatile Class<?> throwOn;

		void blockOnFirst() {
			this.block = true;
		}

		void throwOn(Class<?> type) {
			this.throwOn = type;
		}

		@Override
		public void onApplicationEvent(LoadBalancedApplicationEvent event) {
			this.threads.add(Thread.currentThread().getName());
			if (this.throwOn != null && this.throwOn.isInstance(event)) {
				throw new IllegalStateException("listener broken on " + event.getServiceId());
			}
			this.events.add(event);
			if (this.block && this.entered.getCount() == 1) {
				this.entered.countDown();
				try {
					// Bounded, so that a failing test cannot hang the build.
					this.release.await(60, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
		}

	}

}
