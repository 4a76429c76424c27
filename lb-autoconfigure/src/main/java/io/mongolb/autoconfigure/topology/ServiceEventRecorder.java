package io.mongolb.autoconfigure.topology;

import java.time.Instant;

import org.bson.types.ObjectId;

/**
 * Records the changes to the set of tracked services as events, in words.
 */
final class ServiceEventRecorder implements ServiceLifecycle {

	private final EventLog events;

	private final int maxServices;

	private final LoadBalancedTopology.Hints hints;

	ServiceEventRecorder(EventLog events, int maxServices, LoadBalancedTopology.Hints hints) {
		this.events = events;
		this.maxServices = maxServices;
		this.hints = hints;
	}

	@Override
	public void discovered(ServiceState service) {
		this.events.record(LoadBalancedEvent.Type.SERVICE_DISCOVERED, service.serviceId,
				"Service " + service.serviceId + " discovered");
	}

	@Override
	public void evicted(ServiceState service) {
		this.events.record(LoadBalancedEvent.Type.SERVICE_EVICTED, service.serviceId,
				"Service " + service.serviceId + " evicted (idle longest with no open connection; at most "
						+ this.maxServices + " services are tracked)");
	}

	@Override
	public void expired(ServiceState service) {
		this.events.record(LoadBalancedEvent.Type.SERVICE_EXPIRED, service.serviceId, "Service " + service.serviceId
				+ " expired (no open connection and no command since " + Instant.ofEpochMilli(service.lastSeen) + ")");
	}

	@Override
	public void untracked(ObjectId serviceId) {
		this.events.record(LoadBalancedEvent.Type.SERVICE_UNTRACKED, serviceId,
				"Service " + serviceId + " not tracked: all " + this.maxServices
						+ " tracked services have open connections (" + this.hints.raiseMaxServices() + ")");
	}

}
