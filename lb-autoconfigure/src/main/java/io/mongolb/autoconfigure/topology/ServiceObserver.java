package io.mongolb.autoconfigure.topology;

import com.mongodb.connection.ClusterId;
import org.jspecify.annotations.Nullable;

/**
 * Told how the set of tracked services changes, for readers that keep something per
 * service (meters, for example). Register one with
 * {@link LoadBalancedTopology#addServiceObserver(ServiceObserver)}.
 * <p>
 * Calls are rare (once per service tracked or removed, once per topology opened or
 * closed) and are made in the order of the changes, one at a time, under the topology's
 * lock, on a driver thread or the starter's scheduler: an observer must be quick, must
 * not block, and must not call back into the topology's listeners. What an observer keeps
 * for a service must go when {@link #serviceRemoved} or {@link #topologyClosed} is
 * called: that is what keeps the number of services an observer sees bounded.
 *
 * @since 0.1.0
 */
public interface ServiceObserver {

	/**
	 * The topology is known by this id from now on. Called before any
	 * {@link #serviceTracked}, and again with a new id if the topology opens again.
	 * @param clusterId the driver's id of the topology, the {@code cluster.id} of
	 * Micrometer's MongoDB meters
	 */
	default void topologyOpened(ClusterId clusterId) {
	}

	/**
	 * A service is tracked from now on (or was already tracked when the observer was
	 * added).
	 * @param service the live view of the service
	 * @return what records the service's commands from now on, or {@code null} for
	 * nothing
	 */
	default @Nullable CommandRecorder serviceTracked(TrackedService service) {
		return null;
	}

	/**
	 * A service is no longer tracked; if it comes back it is tracked anew.
	 * @param service the service's last view
	 * @param reason why it is no longer tracked
	 */
	default void serviceRemoved(TrackedService service, Removal reason) {
	}

	/**
	 * The topology closed: every service is to be forgotten.
	 * @param clusterId the driver's id of the topology
	 */
	default void topologyClosed(ClusterId clusterId) {
	}

	/**
	 * Why a service stopped being tracked.
	 */
	enum Removal {

		/**
		 * Dropped at the bound on tracked services to make room for a new one: it was
		 * idle longest and had no open connection.
		 */
		EVICTED,

		/**
		 * Expired: no open connection and no command for the expiry time.
		 */
		EXPIRED

	}

}
