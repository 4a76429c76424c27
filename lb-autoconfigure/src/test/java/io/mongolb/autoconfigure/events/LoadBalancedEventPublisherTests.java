package io.mongolb.autoconfigure.events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import com.mongodb.MongoSocketReadException;
import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ConnectionDescription;
import com.mongodb.connection.ConnectionId;
import com.mongodb.connection.ConnectionPoolSettings;
import com.mongodb.connection.ServerId;
import com.mongodb.connection.ServerType;
import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandSucceededEvent;
import com.mongodb.event.ConnectionCheckedOutEvent;
import com.mongodb.event.ConnectionClosedEvent;
import com.mongodb.event.ConnectionCreatedEvent;
import com.mongodb.event.ConnectionPoolClearedEvent;
import com.mongodb.event.ConnectionPoolCreatedEvent;
import io.mongolb.autoconfigure.topology.LoadBalancedEvent;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.MutableClock;
import io.mongolb.autoconfigure.topology.ServiceObserver;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;
import org.springframework.context.support.GenericApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The publisher between a real topology model and a real Spring context. To make many
 * events quickly without a cluster, the topology's listeners are fed the MongoDB driver's
 * own event objects, as the driver would send them (as in the topology's tests); the
 * end-to-end tests do the same with the real driver and the embedded server.
 */
@ExtendWith(OutputCaptureExtension.class)
class LoadBalancedEventPublisherTests {

	private static final ServerId SERVER = new ServerId(new ClusterId("test"),
			new ServerAddress("lb.example.net", 27017));

	private final MutableClock clock = new MutableClock();

	private final List<LoadBalancedApplicationEvent> received = new CopyOnWriteArrayList<>();

	private final GenericApplicationContext context = new GenericApplicationContext();

	private LoadBalancedEventPublisher publisher;

	@AfterEach
	void close() {
		if (this.publisher != null) {
			this.publisher.stop();
		}
		this.context.close();
	}

	@Test
	void eachServiceEventIsPublishedWithTheServiceAsItWas() {
		LoadBalancedTopology topology = new LoadBalancedTopology(1, Duration.ofSeconds(30), 64, this.clock, (event) -> {
		});
		start(topology, 16, this.received::add);
		ObjectId a = new ObjectId();
		open(topology, 1);
		succeed(topology, 1, a);
		await().until(() -> this.received.size() == 1);
		assertThat(this.received.get(0)).isInstanceOfSatisfying(ServiceDiscoveredEvent.class, (event) -> {
			assertThat(event.getServiceId()).isEqualTo(a);
			assertThat(event.getEvent().type()).isEqualTo(LoadBalancedEvent.Type.SERVICE_DISCOVERED);
			assertThat(event.getTopology()).isSameAs(topology);
			assertThat(event.getServiceSnapshot()).isNotNull();
			assertThat(event.getServiceSnapshot().serviceId()).isEqualTo(a);
			assertThat(event.getServiceSnapshot().firstSeen()).isEqualTo(this.clock.instant());
			// Taken as the event is published: the command that discovered the service
			// is counted once its event has returned, so perhaps not yet.
			assertThat(event.getServiceSnapshot().commandsSucceeded()).isBetween(0L, 1L);
		});
		succeed(topology, 1, a);
		fail(topology, 1, a);
		this.clock.advance(Duration.ofSeconds(1));
		topology.connectionPoolListener().connectionPoolCleared(new ConnectionPoolClearedEvent(SERVER, a));
		await().until(() -> this.received.size() == 2);
		assertThat(this.received.get(1)).isInstanceOfSatisfying(PoolClearedEvent.class, (event) -> {
			assertThat(event.getServiceId()).isEqualTo(a);
			assertThat(event.getServiceSnapshot().poolClears()).isOne();
			assertThat(event.getServiceSnapshot().lastPoolClear()).isEqualTo(this.clock.instant());
			assertThat(event.getServiceSnapshot().lastError()).isEqualTo("MongoSocketReadException: connection reset");
		});
		// One more command after the last event the publisher saw: only the eviction
		// tells it.
		succeed(topology, 1, a);
		ServiceSnapshot before = topology.snapshot().services().get(0);
		topology.connectionPoolListener()
			.connectionClosed(new ConnectionClosedEvent(connectionId(1), ConnectionClosedEvent.Reason.ERROR));
		this.clock.advance(Duration.ofSeconds(1));
		// At most one service is tracked: b evicts a, which has no connection left.
		ObjectId b = new ObjectId();
		open(topology, 2);
		succeed(topology, 2, b);
		await().until(() -> this.received.size() == 4);
		assertThat(this.received.get(2)).isInstanceOfSatisfying(ServiceEvictedEvent.class, (event) -> {
			assertThat(event.getServiceId()).isEqualTo(a);
			assertThat(event.getReason()).isEqualTo(ServiceObserver.Removal.EVICTED);
			assertThat(event.isExpired()).isFalse();
			ServiceSnapshot last = event.getServiceSnapshot();
			// Final counters, read when a stopped being tracked; the times as last seen.
			assertThat(last.commandsSucceeded()).isEqualTo(3);
			assertThat(last.commandsFailed()).isOne();
			assertThat(last.poolClears()).isOne();
			assertThat(last.openConnections()).isZero();
			assertThat(last.connectionsInUse()).isZero();
			assertThat(last.firstSeen()).isEqualTo(before.firstSeen());
			assertThat(last.lastError()).isEqualTo("MongoSocketReadException: connection reset");
			assertThat(topology.snapshot().services()).extracting(ServiceSnapshot::serviceId).containsExactly(b);
		});
		assertThat(this.received.get(3)).isInstanceOf(ServiceDiscoveredEvent.class)
			.satisfies((event) -> assertThat(event.getServiceId()).isEqualTo(b));
		topology.connectionPoolListener()
			.connectionClosed(new ConnectionClosedEvent(connectionId(2), ConnectionClosedEvent.Reason.IDLE));
		this.clock.advance(Duration.ofHours(2));
		assertThat(topology.expireIdleServices(Duration.ofHours(1))).isOne();
		await().until(() -> this.received.size() == 5);
		assertThat(this.received.get(4)).isInstanceOfSatisfying(ServiceEvictedEvent.class, (event) -> {
			assertThat(event.getServiceId()).isEqualTo(b);
			assertThat(event.getReason()).isEqualTo(ServiceObserver.Removal.EXPIRED);
			assertThat(event.isExpired()).isTrue();
			assertThat(event.getServiceSnapshot().commandsSucceeded()).isOne();
		});
		assertThat(this.publisher.getOfferedCount()).isEqualTo(5);
		assertThat(this.publisher.getPublishedCount()).isEqualTo(5);
		assertThat(this.publisher.getDroppedCount()).isZero();
	}

	@Test
	void onlyServiceEventsArePublished() {
		LoadBalancedTopology topology = new LoadBalancedTopology(4, Duration.ofSeconds(30), 64);
		start(topology, 16, this.received::add);
		topology.connectionPoolListener()
			.connectionPoolCreated(new ConnectionPoolCreatedEvent(SERVER, ConnectionPoolSettings.builder().build()));
		ObjectId a = new ObjectId();
		open(topology, 1);
		succeed(topology, 1, a);
		await().until(() -> this.publisher.getPublishedCount() == 1);
		assertThat(topology.snapshot().recentEvents()).extracting(LoadBalancedEvent::type)
			.containsExactly(LoadBalancedEvent.Type.POOL_CREATED, LoadBalancedEvent.Type.SERVICE_DISCOVERED);
		assertThat(this.received).singleElement().isInstanceOf(ServiceDiscoveredEvent.class);
		assertThat(this.publisher.getOfferedCount()).isOne();
	}

	/**
	 * A listener that blocks while the topology records far more events than the queue
	 * holds: the recording threads (the driver's, in an application) never wait, the
	 * queue never holds more than its capacity, every event is either published or
	 * counted as dropped, and once the listener returns the queued events follow.
	 */
	@Test
	void aBlockedListenerHoldsUpNoRecordingAndLosesOnlyWhatTheQueueCannotHold(CapturedOutput output) throws Exception {
		int capacity = 8;
		LoadBalancedTopology topology = new LoadBalancedTopology(8, Duration.ofSeconds(30), 16);
		// Every event of the published types, in the order each recording thread saw it.
		Queue<LoadBalancedEvent> recorded = new ConcurrentLinkedQueue<>();
		topology.addEventListener((event) -> {
			if (event.type() == LoadBalancedEvent.Type.SERVICE_DISCOVERED
					|| event.type() == LoadBalancedEvent.Type.POOL_CLEARED) {
				recorded.add(event);
			}
		});
		CountDownLatch entered = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		start(topology, capacity, (event) -> {
			this.received.add(event);
			entered.countDown();
			awaitBounded(release);
		});
		ObjectId first = new ObjectId();
		open(topology, 100);
		succeed(topology, 100, first);
		assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
		int threads = 4;
		int clearsPerThread = 250;
		AtomicInteger maxQueued = new AtomicInteger();
		AtomicBoolean flooding = new AtomicBoolean(true);
		ExecutorService executor = Executors.newFixedThreadPool(threads + 1);
		try {
			Future<?> sampler = executor.submit(() -> {
				while (flooding.get()) {
					maxQueued.accumulateAndGet(this.publisher.getQueuedCount(), Math::max);
				}
			});
			List<Future<?>> floods = new ArrayList<>();
			long started = System.nanoTime();
			for (int t = 0; t < threads; t++) {
				ObjectId service = new ObjectId();
				floods.add(executor.submit(() -> {
					for (int i = 0; i < clearsPerThread; i++) {
						topology.connectionPoolListener()
							.connectionPoolCleared(new ConnectionPoolClearedEvent(SERVER, service));
					}
				}));
			}
			for (Future<?> flood : floods) {
				flood.get(30, TimeUnit.SECONDS);
			}
			Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
			flooding.set(false);
			sampler.get(10, TimeUnit.SECONDS);
			// All recorded while the listener was still blocked: nothing waited for it.
			assertThat(release.getCount()).isOne();
			assertThat(elapsed).isLessThan(Duration.ofSeconds(20));
		}
		finally {
			flooding.set(false);
			executor.shutdownNow();
		}
		// 1 discovery, then per thread 1 discovery and its pool clears.
		long total = 1 + threads * (1 + clearsPerThread);
		assertThat(recorded).hasSize((int) total);
		assertThat(this.publisher.getOfferedCount()).isEqualTo(total);
		assertThat(maxQueued.get()).isBetween(1, capacity);
		assertThat(this.publisher.getQueuedCount()).isEqualTo(capacity);
		// One event is with the blocked listener, the queue is full, the rest dropped.
		assertThat(this.publisher.getDroppedCount()).isEqualTo(total - 1 - capacity);
		assertThat(this.publisher.getPublishedCount()).isZero();
		assertThat(this.received).hasSize(1);

		release.countDown();
		await().until(() -> this.publisher.getPublishedCount() + this.publisher.getDroppedCount() == total);
		assertThat(this.publisher.getPublishedCount()).isEqualTo(1 + capacity);
		assertThat(this.publisher.getQueuedCount()).isZero();
		assertThat(this.received).hasSize(1 + capacity);
		// Each delivered event is a distinct one of those recorded (records of the same
		// ms can be equal: compare identities).
		Set<LoadBalancedEvent> delivered = Collections.newSetFromMap(new IdentityHashMap<>());
		this.received.forEach((event) -> delivered.add(event.getEvent()));
		assertThat(delivered).hasSize(1 + capacity);
		Set<LoadBalancedEvent> recordedIdentities = Collections.newSetFromMap(new IdentityHashMap<>());
		recordedIdentities.addAll(recorded);
		assertThat(delivered).allSatisfy((event) -> assertThat(recordedIdentities.contains(event)).isTrue());
		assertThat(this.received.get(0).getEvent()).isSameAs(recorded.peek());
		await().untilAsserted(() -> assertThat(output.getOut())
			.contains((total - 1 - capacity) + " MongoDB load-balanced event(s) were not published: the queue of "
					+ capacity + " (mongodb.load-balanced.events.publish-capacity) was full"));

		// The publisher goes on: a later event is delivered.
		ObjectId later = new ObjectId();
		topology.connectionPoolListener().connectionPoolCleared(new ConnectionPoolClearedEvent(SERVER, later));
		await().until(() -> this.received.size() == 1 + capacity + 2);
		assertThat(this.received.subList(1 + capacity, 1 + capacity + 2))
			.extracting(LoadBalancedApplicationEvent::getServiceId)
			.containsExactly(later, later);
		assertThat(this.publisher.getOfferedCount())
			.isEqualTo(this.publisher.getPublishedCount() + this.publisher.getDroppedCount());
	}

	@Test
	void aListenerThatThrowsIsLoggedOncePerBurstAndLaterEventsAreStillPublished(CapturedOutput output) {
		LoadBalancedTopology topology = new LoadBalancedTopology(8, Duration.ofSeconds(30), 64);
		start(topology, 16, (event) -> {
			if (event instanceof ServiceDiscoveredEvent) {
				throw new IllegalStateException("listener broken on " + event.getServiceId());
			}
			this.received.add(event);
		});
		ObjectId a = new ObjectId();
		ObjectId b = new ObjectId();
		open(topology, 1);
		open(topology, 2);
		// The recording threads do not see what the listener throws.
		succeed(topology, 1, a);
		succeed(topology, 2, b);
		await().until(() -> this.publisher.getListenerFailureCount() == 2);
		topology.connectionPoolListener().connectionPoolCleared(new ConnectionPoolClearedEvent(SERVER, a));
		await().until(() -> this.received.size() == 1);
		assertThat(this.received.get(0)).isInstanceOf(PoolClearedEvent.class);
		assertThat(this.publisher.getPublishedCount()).isEqualTo(3);
		String out = output.getOut();
		assertThat(out.split("A listener failed on the MongoDB load-balanced event", -1)).hasSize(2);
		assertThat(out)
			.contains("A listener failed on the MongoDB load-balanced event SERVICE_DISCOVERED of service " + a
					+ "; the listeners after it did not receive that event")
			.contains("java.lang.IllegalStateException: listener broken on " + a)
			.contains("MongoDB load-balanced events are published without failure again, after 2 failed");
	}

	@Test
	void eventsRecordedBeforeStartArePublishedOnceStartedAndStopEndsTheThread() {
		LoadBalancedTopology topology = new LoadBalancedTopology(8, Duration.ofSeconds(30), 64);
		this.context.addApplicationListener(listener(this.received::add));
		this.context.refresh();
		this.publisher = new LoadBalancedEventPublisher(topology, this.context, 4);
		open(topology, 1);
		succeed(topology, 1, new ObjectId());
		assertThat(this.publisher.getQueuedCount()).isOne();
		assertThat(publishingThreads()).isZero();
		this.publisher.start();
		assertThat(this.publisher.isRunning()).isTrue();
		await().until(() -> this.received.size() == 1);
		assertThat(publishingThreads()).isOne();
		this.publisher.stop();
		assertThat(this.publisher.isRunning()).isFalse();
		assertThat(publishingThreads()).isZero();
	}

	@Test
	void anInactivePublisherNeitherListensNorRunsAThread() {
		LoadBalancedTopology topology = new LoadBalancedTopology(8, Duration.ofSeconds(30), 64);
		this.context.refresh();
		this.publisher = new LoadBalancedEventPublisher(topology, this.context, 4, false);
		this.publisher.start();
		open(topology, 1);
		succeed(topology, 1, new ObjectId());
		assertThat(this.publisher.isActive()).isFalse();
		assertThat(this.publisher.isRunning()).isFalse();
		assertThat(this.publisher.getOfferedCount()).isZero();
		assertThat(publishingThreads()).isZero();
	}

	private void start(LoadBalancedTopology topology, int capacity, Consumer<LoadBalancedApplicationEvent> listener) {
		this.context.addApplicationListener(listener(listener));
		this.context.refresh();
		this.publisher = new LoadBalancedEventPublisher(topology, this.context, capacity);
		this.publisher.start();
	}

	private static ApplicationListener<LoadBalancedApplicationEvent> listener(
			Consumer<LoadBalancedApplicationEvent> listener) {
		return listener::accept;
	}

	private static long publishingThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().equals(LoadBalancedEventPublisher.THREAD_NAME) && thread.isAlive())
			.count();
	}

	private static void awaitBounded(CountDownLatch latch) {
		try {
			// Bounded, so that a failing test cannot hang the build.
			latch.await(60, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static void open(LoadBalancedTopology topology, long id) {
		topology.connectionPoolListener().connectionCreated(new ConnectionCreatedEvent(connectionId(id)));
		topology.connectionPoolListener().connectionCheckedOut(new ConnectionCheckedOutEvent(connectionId(id), 1, 0));
	}

	private static void succeed(LoadBalancedTopology topology, long connection, ObjectId serviceId) {
		topology.commandListener()
			.commandSucceeded(new CommandSucceededEvent(null, 1, 1, description(connection, serviceId), "app", "find",
					new BsonDocument(), 1000));
	}

	private static void fail(LoadBalancedTopology topology, long connection, ObjectId serviceId) {
		topology.commandListener()
			.commandFailed(new CommandFailedEvent(null, 1, 1, description(connection, serviceId), "app", "find", 1000,
					new MongoSocketReadException("connection reset", SERVER.getAddress())));
	}

	private static ConnectionId connectionId(long id) {
		return new ConnectionId(SERVER, id, null);
	}

	private static ConnectionDescription description(long connection, ObjectId serviceId) {
		return new ConnectionDescription(serviceId, new ConnectionId(SERVER, connection, 40_000 + connection), 21,
				ServerType.LOAD_BALANCER, 1000, 16_000_000, 48_000_000, List.of(), new BsonArray());
	}

}
