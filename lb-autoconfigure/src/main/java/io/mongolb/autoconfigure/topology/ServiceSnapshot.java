package io.mongolb.autoconfigure.topology;

import java.time.Instant;

import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * What is known of one service (a mongos behind the load balancer), identified by the
 * {@code serviceId} its handshake returned.
 *
 * @param serviceId the service's id (a mongos generates a new one each time it starts)
 * @param firstSeen when a command was first served by it, or its pool first cleared
 * @param lastSeen when it last served a command (or had its pool cleared)
 * @param openConnections pooled connections to it, as correlated from command events
 * @param connectionsInUse those of its connections checked out of the pool now
 * @param connectionsPastLeakThreshold those checked out for longer than the topology's
 * leak threshold: pinned by a cursor or transaction that may have leaked
 * @param commandsSucceeded commands it answered with success
 * @param commandsFailed commands that failed on a connection to it
 * @param poolClears how many times the driver cleared its connections from the pool
 * @param lastPoolClear when that last happened
 * @param lastError the last command failure on a connection to it
 * ({@code ExceptionClass: message})
 * @param lastErrorAt when that happened
 * @param pinnedConnectionLeaks how many of its connections were reported as possible
 * leaks (checked out past the leak threshold), once per check-out
 * @since 0.1.0
 */
public record ServiceSnapshot(ObjectId serviceId, Instant firstSeen, Instant lastSeen, int openConnections,
		int connectionsInUse, int connectionsPastLeakThreshold, long commandsSucceeded, long commandsFailed,
		long poolClears, @Nullable Instant lastPoolClear, @Nullable String lastError, @Nullable Instant lastErrorAt,
		long pinnedConnectionLeaks) {

}
