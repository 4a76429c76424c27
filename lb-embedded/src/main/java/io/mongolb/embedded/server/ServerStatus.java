package io.mongolb.embedded.server;

import de.bwaldvogel.mongo.bson.Document;

/**
 * Assembles one front's {@code serverStatus} reply: the store's, with
 * {@code process: "mongos"}, the front's own connection and cursor counts, the store's
 * {@code transactions} figures, and a {@code mongolbEmbedded} section (front, serviceId,
 * open cursors in the store, PROXY headers received).
 */
final class ServerStatus {

	private final SharedStore store;

	private final FrontIdentity identity;

	private final ConnectionCounters counters;

	private final CursorRegistry cursors;

	ServerStatus(SharedStore store, FrontIdentity identity, ConnectionCounters counters, CursorRegistry cursors) {
		this.store = store;
		this.identity = identity;
		this.counters = counters;
		this.cursors = cursors;
	}

	Document document() {
		long openCursors = this.cursors.openCursors();
		Document status = this.store.getServerStatus();
		status.put("process", "mongos");
		Document connections = new Document();
		connections.put("current", this.counters.current());
		connections.put("available", 1_000_000 - this.counters.current());
		connections.put("totalCreated", this.counters.totalCreated());
		connections.put("loadBalanced", this.counters.loadBalanced());
		status.put("connections", connections);
		Document open = new Document();
		open.put("noTimeout", 0L);
		open.put("pinned", 0L);
		open.put("total", openCursors);
		Document cursor = new Document();
		cursor.put("timedOut", 0L);
		cursor.put("open", open);
		Document metrics = (status.get("metrics") instanceof Document existing) ? existing : new Document();
		metrics.put("cursor", cursor);
		status.put("metrics", metrics);
		// mongod's transactions section, for the whole store (every front's statements).
		status.put("transactions", this.store.transactions().status());
		Document embedded = new Document();
		embedded.put("front", this.identity.index());
		embedded.put("serviceId", this.identity.serviceIdForWire());
		embedded.put("storeOpenCursors", (long) this.cursors.storeOpenCursors());
		ProxyHeaderCounts headers = this.counters.proxyHeaderCounts();
		Document proxyHeaders = new Document();
		proxyHeaders.put("v1", headers.v1());
		proxyHeaders.put("v2", headers.v2());
		proxyHeaders.put("v2Local", headers.v2Local());
		embedded.put("proxyHeaders", proxyHeaders);
		status.put("mongolbEmbedded", embedded);
		return status;
	}

}
