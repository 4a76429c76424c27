package io.mongolb.benchmarks.listener;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ConnectionDescription;
import com.mongodb.connection.ConnectionId;
import com.mongodb.connection.ServerId;
import com.mongodb.connection.ServerType;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.CommandSucceededEvent;
import com.mongodb.event.ConnectionCheckedOutEvent;
import com.mongodb.event.ConnectionCreatedEvent;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.mongodb.MongoMetricsCommandListener;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mongolb.autoconfigure.metrics.LoadBalancedMeterBinder;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt64;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The cost of one command (a started and a succeeded event, the driver's own event
 * objects) in the command listener that sees it, per operation: the starter's listener
 * with and without its meters, Micrometer's {@link MongoMetricsCommandListener} (what
 * Spring Boot registers) and no listener at all.
 * <p>
 * The events carry a {@link ConnectionDescription} with a {@code serviceId}, as after a
 * load-balanced handshake. Each benchmark thread is one connection of the same service,
 * created and checked out before measuring, so the starter's listener runs in its steady
 * state (service known, connection correlated). {@link #oneThread} and
 * {@link #twoThreads} run the same work on one and two connections at once. Run with
 * {@code -prof gc} for the bytes allocated per operation.
 *
 * @since 0.1.0
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
public class CommandListenerBenchmark {

	/**
	 * One command on one connection.
	 * @param listeners the listener under test
	 * @param connection this thread's connection
	 * @param blackhole consumes the events when there is no listener
	 */
	@Benchmark
	@Threads(1)
	public void oneThread(Listeners listeners, Connection connection, Blackhole blackhole) {
		command(listeners, connection, blackhole);
	}

	/**
	 * One command on each of two connections of the same service at once.
	 * @param listeners the listener under test
	 * @param connection this thread's connection
	 * @param blackhole consumes the events when there is no listener
	 */
	@Benchmark
	@Threads(2)
	public void twoThreads(Listeners listeners, Connection connection, Blackhole blackhole) {
		command(listeners, connection, blackhole);
	}

	private static void command(Listeners listeners, Connection connection, Blackhole blackhole) {
		CommandListener commands = listeners.commands;
		if (commands == null) {
			blackhole.consume(connection.started);
			blackhole.consume(connection.succeeded);
			return;
		}
		commands.commandStarted(connection.started);
		commands.commandSucceeded(connection.succeeded);
	}

	/**
	 * The listener under test, shared by every benchmark thread.
	 *
	 * @since 0.1.0
	 */
	@State(Scope.Benchmark)
	public static class Listeners {

		/**
		 * Which listener: {@code starter-meters} (the starter's listener, its meters
		 * bound to a {@link SimpleMeterRegistry}), {@code starter} (no registry),
		 * {@code micrometer} (Micrometer's command listener on a
		 * {@link SimpleMeterRegistry}) or {@code none} (the events are only consumed).
		 */
		@Param({ "starter-meters", "starter", "micrometer", "none" })
		public String listener;

		final ServerId server = new ServerId(new ClusterId("benchmark"), new ServerAddress("lb.example", 27017));

		final ObjectId serviceId = new ObjectId();

		private final AtomicInteger connections = new AtomicInteger();

		@Nullable LoadBalancedTopology topology;

		@Nullable SimpleMeterRegistry registry;

		@Nullable CommandListener commands;

		/**
		 * Build the listener this trial measures.
		 */
		@Setup(Level.Trial)
		public void createListener() {
			switch (this.listener) {
				case "starter-meters" -> {
					this.topology = new LoadBalancedTopology(32, Duration.ofSeconds(30), 256);
					this.registry = new SimpleMeterRegistry();
					new LoadBalancedMeterBinder(this.topology).bindTo(this.registry);
					this.commands = this.topology.commandListener();
				}
				case "starter" -> {
					this.topology = new LoadBalancedTopology(32, Duration.ofSeconds(30), 256);
					this.commands = this.topology.commandListener();
				}
				case "micrometer" -> {
					this.registry = new SimpleMeterRegistry();
					this.commands = new MongoMetricsCommandListener(this.registry);
				}
				case "none" -> this.commands = null;
				default -> throw new IllegalArgumentException(
						"Unknown listener '" + this.listener + "': use starter-meters, starter, micrometer or none");
			}
		}

		/**
		 * Check that the measured commands reached the listener's model and meters: a
		 * listener that skipped its work would otherwise look cheap.
		 */
		@TearDown(Level.Trial)
		public void checkCommandsWereRecorded() {
			if (this.topology != null) {
				long succeeded = this.topology.snapshot()
					.services()
					.stream()
					.mapToLong(ServiceSnapshot::commandsSucceeded)
					.sum();
				require(succeeded > 0, "the starter's model counted no command");
			}
			if (this.registry != null) {
				String name = (this.topology != null) ? "mongodb.lb.commands" : "mongodb.driver.commands";
				long timed = this.registry.find(name).timers().stream().mapToLong(Timer::count).sum();
				require(timed > 0, "no command reached the " + name + " timers");
			}
		}

		int nextConnection() {
			return this.connections.incrementAndGet();
		}

		private static void require(boolean condition, String failure) {
			if (!condition) {
				throw new IllegalStateException("Benchmark measured nothing: " + failure);
			}
		}

	}

	/**
	 * One pooled connection per benchmark thread and the events of the command it runs,
	 * built once.
	 *
	 * @since 0.1.0
	 */
	@State(Scope.Thread)
	public static class Connection {

		CommandStartedEvent started;

		CommandSucceededEvent succeeded;

		/**
		 * Open and check out this thread's connection, and build its events.
		 * @param listeners the shared listener
		 */
		@Setup(Level.Trial)
		public void openConnection(Listeners listeners) {
			int local = listeners.nextConnection();
			ConnectionId id = new ConnectionId(listeners.server, local, null);
			ConnectionDescription description = new ConnectionDescription(listeners.serviceId,
					new ConnectionId(listeners.server, local, 7000L + local), 21, ServerType.LOAD_BALANCER, 1000,
					16 * 1024 * 1024, 48_000_000, List.of(), new BsonArray());
			// A real driver's request ids grow past the small-integer cache: so do these.
			int requestId = 100_000 * local;
			BsonDocument find = new BsonDocument("find", new BsonString("orders"))
				.append("filter", new BsonDocument("_id", new BsonObjectId(new ObjectId())))
				.append("limit", new BsonInt64(1))
				.append("$db", new BsonString("shop"));
			BsonDocument reply = new BsonDocument("cursor",
					new BsonDocument("firstBatch", new BsonArray()).append("id", new BsonInt64(0))
						.append("ns", new BsonString("shop.orders")))
				.append("ok", new BsonDouble(1));
			this.started = new CommandStartedEvent(null, local, requestId, description, "shop", "find", find);
			this.succeeded = new CommandSucceededEvent(null, local, requestId, description, "shop", "find", reply,
					250_000);
			if (listeners.topology != null) {
				// Steady state: the pool saw the connection open and check out, and its
				// first command correlated it with its service.
				listeners.topology.connectionPoolListener().connectionCreated(new ConnectionCreatedEvent(id));
				listeners.topology.connectionPoolListener()
					.connectionCheckedOut(new ConnectionCheckedOutEvent(id, 1, 0));
				listeners.topology.commandListener().commandStarted(this.started);
				listeners.topology.commandListener().commandSucceeded(this.succeeded);
			}
		}

	}

}
