package io.mongolb.autoconfigure.topology;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterDescription;
import com.mongodb.connection.ClusterType;
import com.mongodb.connection.ServerDescription;
import org.jspecify.annotations.Nullable;

/**
 * Builds immutable snapshots from the live state. Runs on the reader's thread (health, an
 * endpoint, the application) and may allocate freely; it never blocks the listeners.
 */
final class SnapshotAssembler {

	private static final int MAX_ERROR_LENGTH = 500;

	private final ServiceRegistry registry;

	private final TopologyDescriptions descriptions;

	private final EventLog events;

	private final Clock clock;

	private final long leakThresholdMillis;

	SnapshotAssembler(ServiceRegistry registry, TopologyDescriptions descriptions, EventLog events, Clock clock,
			Duration leakThreshold) {
		this.registry = registry;
		this.descriptions = descriptions;
		this.events = events;
		this.clock = clock;
		this.leakThresholdMillis = leakThreshold.toMillis();
	}

	LoadBalancedTopologySnapshot snapshot() {
		long now = this.clock.millis();
		Map<ServiceState, ConnectionCounts> counts = ConnectionCounts.of(this.registry.connections(), now,
				this.leakThresholdMillis);
		List<ServiceSnapshot> services = new ArrayList<>(this.registry.trackedServices());
		for (ServiceState service : this.registry.services()) {
			services.add(snapshot(service, counts.getOrDefault(service, ConnectionCounts.NONE)));
		}
		services.sort(Comparator.comparing(ServiceSnapshot::lastSeen).reversed());
		ClusterDescription cluster = this.descriptions.cluster();
		ServerDescription server = this.descriptions.server();
		return new LoadBalancedTopologySnapshot(Instant.ofEpochMilli(now),
				(cluster != null) ? cluster.getType() : ClusterType.UNKNOWN, loadBalancerAddress(cluster, server),
				(server != null) ? server.getType() : null, this.registry.openConnections(), List.copyOf(services),
				this.registry.evictedServices(), this.registry.untrackedServices(), this.registry.untrackedCommands(),
				this.events.toList(), this.registry.openLeaks(now));
	}

	private static ServiceSnapshot snapshot(ServiceState service, ConnectionCounts connections) {
		ServiceState.LastError error = service.lastError;
		return new ServiceSnapshot(service.serviceId, Instant.ofEpochMilli(service.firstSeen),
				Instant.ofEpochMilli(service.lastSeen), connections.open(), connections.checkedOut(),
				connections.pastLeakThreshold(), service.commandsSucceeded.sum(), service.commandsFailed.sum(),
				service.poolClears.sum(), instantOrNull(service.lastPoolClear),
				(error != null) ? describe(error.error()) : null,
				(error != null) ? Instant.ofEpochMilli(error.time()) : null, service.pinnedConnectionLeaks.sum());
	}

	private static @Nullable ServerAddress loadBalancerAddress(@Nullable ClusterDescription cluster,
			@Nullable ServerDescription server) {
		if (server != null) {
			return server.getAddress();
		}
		if (cluster != null && !cluster.getServerDescriptions().isEmpty()) {
			return cluster.getServerDescriptions().get(0).getAddress();
		}
		return null;
	}

	private static @Nullable Instant instantOrNull(long millis) {
		return (millis != 0) ? Instant.ofEpochMilli(millis) : null;
	}

	static String describe(Throwable error) {
		String message = error.getMessage();
		String text = error.getClass().getSimpleName() + ((message != null) ? ": " + SecretText.mask(message) : "");
		// Server messages can quote whole documents: keep the snapshot small.
		return (text.length() > MAX_ERROR_LENGTH) ? text.substring(0, MAX_ERROR_LENGTH) + "..." : text;
	}

}
