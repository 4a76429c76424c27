package io.mongolb.autoconfigure.topology;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import com.mongodb.connection.ConnectionPoolSettings;
import com.mongodb.event.ConnectionCheckedInEvent;
import com.mongodb.event.ConnectionCheckedOutEvent;
import com.mongodb.event.ConnectionClosedEvent;
import com.mongodb.event.ConnectionCreatedEvent;
import com.mongodb.event.ConnectionPoolClearedEvent;
import com.mongodb.event.ConnectionPoolClosedEvent;
import com.mongodb.event.ConnectionPoolCreatedEvent;
import com.mongodb.event.ConnectionPoolListener;
import org.bson.types.ObjectId;

/**
 * Follows the connection pool: check-outs and check-ins (the hot path, no lock, no
 * allocation), connections opened and closed, and the pool's lifecycle and clears, which
 * are recorded as events.
 */
final class LoadBalancedConnectionPoolListener implements ConnectionPoolListener {

	private final ServiceRegistry registry;

	private final EventLog events;

	private final Clock clock;

	private final List<Consumer<ConnectionPoolSettings>> poolCreatedListeners = new CopyOnWriteArrayList<>();

	LoadBalancedConnectionPoolListener(ServiceRegistry registry, EventLog events, Clock clock) {
		this.registry = registry;
		this.events = events;
		this.clock = clock;
	}

	@Override
	public void connectionPoolCreated(ConnectionPoolCreatedEvent event) {
		this.events.record(LoadBalancedEvent.Type.POOL_CREATED, null,
				"Pool for " + event.getServerId().getAddress() + " created");
		for (Consumer<ConnectionPoolSettings> listener : this.poolCreatedListeners) {
			listener.accept(event.getSettings());
		}
	}

	void addPoolCreatedListener(Consumer<ConnectionPoolSettings> listener) {
		this.poolCreatedListeners.add(listener);
	}

	@Override
	public void connectionPoolCleared(ConnectionPoolClearedEvent event) {
		ObjectId serviceId = event.getServiceId();
		if (serviceId == null) {
			this.events.record(LoadBalancedEvent.Type.POOL_CLEARED, null, "Pool cleared (no serviceId)");
			return;
		}
		long now = this.clock.millis();
		ServiceState service = this.registry.track(serviceId, event.getServerId().getClusterId(), now);
		ServiceState.LastError error = null;
		if (service != null) {
			service.poolCleared(now);
			error = service.lastError;
		}
		this.events.record(LoadBalancedEvent.Type.POOL_CLEARED, serviceId,
				"Connections to service " + serviceId + " at " + event.getServerId().getAddress()
						+ " cleared from the pool after an error"
						+ ((error != null) ? "; the last error on that service (" + Instant.ofEpochMilli(error.time())
								+ "): " + SnapshotAssembler.describe(error.error()) : "")
						+ ". Only that mongos's connections are affected: check that mongos and the path to it.");
	}

	@Override
	public void connectionPoolClosed(ConnectionPoolClosedEvent event) {
		this.events.record(LoadBalancedEvent.Type.POOL_CLOSED, null,
				"Pool for " + event.getServerId().getAddress() + " closed");
	}

	@Override
	public void connectionCreated(ConnectionCreatedEvent event) {
		this.registry.connectionCreated();
	}

	@Override
	public void connectionClosed(ConnectionClosedEvent event) {
		this.registry.connectionClosed(event.getConnectionId().getLocalValue());
	}

	@Override
	public void connectionCheckedOut(ConnectionCheckedOutEvent event) {
		this.registry.connectionCheckedOut(event.getConnectionId().getLocalValue());
	}

	@Override
	public void connectionCheckedIn(ConnectionCheckedInEvent event) {
		this.registry.connectionCheckedIn(event.getConnectionId().getLocalValue());
	}

}
