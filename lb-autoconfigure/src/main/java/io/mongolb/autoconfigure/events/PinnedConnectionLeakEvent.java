package io.mongolb.autoconfigure.events;

import io.mongolb.autoconfigure.topology.LoadBalancedEvent;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import org.jspecify.annotations.Nullable;

/**
 * A connection to the service has been checked out for longer than
 * {@code mongodb.load-balanced.pinning.leak-threshold}: pinned by a cursor or a
 * transaction that was perhaps never closed
 * ({@link LoadBalancedEvent.Type#PINNED_CONNECTION_LEAK}, reported once per check-out).
 * <p>
 * The event's description names the connection, the command that took it and what to do;
 * the open reports, with the connection id, command, database and collection, are in
 * {@link io.mongolb.autoconfigure.topology.LoadBalancedTopologySnapshot#pinnedConnectionLeaks()}
 * until the connection is checked in ({@link PinnedConnectionReleasedEvent}). Its
 * {@link #getServiceSnapshot() snapshot} is the service's entry when the event is
 * published ({@code connectionsPastLeakThreshold}, {@code pinnedConnectionLeaks}); a
 * service with a connection checked out is tracked, so it is known.
 *
 * @since 0.1.0
 */
public class PinnedConnectionLeakEvent extends LoadBalancedApplicationEvent {

	/**
	 * Create an event.
	 * @param topology the topology that recorded the event
	 * @param event the recorded {@link LoadBalancedEvent.Type#PINNED_CONNECTION_LEAK}
	 * event
	 * @param serviceSnapshot the service's snapshot, or {@code null} when not known
	 */
	public PinnedConnectionLeakEvent(LoadBalancedTopology topology, LoadBalancedEvent event,
			@Nullable ServiceSnapshot serviceSnapshot) {
		super(topology, event, serviceSnapshot);
	}

}
