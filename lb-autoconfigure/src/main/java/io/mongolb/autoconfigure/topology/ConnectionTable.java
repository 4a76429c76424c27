package io.mongolb.autoconfigure.topology;

import com.mongodb.event.CommandSucceededEvent;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.jspecify.annotations.Nullable;

/**
 * Correlates the driver's connections (by {@code ConnectionId#getLocalValue()}) with the
 * service each one reached.
 * <p>
 * Connection-pool events carry only a {@code ConnectionId}, command events carry the
 * {@code serviceId}: a connection is added here on its first command and removed when the
 * pool closes it. Look-ups happen on every command and every check-out, so they read an
 * immutable array sorted by id through one volatile read and a binary search: no lock, no
 * allocation. Changes (a new connection, a closed one) copy the array under a lock; they
 * are as rare as connection creation, and the array is as small as the pool.
 */
final class ConnectionTable {

	private static final Entry[] EMPTY = new Entry[0];

	private volatile Entry[] entries = EMPTY;

	@Nullable Entry get(long id) {
		Entry[] current = this.entries;
		int index = indexOf(current, id);
		return (index >= 0) ? current[index] : null;
	}

	/**
	 * Add the connection, or move it to another service.
	 * @param id the connection's local id
	 * @param service the service it reached
	 * @param checkedOutAt when it was checked out, {@code 0} if it is in the pool
	 * @return the new entry
	 */
	synchronized Entry put(long id, ServiceState service, long checkedOutAt) {
		Entry[] current = this.entries;
		Entry entry = new Entry(id, service, checkedOutAt);
		int index = indexOf(current, id);
		Entry[] updated;
		if (index >= 0) {
			updated = current.clone();
			updated[index] = entry;
		}
		else {
			int insertion = -index - 1;
			updated = new Entry[current.length + 1];
			System.arraycopy(current, 0, updated, 0, insertion);
			updated[insertion] = entry;
			System.arraycopy(current, insertion, updated, insertion + 1, current.length - insertion);
		}
		this.entries = updated;
		return entry;
	}

	synchronized void remove(long id) {
		Entry[] current = this.entries;
		int index = indexOf(current, id);
		if (index < 0) {
			return;
		}
		Entry[] updated = new Entry[current.length - 1];
		System.arraycopy(current, 0, updated, 0, index);
		System.arraycopy(current, index + 1, updated, index, current.length - index - 1);
		this.entries = updated;
	}

	/**
	 * The current entries; the array must not be changed.
	 * @return the entries, sorted by id
	 */
	Entry[] entries() {
		return this.entries;
	}

	/*
	 * Binary search by id, without a probe object.
	 *
	 * @return the index of the entry, or {@code -(insertion point) - 1} as {@code
	 * Arrays.binarySearch} returns
	 */
	private static int indexOf(Entry[] entries, long id) {
		int low = 0;
		int high = entries.length - 1;
		while (low <= high) {
			int middle = (low + high) >>> 1;
			long value = entries[middle].id;
			if (value < id) {
				low = middle + 1;
			}
			else if (value > id) {
				high = middle - 1;
			}
			else {
				return middle;
			}
		}
		return -(low + 1);
	}

	/**
	 * One correlated connection. What a reader needs about its current check-out is kept
	 * here, written by the pool and command listeners without allocating.
	 */
	static final class Entry {

		final long id;

		final ServiceState service;

		/**
		 * When the connection was checked out of the pool, or {@code 0} while it is in
		 * the pool.
		 */
		volatile long checkedOutAt;

		/**
		 * The first command that succeeded on the connection since it was checked out
		 * (the one that opened a cursor or started a transaction, when the connection
		 * stays pinned), or {@code null}. Written last, after {@link #database} and
		 * {@link #collection}, so a reader that sees it sees them.
		 */
		volatile @Nullable String commandName;

		@Nullable String database;

		@Nullable String collection;

		/**
		 * The check-out time of the check-out reported as a possible leak, {@code 0} when
		 * none is. Changed only under this entry's monitor.
		 */
		volatile long reportedCheckOut;

		long reportedAt;

		Entry(long id, ServiceState service, long checkedOutAt) {
			this.id = id;
			this.service = service;
			this.checkedOutAt = checkedOutAt;
		}

		void checkedOut(long now) {
			this.commandName = null;
			this.checkedOutAt = now;
		}

		/**
		 * Keep what a leak report names of the command, if it is the first since the
		 * check-out. The command name and database are references the event already
		 * holds; the collection is read from the reply only for commands that open a
		 * cursor, the one case where reading it may allocate.
		 * @param event the command's event, valid only during this call
		 */
		void commandSucceeded(CommandSucceededEvent event) {
			if (this.commandName != null) {
				return;
			}
			String name = event.getCommandName();
			this.database = event.getDatabaseName();
			this.collection = opensCursor(name) ? collectionOf(event.getResponse(), event.getDatabaseName()) : null;
			this.commandName = name;
		}

		private static boolean opensCursor(String commandName) {
			return switch (commandName) {
				case "find", "aggregate", "listCollections", "listIndexes" -> true;
				default -> false;
			};
		}

		private static @Nullable String collectionOf(BsonDocument reply, String database) {
			BsonValue cursor = reply.get("cursor");
			if (cursor == null || !cursor.isDocument()) {
				return null;
			}
			BsonValue namespace = cursor.asDocument().get("ns");
			if (namespace == null || !namespace.isString()) {
				return null;
			}
			String ns = namespace.asString().getValue();
			return (ns.startsWith(database + ".")) ? ns.substring(database.length() + 1) : ns;
		}

	}

}
