package io.mongolb.autoconfigure.topology;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One service's connections at one moment, by state: open, checked out, checked out past
 * the leak threshold. Counted from the correlated connections when read, never kept.
 */
final class ConnectionCounts {

	static final ConnectionCounts NONE = new ConnectionCounts();

	private int open;

	private int checkedOut;

	private int pastLeakThreshold;

	private ConnectionCounts() {
	}

	/**
	 * Count the connections of every service that has any.
	 * @param connections the correlated connections
	 * @param now the current time
	 * @param leakThresholdMillis how long a connection may stay checked out before it
	 * counts as a possible leak
	 * @return the counts by service (by identity); a service with no connection is absent
	 */
	static Map<ServiceState, ConnectionCounts> of(ConnectionTable.Entry[] connections, long now,
			long leakThresholdMillis) {
		Map<ServiceState, ConnectionCounts> counts = new IdentityHashMap<>();
		for (ConnectionTable.Entry connection : connections) {
			ConnectionCounts count = counts.computeIfAbsent(connection.service, (service) -> new ConnectionCounts());
			count.open++;
			long checkedOutAt = connection.checkedOutAt;
			if (checkedOutAt != 0) {
				count.checkedOut++;
				if (now - checkedOutAt > leakThresholdMillis) {
					count.pastLeakThreshold++;
				}
			}
		}
		return counts;
	}

	/**
	 * Count one service's connections in one state, without allocating.
	 * @param connections the correlated connections
	 * @param service the service
	 * @param state the state to count
	 * @param now the current time
	 * @param leakThresholdMillis how long a connection may stay checked out before it
	 * counts as a possible leak
	 * @return the count
	 */
	static int count(ConnectionTable.Entry[] connections, ServiceState service, State state, long now,
			long leakThresholdMillis) {
		int count = 0;
		for (ConnectionTable.Entry connection : connections) {
			if (connection.service == service && state.matches(connection.checkedOutAt, now, leakThresholdMillis)) {
				count++;
			}
		}
		return count;
	}

	int open() {
		return this.open;
	}

	int checkedOut() {
		return this.checkedOut;
	}

	int pastLeakThreshold() {
		return this.pastLeakThreshold;
	}

	/**
	 * The states a connection is counted in; a connection checked out past the threshold
	 * is counted in all three.
	 */
	enum State {

		/** In the pool or checked out. */
		OPEN,

		/** Checked out of the pool. */
		CHECKED_OUT,

		/** Checked out for longer than the leak threshold. */
		PAST_LEAK_THRESHOLD;

		boolean matches(long checkedOutAt, long now, long leakThresholdMillis) {
			return switch (this) {
				case OPEN -> true;
				case CHECKED_OUT -> checkedOutAt != 0;
				case PAST_LEAK_THRESHOLD -> checkedOutAt != 0 && now - checkedOutAt > leakThresholdMillis;
			};
		}

	}

}
