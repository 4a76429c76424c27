package io.mongolb.embedded.server;

import java.util.List;

import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.exception.CursorNotFoundException;

/**
 * The one in-memory store shared by every front of a cluster. Adds what the fronts need to know about cursors.
 */
final class SharedStore extends MemoryBackend {

	boolean cursorExists(long cursorId) {
		try {
			getCursorRegistry().getCursor(cursorId);
			return true;
		}
		catch (CursorNotFoundException ex) {
			return false;
		}
	}

	void killCursors(List<Long> cursorIds) {
		closeCursors(cursorIds);
	}

	int openCursorCount() {
		return getCursorRegistry().size();
	}

}
