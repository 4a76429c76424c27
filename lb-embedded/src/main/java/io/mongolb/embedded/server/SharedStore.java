package io.mongolb.embedded.server;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.exception.CursorNotFoundException;

/**
 * The one in-memory store shared by every front of a cluster. Adds what the fronts need
 * to know about cursors.
 */
final class SharedStore extends MemoryBackend {

	/**
	 * How many times a front asked whether a cursor exists (tests check the bookkeeping
	 * stays cheap).
	 */
	private final AtomicLong cursorLookups = new AtomicLong();

	boolean cursorExists(long cursorId) {
		this.cursorLookups.incrementAndGet();
		try {
			getCursorRegistry().getCursor(cursorId);
			return true;
		}
		catch (CursorNotFoundException ex) {
			return false;
		}
	}

	/**
	 * Closes cursors.
	 * @param cursorIds the cursors to close
	 * @return those of them that were open
	 */
	List<Long> killCursors(List<Long> cursorIds) {
		return cursorIds.stream().filter(getCursorRegistry()::remove).toList();
	}

	long cursorLookups() {
		return this.cursorLookups.get();
	}

	int openCursorCount() {
		return getCursorRegistry().size();
	}

}
