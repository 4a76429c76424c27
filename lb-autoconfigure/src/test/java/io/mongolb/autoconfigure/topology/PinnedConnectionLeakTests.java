package io.mongolb.autoconfigure.topology;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ConnectionDescription;
import com.mongodb.connection.ConnectionId;
import com.mongodb.connection.ServerId;
import com.mongodb.connection.ServerType;
import com.mongodb.event.CommandSucceededEvent;
import com.mongodb.event.ConnectionCheckedInEvent;
import com.mongodb.event.ConnectionCheckedOutEvent;
import com.mongodb.event.ConnectionClosedEvent;
import com.mongodb.event.ConnectionCreatedEvent;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pinned-connection leak reports, fed with the MongoDB driver's own event objects and a
 * clock moved by hand.
 */
@ExtendWith(OutputCaptureExtension.class)
class PinnedConnectionLeakTests {

	private static final ServerId SERVER = new ServerId(new ClusterId("leaks"),
			new ServerAddress("lb.example.net", 27017));

	private final MutableClock clock = new MutableClock();

	private final List<LoadBalancedEvent> events = new CopyOnWriteArrayList<>();

	private final LoadBalancedTopology topology = new LoadBalancedTopology(4, Duration.ofSeconds(30), 64, this.clock,
			this.events::add);

	private final ObjectId service = new ObjectId();

	@Test
	void aConnectionCheckedOutPastTheThresholdIsReportedOnceNamingTheCommandThenReleased(CapturedOutput output) {
		open(1);
		checkOut(1);
		succeed(1, "find", "shop", cursorReply("shop.orders", 42));
		// A getMore on the same check-out does not replace what took the connection.
		succeed(1, "getMore", "shop", cursorReply("shop.orders", 42));
		this.clock.advance(Duration.ofSeconds(30));
		assertThat(this.topology.scanForPinnedConnectionLeaks()).as("at the threshold, not past it").isZero();
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(this.topology.scanForPinnedConnectionLeaks()).isOne();
		this.clock.advance(Duration.ofSeconds(10));
		assertThat(this.topology.scanForPinnedConnectionLeaks()).as("once per check-out").isZero();
		assertThat(leakEvents()).singleElement()
			.satisfies((event) -> assertThat(event.description())
				.contains("Connection 1 to service " + this.service + " has been checked out for 31s")
				.contains("leak threshold 30s")
				.contains("taken by find on shop.orders")
				.contains("close the cursor")
				.contains("maxPoolSize"));
		assertThat(output).containsOnlyOnce("WARN").contains("taken by find on shop.orders");
		LoadBalancedTopologySnapshot snapshot = this.topology.snapshot();
		assertThat(snapshot.pinnedConnectionLeaks()).singleElement().satisfies((leak) -> {
			assertThat(leak.serviceId()).isEqualTo(this.service);
			assertThat(leak.connectionId()).isOne();
			assertThat(leak.commandName()).isEqualTo("find");
			assertThat(leak.database()).isEqualTo("shop");
			assertThat(leak.collection()).isEqualTo("orders");
			assertThat(leak.checkedOutFor()).isEqualTo(Duration.ofSeconds(41));
		});
		assertThat(snapshot.services().get(0).pinnedConnectionLeaks()).isOne();
		this.clock.advance(Duration.ofSeconds(4));
		checkIn(1);
		assertThat(this.events).filteredOn((event) -> event.type() == LoadBalancedEvent.Type.PINNED_CONNECTION_RELEASED)
			.singleElement()
			.satisfies((event) -> assertThat(event.description()).contains("checked in after 45s"));
		assertThat(output).contains("INFO").contains("reported as a possible leak, checked in after 45s");
		assertThat(this.topology.snapshot().pinnedConnectionLeaks()).isEmpty();
		// The next check-out starts afresh and is reported on its own.
		checkOut(1);
		succeed(1, "insert", "shop", new BsonDocument("ok", new BsonInt64(1)));
		this.clock.advance(Duration.ofMinutes(1));
		assertThat(this.topology.scanForPinnedConnectionLeaks()).isOne();
		assertThat(leakEvents()).hasSize(2)
			.last()
			.satisfies((event) -> assertThat(event.description()).contains("taken by insert on shop. ")
				.contains("checked out for 1m0s"));
	}

	@Test
	void aReportedConnectionThatIsClosedIsReleased() {
		open(1);
		checkOut(1);
		succeed(1, "aggregate", "shop", cursorReply("shop.orders", 7));
		this.clock.advance(Duration.ofMinutes(2));
		assertThat(this.topology.scanForPinnedConnectionLeaks()).isOne();
		this.topology.connectionPoolListener()
			.connectionClosed(new ConnectionClosedEvent(connectionId(1), ConnectionClosedEvent.Reason.ERROR));
		assertThat(this.events).extracting(LoadBalancedEvent::type)
			.containsSubsequence(LoadBalancedEvent.Type.PINNED_CONNECTION_LEAK,
					LoadBalancedEvent.Type.PINNED_CONNECTION_RELEASED);
		assertThat(this.events.get(this.events.size() - 1).description()).contains("closed after 2m0s");
		assertThat(this.topology.snapshot().pinnedConnectionLeaks()).isEmpty();
	}

	@Test
	void aConnectionBackInThePoolIsNeverReported() {
		open(1);
		checkOut(1);
		succeed(1, "find", "shop", cursorReply("shop.orders", 0));
		checkIn(1);
		this.clock.advance(Duration.ofHours(1));
		assertThat(this.topology.scanForPinnedConnectionLeaks()).isZero();
		assertThat(leakEvents()).isEmpty();
	}

	@Test
	void scansRacingCheckInsNeitherLoseNorDoubleAReport() throws Exception {
		// Real time matters here only through the scan's comparison: a threshold of 0ms
		// makes every check-out reportable at once, so scans and check-ins race on every
		// round.
		LoadBalancedTopology racing = new LoadBalancedTopology(4, Duration.ZERO, 16, new TickingClock(),
				this.events::add);
		ConnectionId id = connectionId(1);
		racing.connectionPoolListener().connectionCreated(new ConnectionCreatedEvent(id));
		racing.connectionPoolListener().connectionCheckedOut(new ConnectionCheckedOutEvent(id, 1, 0));
		racing.commandListener()
			.commandSucceeded(
					new CommandSucceededEvent(null, 1, 1, description(1), "app", "find", new BsonDocument(), 1));
		racing.connectionPoolListener().connectionCheckedIn(new ConnectionCheckedInEvent(id, 1));
		this.events.clear();
		AtomicBoolean done = new AtomicBoolean();
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService executor = Executors.newFixedThreadPool(2);
		try {
			Future<?> pool = executor.submit(() -> {
				start.await();
				// At least 50,000 rounds, and until the scanner has reported a hundred
				// times or 30s have passed (a loaded machine may starve the scanner): the
				// race must have been run, not just allowed.
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
				for (int i = 0; i < 50_000 || (this.events.size() < 200 && System.nanoTime() < deadline); i++) {
					racing.connectionPoolListener().connectionCheckedOut(new ConnectionCheckedOutEvent(id, i, 0));
					racing.connectionPoolListener().connectionCheckedIn(new ConnectionCheckedInEvent(id, i));
				}
				done.set(true);
				return null;
			});
			Future<?> scanner = executor.submit(() -> {
				start.await();
				while (!done.get()) {
					racing.scanForPinnedConnectionLeaks();
				}
				return null;
			});
			start.countDown();
			pool.get(60, TimeUnit.SECONDS);
			scanner.get(60, TimeUnit.SECONDS);
		}
		finally {
			executor.shutdownNow();
		}
		long reported = this.events.stream()
			.filter((event) -> event.type() == LoadBalancedEvent.Type.PINNED_CONNECTION_LEAK)
			.count();
		long released = this.events.stream()
			.filter((event) -> event.type() == LoadBalancedEvent.Type.PINNED_CONNECTION_RELEASED)
			.count();
		assertThat(reported).isGreaterThanOrEqualTo(20);
		assertThat(released).isEqualTo(reported);
		assertThat(racing.snapshot().pinnedConnectionLeaks()).isEmpty();
		// Events alternate: a release always follows its own report.
		LoadBalancedEvent.Type expected = LoadBalancedEvent.Type.PINNED_CONNECTION_LEAK;
		for (LoadBalancedEvent event : this.events) {
			assertThat(event.type()).isEqualTo(expected);
			expected = (expected == LoadBalancedEvent.Type.PINNED_CONNECTION_LEAK)
					? LoadBalancedEvent.Type.PINNED_CONNECTION_RELEASED : LoadBalancedEvent.Type.PINNED_CONNECTION_LEAK;
		}
	}

	private List<LoadBalancedEvent> leakEvents() {
		return this.events.stream()
			.filter((event) -> event.type() == LoadBalancedEvent.Type.PINNED_CONNECTION_LEAK)
			.toList();
	}

	private void open(long id) {
		this.topology.connectionPoolListener().connectionCreated(new ConnectionCreatedEvent(connectionId(id)));
	}

	private void checkOut(long id) {
		this.topology.connectionPoolListener()
			.connectionCheckedOut(new ConnectionCheckedOutEvent(connectionId(id), 1, 0));
	}

	private void checkIn(long id) {
		this.topology.connectionPoolListener().connectionCheckedIn(new ConnectionCheckedInEvent(connectionId(id), 1));
	}

	private void succeed(long connection, String command, String database, BsonDocument reply) {
		this.topology.commandListener()
			.commandSucceeded(new CommandSucceededEvent(null, 1, 1, descriptionOf(connection, this.service), database,
					command, reply, 1000));
	}

	private static BsonDocument cursorReply(String namespace, long cursorId) {
		return new BsonDocument("cursor",
				new BsonDocument("id", new BsonInt64(cursorId)).append("ns", new BsonString(namespace))
					.append("firstBatch", new BsonArray()))
			.append("ok", new BsonInt64(1));
	}

	private ConnectionDescription description(long connection) {
		return descriptionOf(connection, this.service);
	}

	private static ConnectionDescription descriptionOf(long connection, ObjectId serviceId) {
		return new ConnectionDescription(serviceId, new ConnectionId(SERVER, connection, 40_000 + connection), 21,
				ServerType.LOAD_BALANCER, 1000, 16_000_000, 48_000_000, List.of(), new BsonArray());
	}

	private static ConnectionId connectionId(long id) {
		return new ConnectionId(SERVER, id, null);
	}

	/**
	 * A clock that moves one millisecond on every read, so that check-out times differ
	 * and a reported check-out is never mistaken for the next.
	 */
	static final class TickingClock extends java.time.Clock {

		private final java.util.concurrent.atomic.AtomicLong millis = new java.util.concurrent.atomic.AtomicLong(
				1_700_000_000_000L);

		@Override
		public long millis() {
			return this.millis.incrementAndGet();
		}

		@Override
		public java.time.Instant instant() {
			return java.time.Instant.ofEpochMilli(millis());
		}

		@Override
		public java.time.ZoneId getZone() {
			return java.time.ZoneOffset.UTC;
		}

		@Override
		public java.time.Clock withZone(java.time.ZoneId zone) {
			return this;
		}

	}

}
