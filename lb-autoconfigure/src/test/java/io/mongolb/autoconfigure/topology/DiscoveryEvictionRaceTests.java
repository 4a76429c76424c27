package io.mongolb.autoconfigure.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ConnectionDescription;
import com.mongodb.connection.ConnectionId;
import com.mongodb.connection.ServerId;
import com.mongodb.connection.ServerType;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandSucceededEvent;
import com.mongodb.event.ConnectionCreatedEvent;
import com.mongodb.event.ConnectionPoolClearedEvent;
import com.mongodb.event.ConnectionPoolListener;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stress tests for the step in which a command's service is discovered (or found) and its
 * connection registered: eviction runs on other threads and must see both or neither.
 * Each test repeats a short race many times, within a time budget, on fresh models; the
 * old code (discovery, then registration outside the discovery lock) failed them within
 * the first few hundred rounds.
 */
class DiscoveryEvictionRaceTests {

	private static final ServerId SERVER = new ServerId(new ClusterId("race"), new ServerAddress("lb", 27017));

	private static final Duration BUDGET = Duration.ofSeconds(2);

	private static final int MAX_ROUNDS = 20_000;

	private final ExecutorService executor = Executors.newFixedThreadPool(3);

	@AfterEach
	void stopThreads() {
		this.executor.shutdownNow();
	}

	@Test
	void aServiceIsNeverEvictedBetweenItsDiscoveryAndItsFirstConnection() throws Exception {
		// Three services with one connection each and a bound of one: the first tracked
		// keeps its connection, so no round may evict it, whichever thread wins.
		int rounds = race((topology) -> {
		}, List.of(new ObjectId(), new ObjectId(), new ObjectId()), (round, snapshot) -> {
			assertThat(snapshot.evictedServices()).as("services evicted in round %d", round).isZero();
			assertThat(snapshot.services()).as("services tracked in round %d", round).hasSize(1);
			assertThat(snapshot.untrackedServices()).as("services untracked in round %d", round).isEqualTo(2);
			assertThat(counted(snapshot)).as("commands counted in round %d", round).isEqualTo(3);
		});
		assertThat(rounds).isPositive();
	}

	@Test
	void aCommandOnANewConnectionIsCountedOnceWhileItsIdleServiceIsEvicted() throws Exception {
		// A service known without connections (from a pool clear) gets its first
		// connection while a newcomer at the bound may evict it: either order is valid,
		// but the command must land in a tracked service or in the untracked count, never
		// in an evicted service's counters.
		ObjectId idle = new ObjectId();
		Consumer<LoadBalancedTopology> clearIdle = (topology) -> topology.connectionPoolListener()
			.connectionPoolCleared(new ConnectionPoolClearedEvent(SERVER, idle));
		int rounds = race(clearIdle, List.of(idle, new ObjectId()), (round, snapshot) -> {
			assertThat(counted(snapshot)).as("commands counted in round %d", round).isEqualTo(2);
			assertThat(snapshot.services()).as("services tracked in round %d", round).hasSize(1);
			assertThat(snapshot.services().get(0).openConnections())
				.as("connections of the tracked service in round %d", round)
				.isOne();
		});
		assertThat(rounds).isPositive();
	}

	/**
	 * Run rounds until the budget is spent: in each, one thread per service opens its own
	 * connection and sends one command on it, all released at once.
	 * @return the number of rounds run
	 */
	private int race(Consumer<LoadBalancedTopology> setUp, List<ObjectId> serviceIds, RoundCheck check)
			throws Exception {
		long deadline = System.nanoTime() + BUDGET.toNanos();
		int round = 0;
		while (round < MAX_ROUNDS && System.nanoTime() < deadline) {
			round++;
			LoadBalancedTopology topology = new LoadBalancedTopology(1, Duration.ofSeconds(30), 64);
			CommandListener commands = topology.commandListener();
			ConnectionPoolListener pool = topology.connectionPoolListener();
			setUp.accept(topology);
			CountDownLatch start = new CountDownLatch(1);
			List<Future<?>> writers = new ArrayList<>();
			for (int i = 0; i < serviceIds.size(); i++) {
				ConnectionDescription description = description(i + 1, serviceIds.get(i));
				writers.add(this.executor.submit(() -> {
					start.await();
					pool.connectionCreated(new ConnectionCreatedEvent(description.getConnectionId()));
					commands.commandSucceeded(
							new CommandSucceededEvent(null, 1, 1, description, "app", "find", new BsonDocument(), 1));
					return null;
				}));
			}
			start.countDown();
			for (Future<?> writer : writers) {
				writer.get(10, TimeUnit.SECONDS);
			}
			check.verify(round, topology.snapshot());
		}
		return round;
	}

	private static long counted(LoadBalancedTopologySnapshot snapshot) {
		return snapshot.services().stream().mapToLong(ServiceSnapshot::commandsSucceeded).sum()
				+ snapshot.untrackedCommands();
	}

	private static ConnectionDescription description(long connection, ObjectId serviceId) {
		return new ConnectionDescription(serviceId, new ConnectionId(SERVER, connection, 40_000 + connection), 21,
				ServerType.LOAD_BALANCER, 1000, 16_000_000, 48_000_000, List.of(), new BsonArray());
	}

	@FunctionalInterface
	interface RoundCheck {

		void verify(int round, LoadBalancedTopologySnapshot snapshot);

	}

}
