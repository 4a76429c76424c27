package io.mongolb.autoconfigure.topology;

import java.time.Instant;

import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * One recorded topology, service or connection-pool event.
 *
 * @param time when it was recorded
 * @param type what happened
 * @param serviceId the service it concerns, if any
 * @param description what happened, in words; for description changes
 * {@code previous -> new} with the spec's type names (for example
 * {@code Unknown -> LoadBalanced})
 * @since 0.1.0
 */
public record LoadBalancedEvent(Instant time, Type type, @Nullable ObjectId serviceId, String description) {

	/**
	 * The kinds of recorded events: the SDAM events the driver emits in load-balanced
	 * mode, connection-pool lifecycle events, and the services the starter discovers,
	 * evicts or expires.
	 */
	public enum Type {

		/** The driver opened the topology. */
		TOPOLOGY_OPENING,

		/** The topology description changed. */
		TOPOLOGY_DESCRIPTION_CHANGED,

		/** The server that represents the load balancer was created. */
		SERVER_OPENING,

		/** The load balancer's server description changed. */
		SERVER_DESCRIPTION_CHANGED,

		/** The server that represents the load balancer was closed. */
		SERVER_CLOSED,

		/** The driver closed the topology. */
		TOPOLOGY_CLOSED,

		/** The connection pool was created. */
		POOL_CREATED,

		/** The connections of one service were cleared from the pool, after an error. */
		POOL_CLEARED,

		/** The connection pool was closed. */
		POOL_CLOSED,

		/** A command was served by a service not seen before. */
		SERVICE_DISCOVERED,

		/**
		 * A service was dropped from the tracked set to respect the bound on tracked
		 * services.
		 */
		SERVICE_EVICTED,

		/**
		 * A service was dropped from the tracked set after it had no open connection and
		 * served no command for the expiry time.
		 */
		SERVICE_EXPIRED,

		/**
		 * A service was not tracked: the bound was reached and every tracked service had
		 * open connections.
		 */
		SERVICE_UNTRACKED,

		/**
		 * A connection has been checked out for longer than the leak threshold: pinned by
		 * a cursor or transaction that may have leaked. Recorded once per check-out.
		 */
		PINNED_CONNECTION_LEAK,

		/**
		 * A connection reported as a possible leak was checked in again.
		 */
		PINNED_CONNECTION_RELEASED

	}

}
