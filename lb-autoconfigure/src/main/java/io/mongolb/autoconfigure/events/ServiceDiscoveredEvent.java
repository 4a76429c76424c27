package io.mongolb.autoconfigure.events;

import io.mongolb.autoconfigure.topology.LoadBalancedEvent;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import org.jspecify.annotations.Nullable;

/**
 * A service (a mongos behind the load balancer) served a command for the first time, or
 * for the first time since it stopped being tracked: the topology tracks it from now on
 * ({@link LoadBalancedEvent.Type#SERVICE_DISCOVERED}).
 * <p>
 * Its {@link #getServiceSnapshot() snapshot} is the service's entry when the event is
 * published: it may not count the command that discovered the service yet (the topology
 * records the discovery first), and may count commands served since. It is {@code null}
 * only when the service stopped being tracked before the publisher saw it.
 *
 * @since 0.1.0
 */
public class ServiceDiscoveredEvent extends LoadBalancedApplicationEvent {

	/**
	 * Create an event.
	 * @param topology the topology that recorded the event
	 * @param event the recorded {@link LoadBalancedEvent.Type#SERVICE_DISCOVERED} event
	 * @param serviceSnapshot the service's snapshot, or {@code null} when not known
	 */
	public ServiceDiscoveredEvent(LoadBalancedTopology topology, LoadBalancedEvent event,
			@Nullable ServiceSnapshot serviceSnapshot) {
		super(topology, event, serviceSnapshot);
	}

}
