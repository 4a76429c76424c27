package io.mongolb.autoconfigure.events;

import io.mongolb.autoconfigure.topology.LoadBalancedEvent;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import org.jspecify.annotations.Nullable;

/**
 * The driver cleared one service's connections from the pool after an error on one of
 * them, typically a network error ({@link LoadBalancedEvent.Type#POOL_CLEARED}). In
 * load-balanced mode only that mongos's connections are affected.
 * <p>
 * Its {@link #getServiceSnapshot() snapshot} is the service's entry when the event is
 * published: {@code poolClears}, {@code lastPoolClear} and {@code lastError} (the last
 * command failure on the service, usually the error that led to the clear; the event's
 * description quotes it too). It is {@code null} when the service is not tracked and the
 * publisher never saw it tracked (every tracked service had open connections when it
 * appeared, see {@code mongodb.load-balanced.metrics.max-services}). A pool clear without
 * a serviceId, which load-balanced mode does not produce, is recorded in the topology's
 * recent events but not published.
 *
 * @since 0.1.0
 */
public class PoolClearedEvent extends LoadBalancedApplicationEvent {

	/**
	 * Create an event.
	 * @param topology the topology that recorded the event
	 * @param event the recorded {@link LoadBalancedEvent.Type#POOL_CLEARED} event
	 * @param serviceSnapshot the service's snapshot, or {@code null} when not known
	 */
	public PoolClearedEvent(LoadBalancedTopology topology, LoadBalancedEvent event,
			@Nullable ServiceSnapshot serviceSnapshot) {
		super(topology, event, serviceSnapshot);
	}

}
