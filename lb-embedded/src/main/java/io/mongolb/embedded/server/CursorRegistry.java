package io.mongolb.embedded.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cursors opened through one front and not known to be closed, with the connection
 * that opened each: what lets the front kill a load-balanced client's cursors when it
 * disconnects (as mongos does) and report {@code metrics.cursor.open.total}. The store's
 * cursors are global and not tied to connections, so the front keeps this itself, from
 * the replies it sends.
 */
final class CursorRegistry {

	private final SharedStore store;

	/**
	 * Cursor id to the id of the connection that opened it (an id, not the channel: an
	 * ordinary connection's cursors outlive it, and must not keep it reachable).
	 */
	private final Map<Long, Integer> owners = new ConcurrentHashMap<>();

	/** The open connections by connection id, to find a cursor owner's own list. */
	private final Map<Integer, ConnectionState> connections = new ConcurrentHashMap<>();

	CursorRegistry(SharedStore store) {
		this.store = store;
	}

	void connectionOpened(ConnectionState state) {
		this.connections.put(state.connectionId, state);
	}

	/**
	 * Forgets a closed connection. Cursors of an ordinary connection outlive it (as on
	 * mongos); those of a load-balanced one are killed in the store.
	 * @param state the connection
	 * @return the cursors killed, empty for an ordinary connection
	 */
	List<Long> connectionClosed(ConnectionState state) {
		this.connections.remove(state.connectionId);
		List<Long> owned = new ArrayList<>(state.cursorIds);
		state.cursorIds.clear();
		if (!state.loadBalanced) {
			return List.of();
		}
		owned.forEach(this.owners::remove);
		return this.store.killCursors(owned);
	}

	/**
	 * Records a cursor a reply on a connection returned.
	 * @param cursorId the cursor id, not 0
	 * @param owner the connection
	 */
	void track(long cursorId, ConnectionState owner) {
		if (this.owners.putIfAbsent(cursorId, owner.connectionId) == null) {
			owner.cursorIds.add(cursorId);
		}
	}

	/**
	 * Forgets the cursors a {@code getMore} or {@code killCursors} named, if they are
	 * closed now. Only those are looked up: this runs on every such command.
	 * @param cursorIds the cursor ids the command named
	 */
	void forgetIfClosed(List<Long> cursorIds) {
		for (Long cursorId : cursorIds) {
			if (this.owners.containsKey(cursorId) && !this.store.cursorExists(cursorId)) {
				forget(cursorId);
			}
		}
	}

	private void forget(Long cursorId) {
		Integer owner = this.owners.remove(cursorId);
		ConnectionState state = (owner != null) ? this.connections.get(owner) : null;
		if (state != null) {
			state.cursorIds.remove(cursorId);
		}
	}

	/**
	 * Returns the number of open cursors, after forgetting every cursor closed meanwhile
	 * (e.g. by a {@code killCursors} sent to another front). For monitoring, not for the
	 * command path.
	 * @return the number of open cursors opened through this front
	 */
	int openCursors() {
		forgetIfClosed(List.copyOf(this.owners.keySet()));
		return this.owners.size();
	}

	/**
	 * Returns the number of open cursors in the whole store, whichever front opened them.
	 * @return the number of open cursors in the store
	 */
	int storeOpenCursors() {
		return this.store.openCursorCount();
	}

}
