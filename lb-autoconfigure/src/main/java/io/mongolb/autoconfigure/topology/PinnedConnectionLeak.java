package io.mongolb.autoconfigure.topology;

import java.time.Duration;
import java.time.Instant;

import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * A connection checked out for longer than the leak threshold: pinned to a cursor or a
 * transaction that was perhaps never closed. It names the command that took the
 * connection, never its filter or documents.
 *
 * @param serviceId the service (mongos) the connection reached
 * @param connectionId the driver's local id of the connection
 * @param commandName the command that opened the cursor or started the transaction, or
 * the last command that ran on the connection
 * @param database the database of that command
 * @param collection the collection of that command, when it opened a cursor and names one
 * @param checkedOutAt when the connection was checked out of the pool
 * @param reportedAt when it was reported as a possible leak
 * @param checkedOutFor how long it had been checked out when the snapshot was taken
 * @since 0.1.0
 */
public record PinnedConnectionLeak(ObjectId serviceId, long connectionId, String commandName, String database,
		@Nullable String collection, Instant checkedOutAt, Instant reportedAt, Duration checkedOutFor) {

}
