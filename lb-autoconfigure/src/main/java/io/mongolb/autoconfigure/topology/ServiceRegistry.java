package io.mongolb.autoconfigure.topology;

import java.time.Clock;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ConnectionDescription;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * The services behind the load balancer, at most {@code maxServices} of them, and the
 * connections correlated with each: the state that the command and pool listeners update
 * and that readers count.
 * <p>
 * Reads and counter updates take no lock. Every change to the set of tracked services,
 * and every registration of a connection with its service, happens under one lock, so
 * that eviction (which picks a service with no registered connection) sees a service and
 * its first connection together or not at all. Those changes are as rare as new
 * connections.
 */
final class ServiceRegistry {

	private final int maxServices;

	private final Clock clock;

	private final long leakThresholdMillis;

	private final ServiceLifecycle lifecycle;

	private final ConcurrentHashMap<ObjectId, ServiceState> services = new ConcurrentHashMap<>();

	private final ConnectionTable connections = new ConnectionTable();

	private final AtomicInteger openConnections = new AtomicInteger();

	private final AtomicLong evictedServices = new AtomicLong();

	// Services refused at the bound while every tracked service had open connections.
	// Their commands are only counted, without a lock; the set is cleared when a
	// connection closes, so that they are tried again.
	private final Set<ObjectId> untrackedServices = ConcurrentHashMap.newKeySet();

	private final LongAdder untrackedCommands = new LongAdder();

	private final List<ServiceObserver> observers = new CopyOnWriteArrayList<>();

	// The topology's id once known (from a connection or the topology's opening), until
	// it closes. Written under the lock.
	private volatile @Nullable ClusterId clusterId;

	private final Object lock = new Object();

	private final PinnedConnectionLeaks leaks;

	ServiceRegistry(int maxServices, Clock clock, long leakThresholdMillis, ServiceLifecycle lifecycle,
			EventLog events) {
		this.maxServices = maxServices;
		this.clock = clock;
		this.leakThresholdMillis = leakThresholdMillis;
		this.lifecycle = lifecycle;
		this.leaks = new PinnedConnectionLeaks(events, leakThresholdMillis);
	}

	// The hot path: every command and every check-out

	/**
	 * The connection a command ran on, correlated with the service that served it.
	 * @param description the description of the connection the command ran on
	 * @return the connection, whose {@code service} served the command, or {@code null}
	 * when the connection has no serviceId or its service is not tracked
	 */
	ConnectionTable.@Nullable Entry connectionOf(ConnectionDescription description) {
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
				service.seen(now);
				return connection;
			}
		}
		else if (this.untrackedServices.contains(serviceId)) {
			this.untrackedCommands.increment();
			return null;
		}
		ConnectionTable.Entry connection = register(serviceId,
				description.getConnectionId().getServerId().getClusterId(), connectionId, now);
		if (connection == null) {
			this.untrackedCommands.increment();
		}
		return connection;
	}

	@Nullable ObjectId serviceIdOf(long connectionId) {
		ConnectionTable.Entry connection = this.connections.get(connectionId);
		return (connection != null) ? connection.service.serviceId : null;
	}

	void connectionCheckedOut(long connectionId) {
		ConnectionTable.Entry connection = this.connections.get(connectionId);
		if (connection != null) {
			connection.checkedOut(this.clock.millis());
		}
	}

	void connectionCheckedIn(long connectionId) {
		ConnectionTable.Entry connection = this.connections.get(connectionId);
		if (connection != null) {
			connection.checkedOutAt = 0;
			if (connection.reportedCheckOut != 0) {
				// Rare: the check-out had been reported as a possible leak.
				this.leaks.released(connection, "checked in", this.clock.millis());
			}
		}
	}

	void connectionCreated() {
		this.openConnections.incrementAndGet();
	}

	void connectionClosed(long connectionId) {
		this.openConnections.decrementAndGet();
		// Under the lock, as eviction is: otherwise an eviction that still saw this
		// connection could refuse a newcomer right after the set was cleared, and the
		// newcomer would stay untracked with a slot free.
		synchronized (this.lock) {
			ConnectionTable.Entry connection = this.connections.get(connectionId);
			if (connection != null) {
				// As a check-in: mark it in first, then look for a report.
				connection.checkedOutAt = 0;
				if (connection.reportedCheckOut != 0) {
					this.leaks.released(connection, "closed", this.clock.millis());
				}
			}
			this.connections.remove(connectionId);
			if (!this.untrackedServices.isEmpty()) {
				// A tracked service may have lost its last connection: let untracked
				// services try again.
				this.untrackedServices.clear();
			}
		}
	}

	// Changes to the tracked set

	/**
	 * The state of a service known without a connection (from a pool clear), discovering
	 * it if needed.
	 * @param serviceId the service's id
	 * @param clusterId the id of the topology it belongs to
	 * @param now the current time
	 * @return the service's state, or {@code null} when it is not tracked
	 */
	@Nullable ServiceState track(ObjectId serviceId, ClusterId clusterId, long now) {
		ServiceState service = this.services.get(serviceId);
		return (service != null) ? service : discover(serviceId, clusterId, now);
	}

	/*
	 * Correlate a connection with its service, discovering the service if needed, in one
	 * step under the lock. Runs once per connection (its first command), or when its
	 * service was evicted and came back.
	 *
	 * @return the service's state, or {@code null} when the service is not tracked
	 */
	private ConnectionTable.@Nullable Entry register(ObjectId serviceId, ClusterId clusterId, long connectionId,
			long now) {
		synchronized (this.lock) {
			// Read again under the lock: the service may have been evicted since the
			// caller looked.
			ServiceState service = this.services.get(serviceId);
			if (service == null) {
				service = discover(serviceId, clusterId, now);
				if (service == null) {
					return null;
				}
			}
			ConnectionTable.Entry connection = this.connections.get(connectionId);
			if (connection == null || connection.service != service) {
				// First command on this connection (it is checked out, since it runs a
				// command), or its service was evicted and has just come back.
				connection = this.connections.put(connectionId, service, now);
			}
			service.seen(now);
			return connection;
		}
	}

	/*
	 * Start tracking a service, evicting the one idle longest among those with no open
	 * connection when at the bound.
	 *
	 * @return the service's state, or {@code null} when every tracked service still has
	 * open connections
	 */
	private @Nullable ServiceState discover(ObjectId serviceId, ClusterId clusterId, long now) {
		synchronized (this.lock) {
			ServiceState service = this.services.get(serviceId);
			if (service != null) {
				return service;
			}
			// Commands can run before the driver's asynchronous SDAM events arrive: the
			// first connection may be the first to name the topology.
			topologyOpened(clusterId);
			if (this.services.size() >= this.maxServices && !evictIdlest()) {
				if (this.untrackedServices.add(serviceId)) {
					this.lifecycle.untracked(serviceId);
				}
				return null;
			}
			service = new ServiceState(serviceId, now, this);
			this.services.put(serviceId, service);
			this.lifecycle.discovered(service);
			for (ServiceObserver observer : this.observers) {
				announce(observer, service);
			}
			return service;
		}
	}

	private boolean evictIdlest() {
		Set<ServiceState> connected = connectedServices();
		ServiceState victim = this.services.values()
			.stream()
			.filter((service) -> !connected.contains(service))
			.min(Comparator.comparingLong((service) -> service.lastSeen))
			.orElse(null);
		if (victim == null) {
			return false;
		}
		evict(victim);
		return true;
	}

	private Set<ServiceState> connectedServices() {
		Set<ServiceState> connected = Collections.newSetFromMap(new IdentityHashMap<>());
		for (ConnectionTable.Entry entry : this.connections.entries()) {
			connected.add(entry.service);
		}
		return connected;
	}

	private void evict(ServiceState service) {
		remove(service);
		this.lifecycle.evicted(service);
		for (ServiceObserver observer : this.observers) {
			observer.serviceRemoved(service, ServiceObserver.Removal.EVICTED);
		}
	}

	// The one way out of the tracked set.
	private void remove(ServiceState service) {
		this.services.remove(service.serviceId);
		service.clearRecorders();
		this.evictedServices.incrementAndGet();
	}

	/**
	 * Stop tracking the services that have no open connection and were last seen before
	 * the cut-off.
	 * @param lastSeenBefore the cut-off, in epoch milliseconds
	 * @return how many services expired
	 */
	int expire(long lastSeenBefore) {
		synchronized (this.lock) {
			Set<ServiceState> connected = connectedServices();
			int expired = 0;
			for (ServiceState service : this.services.values()) {
				if (!connected.contains(service) && service.lastSeen < lastSeenBefore) {
					remove(service);
					this.lifecycle.expired(service);
					for (ServiceObserver observer : this.observers) {
						observer.serviceRemoved(service, ServiceObserver.Removal.EXPIRED);
					}
					expired++;
				}
			}
			if (expired > 0) {
				// Room was made: let refused services try again.
				this.untrackedServices.clear();
			}
			return expired;
		}
	}

	// Observers

	/**
	 * Add an observer and tell it what is tracked now, in one step.
	 * @param observer the observer
	 */
	void addObserver(ServiceObserver observer) {
		synchronized (this.lock) {
			this.observers.add(observer);
			ClusterId current = this.clusterId;
			if (current != null) {
				observer.topologyOpened(current);
				for (ServiceState service : this.services.values()) {
					announce(observer, service);
				}
			}
		}
	}

	/**
	 * Note the topology's id, from its opening event or its first connection, and tell
	 * the observers when it is new.
	 * @param id the topology's id
	 */
	void topologyOpened(ClusterId id) {
		if (id.equals(this.clusterId)) {
			return;
		}
		synchronized (this.lock) {
			ClusterId previous = this.clusterId;
			if (id.equals(previous)) {
				return;
			}
			if (previous != null) {
				// One model heard two topologies: forget the first before the second.
				topologyClosed(previous);
			}
			this.clusterId = id;
			for (ServiceObserver observer : this.observers) {
				observer.topologyOpened(id);
				// Services tracked before a reopening are announced again: observers
				// forgot them when the topology closed.
				for (ServiceState service : this.services.values()) {
					announce(observer, service);
				}
			}
		}
	}

	void topologyClosed(ClusterId id) {
		synchronized (this.lock) {
			if (!id.equals(this.clusterId)) {
				return;
			}
			this.clusterId = null;
			for (ServiceState service : this.services.values()) {
				service.clearRecorders();
			}
			for (ServiceObserver observer : this.observers) {
				observer.topologyClosed(id);
			}
		}
	}

	private static void announce(ServiceObserver observer, ServiceState service) {
		CommandRecorder recorder = observer.serviceTracked(service);
		if (recorder != null) {
			service.addRecorder(recorder);
		}
	}

	// Readers

	Collection<ServiceState> services() {
		return this.services.values();
	}

	@Nullable ServiceState service(ObjectId serviceId) {
		return this.services.get(serviceId);
	}

	/**
	 * Report the connections checked out past the leak threshold that are not reported
	 * yet.
	 * @return how many were reported now
	 */
	int scanForLeaks() {
		return this.leaks.scan(this.connections.entries(), this.clock.millis());
	}

	List<PinnedConnectionLeak> openLeaks(long now) {
		return this.leaks.open(this.connections.entries(), now);
	}

	int countConnections(ServiceState service, ConnectionCounts.State state) {
		return ConnectionCounts.count(this.connections.entries(), service, state, this.clock.millis(),
				this.leakThresholdMillis);
	}

	int trackedServices() {
		return this.services.size();
	}

	/**
	 * The correlated connections now; the array must not be changed.
	 * @return the connections, sorted by id
	 */
	ConnectionTable.Entry[] connections() {
		return this.connections.entries();
	}

	int openConnections() {
		return Math.max(0, this.openConnections.get());
	}

	long evictedServices() {
		return this.evictedServices.get();
	}

	int untrackedServices() {
		return this.untrackedServices.size();
	}

	long untrackedCommands() {
		return this.untrackedCommands.sum();
	}

}
