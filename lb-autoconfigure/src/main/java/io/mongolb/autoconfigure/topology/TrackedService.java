package io.mongolb.autoconfigure.topology;

import org.bson.types.ObjectId;

/**
 * A live view of one service (a mongos behind the load balancer) while the topology
 * tracks it, for readers that sample it repeatedly, such as meters. Every method reads
 * the current value; none allocates except {@link #serviceIdHex()} the first time.
 * <p>
 * Unlike a {@link ServiceSnapshot}, a tracked service keeps changing; once the topology
 * stops tracking it (see {@link ServiceObserver#serviceRemoved}) its values stop
 * changing.
 *
 * @since 0.1.0
 */
public interface TrackedService {

	/**
	 * The service's id, as its handshake returned it.
	 * @return the serviceId
	 */
	ObjectId serviceId();

	/**
	 * The service's id in hexadecimal, computed once.
	 * @return the serviceId as 24 hexadecimal digits
	 */
	String serviceIdHex();

	/**
	 * Pooled connections to the service now, as correlated from command events.
	 * @return the open connections
	 */
	int openConnections();

	/**
	 * Those of its connections checked out of the pool now.
	 * @return the checked-out connections
	 */
	int checkedOutConnections();

	/**
	 * Those of its connections checked out for longer than the topology's leak threshold:
	 * pinned by a cursor or transaction that may have leaked.
	 * @return the connections checked out past the leak threshold
	 */
	int connectionsPastLeakThreshold();

	/**
	 * Commands it answered with success.
	 * @return the count since it was first seen
	 */
	long commandsSucceeded();

	/**
	 * Commands that failed on a connection to it.
	 * @return the count since it was first seen
	 */
	long commandsFailed();

	/**
	 * How many times the driver cleared its connections from the pool.
	 * @return the count since it was first seen
	 */
	long poolClears();

	/**
	 * How many of its connections were reported as possible leaks: checked out past the
	 * leak threshold, once per check-out.
	 * @return the count since it was first seen
	 */
	long pinnedConnectionLeaks();

}
