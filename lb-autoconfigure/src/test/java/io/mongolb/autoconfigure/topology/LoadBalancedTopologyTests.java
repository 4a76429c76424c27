package io.mongolb.autoconfigure.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.mongodb.MongoSocketReadException;
import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ConnectionDescription;
import com.mongodb.connection.ConnectionId;
import com.mongodb.connection.ServerId;
import com.mongodb.connection.ServerType;
import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandSucceededEvent;
import com.mongodb.event.ConnectionCheckedInEvent;
import com.mongodb.event.ConnectionCheckedOutEvent;
import com.mongodb.event.ConnectionClosedEvent;
import com.mongodb.event.ConnectionCreatedEvent;
import com.mongodb.event.ConnectionPoolClearedEvent;
import com.mongodb.event.ConnectionPoolListener;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The topology model fed with the MongoDB driver's own event objects, as the driver would
 * send them.
 */
class LoadBalancedTopologyTests {

	private static final ServerId SERVER = new ServerId(new ClusterId("test"),
			new ServerAddress("lb.example.net", 27017));

	private final MutableClock clock = new MutableClock();

	private final List<LoadBalancedEvent> published = new ArrayList<>();

	private final LoadBalancedTopology topology = new LoadBalancedTopology(3, Duration.ofSeconds(30), 16, this.clock,
			this.published::add);

	private final CommandListener commands = this.topology.commandListener();

	private final ConnectionPoolListener pool = this.topology.connectionPoolListener();

	@Test
	void commandsAreCountedPerServiceAndConnectionsCorrelated() {
		ObjectId a = new ObjectId();
		ObjectId b = new ObjectId();
		open(1);
		open(2);
		open(3);
		succeed(1, a);
		succeed(1, a);
		succeed(2, b);
		fail(3, b);
		LoadBalancedTopologySnapshot snapshot = this.topology.snapshot();
		assertThat(snapshot.openConnections()).isEqualTo(3);
		assertThat(service(snapshot, a)).satisfies((service) -> {
			assertThat(service.commandsSucceeded()).isEqualTo(2);
			assertThat(service.commandsFailed()).isZero();
			assertThat(service.openConnections()).isEqualTo(1);
		});
		assertThat(service(snapshot, b)).satisfies((service) -> {
			assertThat(service.commandsSucceeded()).isOne();
			assertThat(service.commandsFailed()).isOne();
			assertThat(service.openConnections()).isEqualTo(2);
			assertThat(service.lastError()).isEqualTo("MongoSocketReadException: connection reset");
		});
		assertThat(this.published).extracting(LoadBalancedEvent::type)
			.containsExactly(LoadBalancedEvent.Type.SERVICE_DISCOVERED, LoadBalancedEvent.Type.SERVICE_DISCOVERED);
	}

	@Test
	void closedConnectionsLeaveTheirService() {
		ObjectId a = new ObjectId();
		open(1);
		open(2);
		succeed(1, a);
		succeed(2, a);
		this.pool.connectionClosed(new ConnectionClosedEvent(connectionId(1), ConnectionClosedEvent.Reason.STALE));
		LoadBalancedTopologySnapshot snapshot = this.topology.snapshot();
		assertThat(snapshot.openConnections()).isOne();
		assertThat(service(snapshot, a).openConnections()).isOne();
		assertThat(service(snapshot, a).commandsSucceeded()).isEqualTo(2);
	}

	@Test
	void checkOutsAreTrackedAndLongOnesFlaggedPastTheLeakThreshold() {
		ObjectId a = new ObjectId();
		open(1);
		open(2);
		succeed(1, a);
		succeed(2, a);
		this.pool.connectionCheckedIn(new ConnectionCheckedInEvent(connectionId(2), 1));
		ServiceSnapshot service = service(this.topology.snapshot(), a);
		assertThat(service.connectionsInUse()).isOne();
		assertThat(service.connectionsPastLeakThreshold()).isZero();
		this.clock.advance(Duration.ofSeconds(31));
		assertThat(service(this.topology.snapshot(), a).connectionsPastLeakThreshold()).isOne();
		this.pool.connectionCheckedIn(new ConnectionCheckedInEvent(connectionId(1), 1));
		this.pool.connectionCheckedOut(new ConnectionCheckedOutEvent(connectionId(2), 1, 0));
		service = service(this.topology.snapshot(), a);
		assertThat(service.connectionsInUse()).isOne();
		assertThat(service.connectionsPastLeakThreshold()).isZero();
	}

	@Test
	void poolClearsAreCountedForTheirServiceOnly() {
		ObjectId a = new ObjectId();
		ObjectId b = new ObjectId();
		open(1);
		open(2);
		succeed(1, a);
		succeed(2, b);
		this.clock.advance(Duration.ofSeconds(5));
		this.pool.connectionPoolCleared(new ConnectionPoolClearedEvent(SERVER, a));
		LoadBalancedTopologySnapshot snapshot = this.topology.snapshot();
		assertThat(service(snapshot, a).poolClears()).isOne();
		assertThat(service(snapshot, a).lastPoolClear()).isEqualTo(this.clock.instant());
		assertThat(service(snapshot, b).poolClears()).isZero();
		assertThat(service(snapshot, b).lastPoolClear()).isNull();
		assertThat(snapshot.recentEvents()).last().satisfies((event) -> {
			assertThat(event.type()).isEqualTo(LoadBalancedEvent.Type.POOL_CLEARED);
			assertThat(event.serviceId()).isEqualTo(a);
		});
	}

	@Test
	void atTheBoundTheServiceIdleLongestWithoutOpenConnectionsIsEvicted() {
		ObjectId first = new ObjectId();
		ObjectId second = new ObjectId();
		ObjectId third = new ObjectId();
		open(1);
		succeed(1, first);
		this.clock.advance(Duration.ofSeconds(1));
		open(2);
		succeed(2, second);
		this.clock.advance(Duration.ofSeconds(1));
		open(3);
		succeed(3, third);
		// 'first' is idle longest but still has an open connection; 'second' has none
		// left.
		this.pool.connectionClosed(new ConnectionClosedEvent(connectionId(2), ConnectionClosedEvent.Reason.IDLE));
		this.clock.advance(Duration.ofSeconds(1));
		ObjectId fourth = new ObjectId();
		open(4);
		succeed(4, fourth);
		LoadBalancedTopologySnapshot snapshot = this.topology.snapshot();
		assertThat(snapshot.services()).extracting(ServiceSnapshot::serviceId).containsExactly(fourth, third, first);
		assertThat(snapshot.evictedServices()).isOne();
		assertThat(snapshot.recentEvents())
			.filteredOn((event) -> event.type() == LoadBalancedEvent.Type.SERVICE_EVICTED)
			.singleElement()
			.satisfies((event) -> assertThat(event.serviceId()).isEqualTo(second));
		// With every service holding a connection, a newcomer is not tracked: its
		// commands are only counted.
		this.clock.advance(Duration.ofSeconds(1));
		ObjectId fifth = new ObjectId();
		open(5);
		succeed(5, fifth);
		succeed(5, fifth);
		snapshot = this.topology.snapshot();
		assertThat(snapshot.services()).extracting(ServiceSnapshot::serviceId).containsExactly(fourth, third, first);
		assertThat(snapshot.untrackedServices()).isOne();
		assertThat(snapshot.untrackedCommands()).isEqualTo(2);
		assertThat(snapshot.evictedServices()).isOne();
		assertThat(snapshot.recentEvents())
			.filteredOn((event) -> event.type() == LoadBalancedEvent.Type.SERVICE_UNTRACKED)
			.singleElement()
			.satisfies((event) -> assertThat(event.serviceId()).isEqualTo(fifth));
		// Once a tracked service has no connection left, the newcomer gets its place.
		this.pool.connectionClosed(new ConnectionClosedEvent(connectionId(1), ConnectionClosedEvent.Reason.IDLE));
		succeed(5, fifth);
		snapshot = this.topology.snapshot();
		assertThat(snapshot.services()).extracting(ServiceSnapshot::serviceId).containsExactly(fifth, fourth, third);
		assertThat(snapshot.untrackedServices()).isZero();
		assertThat(snapshot.evictedServices()).isEqualTo(2);
	}

	@Test
	void moreLiveServicesThanTheBoundNeverThrashWhileSnapshotsAreRead() throws Exception {
		LoadBalancedTopology bounded = new LoadBalancedTopology(2, Duration.ofSeconds(30), 64);
		CommandListener boundedCommands = bounded.commandListener();
		ConnectionPoolListener boundedPool = bounded.connectionPoolListener();
		ObjectId[] serviceIds = { new ObjectId(), new ObjectId(), new ObjectId(), new ObjectId() };
		int writers = 4;
		int commands = 5_000;
		ExecutorService executor = Executors.newFixedThreadPool(writers + 1);
		CountDownLatch start = new CountDownLatch(1);
		AtomicBoolean writing = new AtomicBoolean(true);
		AtomicInteger largestSeen = new AtomicInteger();
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < writers; t++) {
				int thread = t;
				futures.add(executor.submit(() -> {
					start.await();
					// Each writer keeps one connection open to its own service: four live
					// services, bound two.
					ConnectionDescription description = description(100 + thread, serviceIds[thread]);
					boundedPool.connectionCreated(new ConnectionCreatedEvent(connectionId(100 + thread)));
					for (int i = 0; i < commands; i++) {
						boundedCommands.commandSucceeded(new CommandSucceededEvent(null, i, i, description, "app",
								"find", new BsonDocument(), 1));
					}
					return null;
				}));
			}
			Future<?> reader = executor.submit(() -> {
				start.await();
				while (writing.get()) {
					largestSeen.accumulateAndGet(bounded.snapshot().services().size(), Math::max);
				}
				return null;
			});
			start.countDown();
			for (Future<?> future : futures) {
				future.get(60, TimeUnit.SECONDS);
			}
			writing.set(false);
			reader.get(60, TimeUnit.SECONDS);
		}
		finally {
			executor.shutdownNow();
		}
		LoadBalancedTopologySnapshot snapshot = bounded.snapshot();
		assertThat(largestSeen.get()).isLessThanOrEqualTo(2);
		assertThat(snapshot.services()).hasSize(2);
		assertThat(snapshot.evictedServices()).isZero();
		assertThat(snapshot.untrackedServices()).isEqualTo(2);
		assertThat(snapshot.services().stream().mapToLong(ServiceSnapshot::commandsSucceeded).sum()
				+ snapshot.untrackedCommands())
			.isEqualTo((long) writers * commands);
		// Two discoveries and two refusals: the event log did not fill with churn.
		assertThat(snapshot.recentEvents()).hasSize(4);
	}

	@Test
	void theUntrackedServiceEventGivesTheAdviceOfTheHints() {
		assertThat(untrackedEventText(new LoadBalancedTopology(1, Duration.ofSeconds(30), 8)))
			.isEqualTo("all 1 tracked services have open connections (raise maxServices above the number of mongos)");
		LoadBalancedTopology configured = new LoadBalancedTopology(1, Duration.ofSeconds(30), 8,
				new LoadBalancedTopology.Hints("raise app.mongos.bound"));
		assertThat(untrackedEventText(configured))
			.isEqualTo("all 1 tracked services have open connections (raise app.mongos.bound)");
	}

	@Test
	void theListenersAreTheSameOnEveryCall() {
		assertThat(this.topology.clusterListener()).isSameAs(this.topology.clusterListener());
		assertThat(this.topology.serverListener()).isSameAs(this.topology.serverListener());
		assertThat(this.topology.commandListener()).isSameAs(this.commands);
		assertThat(this.topology.connectionPoolListener()).isSameAs(this.pool);
	}

	private static String untrackedEventText(LoadBalancedTopology topology) {
		ObjectId tracked = new ObjectId();
		ObjectId refused = new ObjectId();
		for (ObjectId serviceId : List.of(tracked, refused)) {
			long connection = (serviceId == tracked) ? 1 : 2;
			topology.connectionPoolListener().connectionCreated(new ConnectionCreatedEvent(connectionId(connection)));
			topology.commandListener()
				.commandSucceeded(new CommandSucceededEvent(null, 1, 1, description(connection, serviceId), "app",
						"find", new BsonDocument(), 1));
		}
		LoadBalancedEvent event = topology.snapshot()
			.recentEvents()
			.stream()
			.filter((candidate) -> candidate.type() == LoadBalancedEvent.Type.SERVICE_UNTRACKED)
			.findFirst()
			.orElseThrow();
		assertThat(event.serviceId()).isEqualTo(refused);
		String prefix = "Service " + refused + " not tracked: ";
		assertThat(event.description()).startsWith(prefix);
		return event.description().substring(prefix.length());
	}

	@Test
	void eventsAreBounded() {
		LoadBalancedTopology small = new LoadBalancedTopology(100, Duration.ofSeconds(30), 4);
		for (int i = 0; i < 10; i++) {
			small.connectionPoolListener()
				.connectionPoolCleared(new ConnectionPoolClearedEvent(SERVER, new ObjectId()));
		}
		assertThat(small.snapshot().recentEvents()).hasSize(4);
	}

	@Test
	void commandsWithoutServiceIdAreIgnored() {
		ConnectionDescription plain = new ConnectionDescription(connectionId(1), 21, ServerType.SHARD_ROUTER, 1000,
				16_000_000, 48_000_000, List.of());
		this.commands
			.commandSucceeded(new CommandSucceededEvent(null, 1, 1, plain, "admin", "ping", new BsonDocument(), 1));
		assertThat(this.topology.snapshot().services()).isEmpty();
	}

	@Test
	void concurrentUpdatesFromSeveralThreadsAreAllCounted() throws Exception {
		LoadBalancedTopology shared = new LoadBalancedTopology(32, Duration.ofSeconds(30), 256);
		CommandListener sharedCommands = shared.commandListener();
		ConnectionPoolListener sharedPool = shared.connectionPoolListener();
		int threads = 4;
		int connectionsPerThread = 8;
		int commandsPerConnection = 500;
		ObjectId[] serviceIds = { new ObjectId(), new ObjectId(), new ObjectId() };
		ExecutorService executor = Executors.newFixedThreadPool(threads);
		CountDownLatch start = new CountDownLatch(1);
		try {
			List<Future<?>> futures = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int thread = t;
				futures.add(executor.submit(() -> {
					start.await();
					for (int c = 0; c < connectionsPerThread; c++) {
						long id = 1000L * thread + c;
						ObjectId serviceId = serviceIds[(int) (id % serviceIds.length)];
						ConnectionDescription description = description(id, serviceId);
						sharedPool.connectionCreated(new ConnectionCreatedEvent(connectionId(id)));
						for (int i = 0; i < commandsPerConnection; i++) {
							sharedPool.connectionCheckedOut(new ConnectionCheckedOutEvent(connectionId(id), i, 0));
							sharedCommands.commandSucceeded(new CommandSucceededEvent(null, i, i, description, "app",
									"find", new BsonDocument(), 1));
							sharedPool.connectionCheckedIn(new ConnectionCheckedInEvent(connectionId(id), i));
						}
						if (c % 2 == 0) {
							sharedPool.connectionClosed(
									new ConnectionClosedEvent(connectionId(id), ConnectionClosedEvent.Reason.IDLE));
						}
					}
					return null;
				}));
			}
			start.countDown();
			for (Future<?> future : futures) {
				future.get(60, TimeUnit.SECONDS);
			}
		}
		finally {
			executor.shutdownNow();
		}
		LoadBalancedTopologySnapshot snapshot = shared.snapshot();
		assertThat(snapshot.services()).hasSize(3);
		assertThat(snapshot.services().stream().mapToLong(ServiceSnapshot::commandsSucceeded).sum())
			.isEqualTo((long) threads * connectionsPerThread * commandsPerConnection);
		int open = threads * connectionsPerThread / 2;
		assertThat(snapshot.openConnections()).isEqualTo(open);
		assertThat(snapshot.services().stream().mapToInt(ServiceSnapshot::openConnections).sum()).isEqualTo(open);
		assertThat(snapshot.services().stream().mapToInt(ServiceSnapshot::connectionsInUse).sum()).isZero();
	}

	private void open(long id) {
		this.pool.connectionCreated(new ConnectionCreatedEvent(connectionId(id)));
		this.pool.connectionCheckedOut(new ConnectionCheckedOutEvent(connectionId(id), 1, 0));
	}

	private void succeed(long connection, ObjectId serviceId) {
		this.commands.commandSucceeded(new CommandSucceededEvent(null, 1, 1, description(connection, serviceId), "app",
				"find", new BsonDocument(), 1000));
	}

	private void fail(long connection, ObjectId serviceId) {
		this.commands.commandFailed(new CommandFailedEvent(null, 1, 1, description(connection, serviceId), "app",
				"find", 1000, new MongoSocketReadException("connection reset", SERVER.getAddress())));
	}

	private static ConnectionId connectionId(long id) {
		return new ConnectionId(SERVER, id, null);
	}

	private static ConnectionDescription description(long connection, ObjectId serviceId) {
		// As after a load-balanced handshake: the connection id now carries the server's
		// value too.
		return new ConnectionDescription(serviceId, new ConnectionId(SERVER, connection, 40_000 + connection), 21,
				ServerType.LOAD_BALANCER, 1000, 16_000_000, 48_000_000, List.of(), new BsonArray());
	}

	private static ServiceSnapshot service(LoadBalancedTopologySnapshot snapshot, ObjectId serviceId) {
		return snapshot.services()
			.stream()
			.filter((service) -> service.serviceId().equals(serviceId))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no service " + serviceId + " in " + snapshot.services()));
	}

}
