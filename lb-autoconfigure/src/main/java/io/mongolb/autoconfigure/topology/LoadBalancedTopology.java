package io.mongolb.autoconfigure.topology;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterDescription;
import com.mongodb.connection.ClusterType;
import com.mongodb.connection.ConnectionDescription;
import com.mongodb.connection.ServerDescription;
import com.mongodb.event.ClusterClosedEvent;
import com.mongodb.event.ClusterDescriptionChangedEvent;
import com.mongodb.event.ClusterListener;
import com.mongodb.event.ClusterOpeningEvent;
import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandSucceededEvent;
import com.mongodb.event.ConnectionCheckedInEvent;
import com.mongodb.event.ConnectionCheckedOutEvent;
import com.mongodb.event.ConnectionClosedEvent;
import com.mongodb.event.ConnectionCreatedEvent;
import com.mongodb.event.ConnectionPoolClearedEvent;
import com.mongodb.event.ConnectionPoolClosedEvent;
import com.mongodb.event.ConnectionPoolCreatedEvent;
import com.mongodb.event.ConnectionPoolListener;
import com.mongodb.event.ServerClosedEvent;
import com.mongodb.event.ServerDescriptionChangedEvent;
import com.mongodb.event.ServerListener;
import com.mongodb.event.ServerOpeningEvent;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * The single source of truth about a {@code MongoClient} in load-balanced mode: the topology and its one
 * LoadBalancer server, the services (mongos instances, by {@code serviceId}) that served commands behind the
 * balancer, and the recent topology and pool events.
 * <p>
 * Register one instance as the client's cluster, server, command and connection-pool listener (the starter's
 * customizer does). Command events carry the {@code serviceId} of the connection's handshake; connection-pool events
 * carry only a {@code ConnectionId}, so connections are correlated with services on their first command. At most
 * {@code maxServices} services are tracked: a new one evicts the service idle longest, preferring one with no open
 * connection. The command and check-out paths take no lock and allocate nothing once a service and a connection are
 * known. {@link #snapshot()} is safe from any thread.
 *
 * @since 0.1.0
 */
public class LoadBalancedTopology
		implements ClusterListener, ServerListener, CommandListener, ConnectionPoolListener {

	private static final int MAX_ERROR_LENGTH = 500;

	private final int maxServices;

	private final long leakThresholdMillis;

	private final Clock clock;

	private final Consumer<LoadBalancedEvent> eventListener;

	private final ConcurrentHashMap<ObjectId, ServiceState> services = new ConcurrentHashMap<>();

	private final ConnectionTable connections = new ConnectionTable();

	private final EventLog events;

	private final AtomicInteger openConnections = new AtomicInteger();

	private final AtomicLong evictedServices = new AtomicLong();

	// Services refused at the bound while every tracked service had open connections. Their commands are only
	// counted, without a lock; the set is cleared when a connection closes, so that they are tried again.
	private final Set<ObjectId> untrackedServices = ConcurrentHashMap.newKeySet();

	private final LongAdder untrackedCommands = new LongAdder();

	private final Object discoveryLock = new Object();

	private volatile @Nullable ClusterDescription clusterDescription;

	private volatile @Nullable ServerDescription serverDescription;

	/**
	 * Create a topology model.
	 * @param maxServices the most services tracked at once, at least 1
	 * @param leakThreshold how long a connection may stay checked out before it counts as a possible leak
	 * @param eventCapacity how many recent events to keep, at least 1
	 */
	public LoadBalancedTopology(int maxServices, Duration leakThreshold, int eventCapacity) {
		this(maxServices, leakThreshold, eventCapacity, Clock.systemUTC(), (event) -> {
		});
	}

	/**
	 * Create a topology model with its own clock and a listener for the events it records.
	 * @param maxServices the most services tracked at once, at least 1
	 * @param leakThreshold how long a connection may stay checked out before it counts as a possible leak
	 * @param eventCapacity how many recent events to keep, at least 1
	 * @param clock the clock for event and service times
	 * @param eventListener called with each recorded event, on the driver's thread; it must not block
	 */
	public LoadBalancedTopology(int maxServices, Duration leakThreshold, int eventCapacity, Clock clock,
			Consumer<LoadBalancedEvent> eventListener) {
		if (maxServices < 1 || eventCapacity < 1) {
			throw new IllegalArgumentException("maxServices and eventCapacity must be at least 1, were " + maxServices
					+ " and " + eventCapacity);
		}
		this.maxServices = maxServices;
		this.leakThresholdMillis = leakThreshold.toMillis();
		this.clock = clock;
		this.eventListener = eventListener;
		this.events = new EventLog(eventCapacity);
	}

	// SDAM: cluster and server events

	@Override
	public void clusterOpening(ClusterOpeningEvent event) {
		record(LoadBalancedEvent.Type.TOPOLOGY_OPENING, null, "Topology " + event.getClusterId().getValue() + " opening");
	}

	@Override
	public void clusterDescriptionChanged(ClusterDescriptionChangedEvent event) {
		ClusterDescription next = event.getNewDescription();
		this.clusterDescription = next;
		record(LoadBalancedEvent.Type.TOPOLOGY_DESCRIPTION_CHANGED, null,
				describe(event.getPreviousDescription()) + " -> " + describe(next));
	}

	@Override
	public void clusterClosed(ClusterClosedEvent event) {
		record(LoadBalancedEvent.Type.TOPOLOGY_CLOSED, null, "Topology " + event.getClusterId().getValue() + " closed");
	}

	@Override
	public void serverOpening(ServerOpeningEvent event) {
		record(LoadBalancedEvent.Type.SERVER_OPENING, null, "Server " + event.getServerId().getAddress() + " opening");
	}

	@Override
	public void serverDescriptionChanged(ServerDescriptionChangedEvent event) {
		ServerDescription next = event.getNewDescription();
		this.serverDescription = next;
		record(LoadBalancedEvent.Type.SERVER_DESCRIPTION_CHANGED, null, next.getAddress() + " "
				+ SpecNames.of(event.getPreviousDescription().getType()) + " -> " + SpecNames.of(next.getType()));
	}

	@Override
	public void serverClosed(ServerClosedEvent event) {
		record(LoadBalancedEvent.Type.SERVER_CLOSED, null, "Server " + event.getServerId().getAddress() + " closed");
	}

	private static String describe(ClusterDescription description) {
		StringBuilder text = new StringBuilder(SpecNames.of(description.getType())).append(" [");
		List<ServerDescription> servers = description.getServerDescriptions();
		for (int i = 0; i < servers.size(); i++) {
			text.append((i > 0) ? ", " : "")
				.append(servers.get(i).getAddress())
				.append(' ')
				.append(SpecNames.of(servers.get(i).getType()));
		}
		return text.append(']').toString();
	}

	// Commands: the hot path

	@Override
	public void commandSucceeded(CommandSucceededEvent event) {
		ServiceState service = serviceOf(event.getConnectionDescription());
		if (service != null) {
			service.commandsSucceeded.increment();
		}
	}

	@Override
	public void commandFailed(CommandFailedEvent event) {
		ServiceState service = serviceOf(event.getConnectionDescription());
		if (service != null) {
			service.commandsFailed.increment();
			// Failures are rare: one small holder keeps the error and its time consistent.
			service.lastError = new ServiceState.LastError(event.getThrowable(), this.clock.millis());
		}
	}

	private @Nullable ServiceState serviceOf(ConnectionDescription description) {
		ObjectId serviceId = description.getServiceId();
		if (serviceId == null) {
			return null;
		}
		long now = this.clock.millis();
		long connectionId = description.getConnectionId().getLocalValue();
		ServiceState service = this.services.get(serviceId);
		if (service != null) {
			ConnectionTable.Entry connection = this.connections.get(connectionId);
			if (connection != null && connection.service == service) {
				// Steady state: a known connection of a tracked service.
				service.lastSeen = now;
				return service;
			}
		}
		else if (this.untrackedServices.contains(serviceId)) {
			this.untrackedCommands.increment();
			return null;
		}
		service = register(serviceId, connectionId, now);
		if (service == null) {
			this.untrackedCommands.increment();
		}
		return service;
	}

	/**
	 * Correlate a connection with its service, discovering the service if needed, in one step under the discovery
	 * lock: eviction (under the same lock) sees the service and its connection together or not at all, so it never
	 * drops a service that has just gained a connection. Runs once per connection (its first command), or when its
	 * service was evicted and came back.
	 * @return the service's state, or {@code null} when the service is not tracked
	 */
	private @Nullable ServiceState register(ObjectId serviceId, long connectionId, long now) {
		synchronized (this.discoveryLock) {
			// Read again under the lock: the service may have been evicted since the caller looked.
			ServiceState service = this.services.get(serviceId);
			if (service == null) {
				service = discover(serviceId, now);
				if (service == null) {
					return null;
				}
			}
			ConnectionTable.Entry connection = this.connections.get(connectionId);
			if (connection == null || connection.service != service) {
				// First command on this connection (it is checked out, since it runs a command), or its service was
				// evicted and has just come back.
				this.connections.put(connectionId, service, now);
			}
			service.lastSeen = now;
			return service;
		}
	}

	/**
	 * Start tracking a service, evicting the one idle longest among those with no open connection when at the bound.
	 * @return the service's state, or {@code null} when every tracked service still has open connections
	 */
	private @Nullable ServiceState discover(ObjectId serviceId, long now) {
		synchronized (this.discoveryLock) {
			ServiceState service = this.services.get(serviceId);
			if (service != null) {
				return service;
			}
			if (this.services.size() >= this.maxServices && !evictOne()) {
				if (this.untrackedServices.add(serviceId)) {
					record(LoadBalancedEvent.Type.SERVICE_UNTRACKED, serviceId, "Service " + serviceId
							+ " not tracked: all " + this.maxServices + " tracked services have open connections"
							+ " (raise mongodb.load-balanced.metrics.max-services above the number of mongos)");
				}
				return null;
			}
			service = new ServiceState(serviceId, now);
			this.services.put(serviceId, service);
			record(LoadBalancedEvent.Type.SERVICE_DISCOVERED, serviceId, "Service " + serviceId + " discovered");
			return service;
		}
	}

	private boolean evictOne() {
		Map<ServiceState, Integer> open = countOpenConnections();
		ServiceState victim = this.services.values()
			.stream()
			.filter((service) -> !open.containsKey(service))
			.min(Comparator.comparingLong((service) -> service.lastSeen))
			.orElse(null);
		if (victim == null) {
			return false;
		}
		this.services.remove(victim.serviceId);
		this.evictedServices.incrementAndGet();
		record(LoadBalancedEvent.Type.SERVICE_EVICTED, victim.serviceId, "Service " + victim.serviceId
				+ " evicted (idle longest with no open connection; at most " + this.maxServices
				+ " services are tracked)");
		return true;
	}

	private Map<ServiceState, Integer> countOpenConnections() {
		Map<ServiceState, Integer> open = new IdentityHashMap<>();
		for (ConnectionTable.Entry entry : this.connections.entries()) {
			if (entry.service != null) {
				open.merge(entry.service, 1, Integer::sum);
			}
		}
		return open;
	}

	// Connection pool

	@Override
	public void connectionPoolCreated(ConnectionPoolCreatedEvent event) {
		record(LoadBalancedEvent.Type.POOL_CREATED, null, "Pool for " + event.getServerId().getAddress() + " created");
	}

	@Override
	public void connectionPoolCleared(ConnectionPoolClearedEvent event) {
		ObjectId serviceId = event.getServiceId();
		if (serviceId == null) {
			record(LoadBalancedEvent.Type.POOL_CLEARED, null, "Pool cleared (no serviceId)");
			return;
		}
		long now = this.clock.millis();
		ServiceState service = this.services.get(serviceId);
		if (service == null) {
			service = discover(serviceId, now);
		}
		if (service != null) {
			service.poolClears.increment();
			service.lastPoolClear = now;
		}
		record(LoadBalancedEvent.Type.POOL_CLEARED, serviceId, "Connections to service " + serviceId + " cleared");
	}

	@Override
	public void connectionPoolClosed(ConnectionPoolClosedEvent event) {
		record(LoadBalancedEvent.Type.POOL_CLOSED, null, "Pool for " + event.getServerId().getAddress() + " closed");
	}

	@Override
	public void connectionCreated(ConnectionCreatedEvent event) {
		this.openConnections.incrementAndGet();
	}

	@Override
	public void connectionClosed(ConnectionClosedEvent event) {
		this.openConnections.decrementAndGet();
		this.connections.remove(event.getConnectionId().getLocalValue());
		if (!this.untrackedServices.isEmpty()) {
			// A tracked service may have lost its last connection: let untracked services try again.
			this.untrackedServices.clear();
		}
	}

	@Override
	public void connectionCheckedOut(ConnectionCheckedOutEvent event) {
		ConnectionTable.Entry connection = this.connections.get(event.getConnectionId().getLocalValue());
		if (connection != null) {
			connection.checkedOutAt = this.clock.millis();
		}
	}

	@Override
	public void connectionCheckedIn(ConnectionCheckedInEvent event) {
		ConnectionTable.Entry connection = this.connections.get(event.getConnectionId().getLocalValue());
		if (connection != null) {
			connection.checkedOutAt = 0;
		}
	}

	// Readers

	/**
	 * The current state, as an immutable snapshot.
	 * @return the snapshot
	 */
	public LoadBalancedTopologySnapshot snapshot() {
		long now = this.clock.millis();
		Map<ServiceState, int[]> counts = new IdentityHashMap<>();
		for (ConnectionTable.Entry entry : this.connections.entries()) {
			if (entry.service == null) {
				continue;
			}
			int[] count = counts.computeIfAbsent(entry.service, (service) -> new int[3]);
			count[0]++;
			long checkedOutAt = entry.checkedOutAt;
			if (checkedOutAt != 0) {
				count[1]++;
				if (now - checkedOutAt > this.leakThresholdMillis) {
					count[2]++;
				}
			}
		}
		List<ServiceSnapshot> serviceSnapshots = new ArrayList<>(this.services.size());
		for (ServiceState service : this.services.values()) {
			int[] count = counts.getOrDefault(service, new int[3]);
			ServiceState.LastError error = service.lastError;
			serviceSnapshots.add(new ServiceSnapshot(service.serviceId, Instant.ofEpochMilli(service.firstSeen),
					Instant.ofEpochMilli(service.lastSeen), count[0], count[1], count[2],
					service.commandsSucceeded.sum(), service.commandsFailed.sum(), service.poolClears.sum(),
					instantOrNull(service.lastPoolClear), (error != null) ? describe(error.error()) : null,
					(error != null) ? Instant.ofEpochMilli(error.time()) : null));
		}
		serviceSnapshots.sort(Comparator.comparing(ServiceSnapshot::lastSeen).reversed());
		ClusterDescription cluster = this.clusterDescription;
		ServerDescription server = this.serverDescription;
		ServerAddress address = (server != null) ? server.getAddress()
				: (cluster != null && !cluster.getServerDescriptions().isEmpty())
						? cluster.getServerDescriptions().get(0).getAddress() : null;
		return new LoadBalancedTopologySnapshot(Instant.ofEpochMilli(now),
				(cluster != null) ? cluster.getType() : ClusterType.UNKNOWN, address,
				(server != null) ? server.getType() : null, Math.max(0, this.openConnections.get()),
				List.copyOf(serviceSnapshots), this.evictedServices.get(), this.untrackedServices.size(),
				this.untrackedCommands.sum(), this.events.toList());
	}

	private static @Nullable Instant instantOrNull(long millis) {
		return (millis != 0) ? Instant.ofEpochMilli(millis) : null;
	}

	private static String describe(Throwable error) {
		String message = error.getMessage();
		String text = error.getClass().getSimpleName() + ((message != null) ? ": " + message : "");
		// Server messages can quote whole documents: keep the snapshot small.
		return (text.length() > MAX_ERROR_LENGTH) ? text.substring(0, MAX_ERROR_LENGTH) + "..." : text;
	}

	private void record(LoadBalancedEvent.Type type, @Nullable ObjectId serviceId, String description) {
		LoadBalancedEvent event = new LoadBalancedEvent(Instant.ofEpochMilli(this.clock.millis()), type, serviceId,
				description);
		this.events.add(event);
		this.eventListener.accept(event);
	}

}
