package io.mongolb.autoconfigure.events;

import io.mongolb.autoconfigure.topology.LoadBalancedEvent;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import org.jspecify.annotations.Nullable;

/**
 * A connection reported as a possible leak ({@link PinnedConnectionLeakEvent}) was
 * checked in or closed ({@link LoadBalancedEvent.Type#PINNED_CONNECTION_RELEASED}): its
 * description says which, and after how long.
 * <p>
 * Its {@link #getServiceSnapshot() snapshot} is the service's entry when the event is
 * published or, when the service is no longer tracked by then, its entry in the last
 * snapshot in which the publisher saw it.
 *
 * @since 0.1.0
 */
public class PinnedConnectionReleasedEvent extends LoadBalancedApplicationEvent {

	/**
	 * Create an event.
	 * @param topology the topology that recorded the event
	 * @param event the recorded {@link LoadBalancedEvent.Type#PINNED_CONNECTION_RELEASED}
	 * event
	 * @param serviceSnapshot the service's snapshot, or {@code null} when not known
	 */
	public PinnedConnectionReleasedEvent(LoadBalancedTopology topology, LoadBalancedEvent event,
			@Nullable ServiceSnapshot serviceSnapshot) {
		super(topology, event, serviceSnapshot);
	}

}
