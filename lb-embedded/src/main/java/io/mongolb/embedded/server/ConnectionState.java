package io.mongolb.embedded.server;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * Per-connection state of a front. Touched only on the connection's event loop, except
 * for the fields read by monitoring.
 */
final class ConnectionState {

	final boolean loadBalancerPort;

	/**
	 * Whether the connection came in on the front's mongod-style proxy port: it is
	 * answered as a standalone mongod (no {@code msg: isdbgrid}, no {@code serviceId}).
	 */
	final boolean mongodProxyPort;

	final int connectionId;

	/**
	 * Request ids of OP_MSG messages sent with {@code moreToCome}: their replies are
	 * dropped.
	 */
	final Set<Integer> moreToCome = ConcurrentHashMap.newKeySet();

	/** Cursors this connection opened that are not known to be closed. */
	final Set<Long> cursorIds = ConcurrentHashMap.newKeySet();

	boolean helloSeen;

	volatile boolean loadBalanced;

	@Nullable String appName;

	ConnectionState(boolean loadBalancerPort, int connectionId) {
		this(loadBalancerPort, false, connectionId);
	}

	ConnectionState(boolean loadBalancerPort, boolean mongodProxyPort, int connectionId) {
		this.loadBalancerPort = loadBalancerPort;
		this.mongodProxyPort = mongodProxyPort;
		this.connectionId = connectionId;
	}

}
