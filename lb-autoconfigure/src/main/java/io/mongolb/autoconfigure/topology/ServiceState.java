package io.mongolb.autoconfigure.topology;

import java.util.concurrent.atomic.LongAdder;

import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * Mutable counters of one service, updated from driver events without locks. Connection counts are not kept here:
 * they are derived from the {@link ConnectionTable} when a snapshot is taken, so they cannot drift.
 */
final class ServiceState {

	final ObjectId serviceId;

	final long firstSeen;

	volatile long lastSeen;

	final LongAdder commandsSucceeded = new LongAdder();

	final LongAdder commandsFailed = new LongAdder();

	final LongAdder poolClears = new LongAdder();

	volatile long lastPoolClear;

	volatile @Nullable LastError lastError;

	ServiceState(ObjectId serviceId, long now) {
		this.serviceId = serviceId;
		this.firstSeen = now;
		this.lastSeen = now;
	}

	/**
	 * The last command failure and when it happened, read and written as one.
	 */
	record LastError(Throwable error, long time) {
	}

}
