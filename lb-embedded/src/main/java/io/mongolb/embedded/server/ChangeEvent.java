package io.mongolb.embedded.server;

import java.time.Instant;

import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Document;
import org.jspecify.annotations.Nullable;

/**
 * One change in the store's {@link ChangeStreamHistory}: what a change event is made of
 * when a change stream reads it.
 *
 * @param sequence the event's number, from 1, which its resume token encodes
 * @param database the database written to
 * @param collection the collection written to
 * @param operationType {@code insert}, {@code update}, {@code replace}, {@code delete} or
 * {@code drop}
 * @param documentId the {@code _id} of the document written, {@code null} for a drop
 * @param fullDocument the document inserted or the replacement, a copy
 * @param updateDescription what an update changed
 * @param clusterTime when, as a cluster time that orders like the sequence
 * @param wallTime when, by the clock
 */
record ChangeEvent(long sequence, String database, String collection, String operationType, @Nullable Object documentId,
		@Nullable Document fullDocument, @Nullable Document updateDescription, BsonTimestamp clusterTime,
		Instant wallTime) {
}
