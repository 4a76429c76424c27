package io.mongolb.autoconfigure.topology;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;

import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ConnectionDescription;
import com.mongodb.connection.ConnectionId;
import com.mongodb.connection.ServerId;
import com.mongodb.connection.ServerType;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandSucceededEvent;
import com.mongodb.event.ConnectionCheckedInEvent;
import com.mongodb.event.ConnectionCheckedOutEvent;
import com.mongodb.event.ConnectionCreatedEvent;
import com.mongodb.event.ConnectionPoolListener;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mongolb.autoconfigure.metrics.LoadBalancedMeterBinder;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Backs the claim that the command and check-out paths allocate nothing once a service
 * and a connection are known: the bytes this thread allocates over many calls, counted by
 * the JVM (not timed).
 */
class HotPathAllocationTests {

	private static final ServerId SERVER = new ServerId(new ClusterId("alloc"), new ServerAddress("lb", 27017));

	@Test
	void steadyStateCommandsAndCheckOutsAllocateNothing() {
		assertSteadyStateAllocatesNothing(new LoadBalancedTopology(32, Duration.ofSeconds(30), 256));
	}

	@Test
	void getMoresAndWritesAllocateNothingEvenWhereALeakReportWouldNameTheirCommand() {
		BsonDocument getMoreReply = new BsonDocument("cursor",
				new BsonDocument("id", new BsonInt64(42)).append("ns", new BsonString("shop.orders"))
					.append("nextBatch", new BsonArray()))
			.append("ok", new BsonInt32(1));
		assertSteadyStateAllocatesNothing(new LoadBalancedTopology(32, Duration.ofSeconds(30), 256), "getMore",
				getMoreReply);
		BsonDocument writeReply = new BsonDocument("n", new BsonInt32(1)).append("ok", new BsonInt32(1));
		for (String write : List.of("insert", "update", "delete")) {
			assertSteadyStateAllocatesNothing(new LoadBalancedTopology(32, Duration.ofSeconds(30), 256), write,
					writeReply);
		}
	}

	@Test
	void recordingIntoARealMeterRegistryAllocatesNothing() {
		LoadBalancedTopology topology = new LoadBalancedTopology(32, Duration.ofSeconds(30), 256);
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		new LoadBalancedMeterBinder(topology).bindTo(registry);
		assertSteadyStateAllocatesNothing(topology);
		// Every command reached the timers: the recording was measured, not skipped.
		assertThat(registry.find("mongodb.lb.commands").timers().stream().mapToLong(Timer::count).sum())
			.isEqualTo((20_000L + 100_000) * 8);
	}

	private static void assertSteadyStateAllocatesNothing(LoadBalancedTopology topology) {
		assertSteadyStateAllocatesNothing(topology, "find", new BsonDocument());
	}

	private static void assertSteadyStateAllocatesNothing(LoadBalancedTopology topology, String commandName,
			BsonDocument reply) {
		com.sun.management.ThreadMXBean threads = threadBean();
		assumeThat(threads).as("the JVM counts allocated bytes per thread").isNotNull();
		int connections = 8;
		ConnectionId[] ids = new ConnectionId[connections];
		CommandSucceededEvent[] succeeded = new CommandSucceededEvent[connections];
		ConnectionCheckedOutEvent[] checkedOut = new ConnectionCheckedOutEvent[connections];
		ConnectionCheckedInEvent[] checkedIn = new ConnectionCheckedInEvent[connections];
		ObjectId[] services = { new ObjectId(), new ObjectId() };
		for (int i = 0; i < connections; i++) {
			ids[i] = new ConnectionId(SERVER, i + 1, null);
			ConnectionDescription description = new ConnectionDescription(services[i % 2],
					new ConnectionId(SERVER, i + 1, 7000L + i), 21, ServerType.LOAD_BALANCER, 1000, 16_000_000,
					48_000_000, List.of(), new BsonArray());
			succeeded[i] = new CommandSucceededEvent(null, 1, 1, description, "app", commandName, reply, 1000 + i);
			checkedOut[i] = new ConnectionCheckedOutEvent(ids[i], 1, 0);
			checkedIn[i] = new ConnectionCheckedInEvent(ids[i], 1);
			topology.connectionPoolListener().connectionCreated(new ConnectionCreatedEvent(ids[i]));
		}
		// Warm up: discovers the services, correlates the connections, lets the JIT
		// compile the paths.
		run(topology, succeeded, checkedOut, checkedIn, 20_000);
		long threadId = Thread.currentThread().getId();
		long before = threads.getThreadAllocatedBytes(threadId);
		int rounds = 100_000;
		run(topology, succeeded, checkedOut, checkedIn, rounds);
		long allocated = threads.getThreadAllocatedBytes(threadId) - before;
		// 100,000 rounds of 3 events on 8 connections: even one object per event would be
		// tens of megabytes.
		// The margin covers the measurement itself and rare JVM-internal allocations.
		assertThat(allocated).as("bytes allocated by %s events", 3L * rounds * connections).isLessThan(64 * 1024);
		assertThat(topology.snapshot().services().stream().mapToLong(ServiceSnapshot::commandsSucceeded).sum())
			.isEqualTo((20_000L + rounds) * connections);
		// The measured commands also wrote the thread's current service (CurrentService).
		assertThat(CurrentService.lastServiceId()).isSameAs(services[(connections - 1) % 2]);
		CurrentService.clear();
	}

	@Test
	void steadyStateCommandsInAnMdcScopeAllocateNothing() {
		com.sun.management.ThreadMXBean threads = threadBean();
		assumeThat(threads).as("the JVM counts allocated bytes per thread").isNotNull();
		LoadBalancedTopology topology = new LoadBalancedTopology(32, Duration.ofSeconds(30), 256);
		int connections = 8;
		CommandSucceededEvent[] succeeded = new CommandSucceededEvent[connections];
		ConnectionCheckedOutEvent[] checkedOut = new ConnectionCheckedOutEvent[connections];
		ConnectionCheckedInEvent[] checkedIn = new ConnectionCheckedInEvent[connections];
		ObjectId[] services = { new ObjectId(), new ObjectId() };
		for (int i = 0; i < connections; i++) {
			ConnectionId id = new ConnectionId(SERVER, i + 1, null);
			// Each connection has its own ObjectId instance, as each parses its
			// handshake.
			ConnectionDescription description = new ConnectionDescription(new ObjectId(services[i % 2].toHexString()),
					new ConnectionId(SERVER, i + 1, 8000L + i), 21, ServerType.LOAD_BALANCER, 1000, 16_000_000,
					48_000_000, List.of(), new BsonArray());
			succeeded[i] = new CommandSucceededEvent(null, 1, 1, description, "app", "find", new BsonDocument(), 1);
			checkedOut[i] = new ConnectionCheckedOutEvent(id, 1, 0);
			checkedIn[i] = new ConnectionCheckedInEvent(id, 1);
			topology.connectionPoolListener().connectionCreated(new ConnectionCreatedEvent(id));
		}
		try (CurrentService.Scope scope = CurrentService.openWithMdc()) {
			run(topology, succeeded, checkedOut, checkedIn, 20_000);
			long threadId = Thread.currentThread().getId();
			long before = threads.getThreadAllocatedBytes(threadId);
			int rounds = 100_000;
			// The service changes on every command: the MDC key changes as often.
			run(topology, succeeded, checkedOut, checkedIn, rounds);
			long allocated = threads.getThreadAllocatedBytes(threadId) - before;
			assertThat(allocated).as("bytes allocated by %s events", 3L * rounds * connections).isLessThan(64 * 1024);
			assertThat(CurrentService.servicesInScope()).containsExactly(services);
			assertThat(MDC.get(CurrentService.MDC_KEY)).isEqualTo(services[(connections - 1) % 2].toHexString());
		}
		assertThat(MDC.get(CurrentService.MDC_KEY)).isNull();
	}

	private static void run(LoadBalancedTopology topology, CommandSucceededEvent[] succeeded,
			ConnectionCheckedOutEvent[] checkedOut, ConnectionCheckedInEvent[] checkedIn, int rounds) {
		ConnectionPoolListener pool = topology.connectionPoolListener();
		CommandListener commands = topology.commandListener();
		for (int round = 0; round < rounds; round++) {
			for (int i = 0; i < succeeded.length; i++) {
				pool.connectionCheckedOut(checkedOut[i]);
				commands.commandSucceeded(succeeded[i]);
				pool.connectionCheckedIn(checkedIn[i]);
			}
		}
	}

	private static com.sun.management.ThreadMXBean threadBean() {
		if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
				&& bean.isThreadAllocatedMemorySupported()) {
			bean.setThreadAllocatedMemoryEnabled(true);
			return bean;
		}
		return null;
	}

}
