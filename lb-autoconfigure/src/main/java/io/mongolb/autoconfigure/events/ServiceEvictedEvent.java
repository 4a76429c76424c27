package io.mongolb.autoconfigure.events;

import io.mongolb.autoconfigure.topology.LoadBalancedEvent;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.ServiceObserver;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import org.jspecify.annotations.Nullable;

/**
 * A service stopped being tracked: {@link ServiceObserver.Removal#EVICTED evicted} at the
 * bound on tracked services ({@code mongodb.load-balanced.metrics.max-services}) to make
 * room for a new one ({@link LoadBalancedEvent.Type#SERVICE_EVICTED}), or
 * {@link ServiceObserver.Removal#EXPIRED expired} after it had no open connection and
 * served no command for {@code mongodb.load-balanced.metrics.expire-after}
 * ({@link LoadBalancedEvent.Type#SERVICE_EXPIRED}). {@link #getReason()} says which. If
 * the service serves a command again, it is discovered anew.
 * <p>
 * The service has no entry in the topology's snapshot any more, so its
 * {@link #getServiceSnapshot() snapshot} is what the publisher knows of its last state:
 * <ul>
 * <li>the counters ({@code commandsSucceeded}, {@code commandsFailed},
 * {@code poolClears}, {@code pinnedConnectionLeaks}) and the connection counts (zero: a
 * service with open connections is neither evicted nor expired) are its final values,
 * read from the service when it stopped being tracked;</li>
 * <li>{@code firstSeen} is exact; {@code lastSeen}, {@code lastPoolClear},
 * {@code lastError} and {@code lastErrorAt} come from the last topology snapshot in which
 * the publisher saw the service (it takes one for every event it publishes), so they may
 * be older than the service's last command. For an expired service the last command is at
 * least the expiry time before the event: the event's description says since when.</li>
 * </ul>
 * It is {@code null} when the publisher never saw the service in a snapshot (for example
 * when the event of its discovery was dropped, or it was evicted before that event was
 * published).
 *
 * @since 0.1.0
 */
public class ServiceEvictedEvent extends LoadBalancedApplicationEvent {

	/**
	 * Create an event.
	 * @param topology the topology that recorded the event
	 * @param event the recorded {@link LoadBalancedEvent.Type#SERVICE_EVICTED} or
	 * {@link LoadBalancedEvent.Type#SERVICE_EXPIRED} event
	 * @param serviceSnapshot the service's last known state, or {@code null} when not
	 * known
	 */
	public ServiceEvictedEvent(LoadBalancedTopology topology, LoadBalancedEvent event,
			@Nullable ServiceSnapshot serviceSnapshot) {
		super(topology, event, serviceSnapshot);
		if (event.type() != LoadBalancedEvent.Type.SERVICE_EVICTED
				&& event.type() != LoadBalancedEvent.Type.SERVICE_EXPIRED) {
			throw new IllegalArgumentException("Not an eviction: " + event.type());
		}
	}

	/**
	 * Why the service stopped being tracked.
	 * @return {@link ServiceObserver.Removal#EVICTED} at the bound on tracked services,
	 * {@link ServiceObserver.Removal#EXPIRED} after it was idle for the expiry time
	 */
	public ServiceObserver.Removal getReason() {
		return isExpired() ? ServiceObserver.Removal.EXPIRED : ServiceObserver.Removal.EVICTED;
	}

	/**
	 * Whether the service expired (idle for the expiry time) rather than being evicted at
	 * the bound.
	 * @return {@code true} for {@link LoadBalancedEvent.Type#SERVICE_EXPIRED}
	 */
	public boolean isExpired() {
		return getEvent().type() == LoadBalancedEvent.Type.SERVICE_EXPIRED;
	}

}
