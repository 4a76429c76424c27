package io.mongolb.embedded.server;

import java.time.Duration;

import io.mongolb.embedded.proxy.ProxyProtocolVersion;

/**
 * The settings of an {@link EmbeddedLoadBalancedMongo}, validated once, here: the
 * builder, the {@code mongodb.load-balanced.embedded.*} properties and
 * {@code @EmbeddedLoadBalancedMongoTest} all end up in one of these, so an invalid value
 * gets the same message whichever way it was given. Each message names the option, the
 * value and what is accepted, e.g. {@code fronts must be at least 1, was 0}.
 * <p>
 * Start from {@link #defaults()} and change what differs with the {@code with...}
 * methods; each returns a new, validated instance: <pre>{@code
 * EmbeddedLoadBalancedMongoSettings settings = EmbeddedLoadBalancedMongoSettings.defaults().withFronts(3);
 * }</pre>
 *
 * @param fronts the number of mongos-like fronts, at least 1
 * @param proxyProtocol the PROXY protocol version the in-process balancer writes (the
 * fronts accept both)
 * @param balancer whether to start the in-process balancer; without it, put a balancer of
 * your own (e.g. HAProxy with {@code send-proxy-v2}) in front of the load-balancer ports
 * @param balancerPort the port of the in-process balancer on 127.0.0.1, 0 to 65535 (0
 * picks a free port)
 * @param acceptNonLoadBalancedClients whether the load-balancer ports also accept clients
 * that are not in load-balanced mode, as mongos 7.0.22+, 8.0.10+ and 8.1+ do for
 * reverse-proxy setups ({@code false}: such clients get error 354
 * {@code LoadBalancerSupportMismatch}, as older mongos versions answer)
 * @param maxWireVersion the {@code maxWireVersion} the fronts advertise, at least 13
 * (MongoDB 5.0, the first version with load-balancer support)
 * @param proxyHeaderTimeout how long a load-balancer port waits for a complete PROXY
 * protocol header before it closes the connection, positive
 * @param database the database named in
 * {@link EmbeddedLoadBalancedMongo#getConnectionString()}, a MongoDB database name
 * (default {@code test}, Spring Boot's default database)
 * @param eventLoopThreads the number of I/O threads shared by the fronts and the
 * balancer, at least 1
 * @param changeStreams whether the store keeps a change-stream history, so that
 * {@code $changeStream} aggregations (collection, database and cluster level) work
 * ({@code false}: they fail with error 40573 naming this option)
 * @param changeStreamHistory how many change events the store keeps, at least 1: the
 * history is capped so that memory stays flat under load; a change stream that falls
 * further behind (or resumes from an older token) gets error 286
 * {@code ChangeStreamHistoryLost}, as on a replica set whose oplog rolled over
 * @param transactionLifetimeLimit how long a transaction may stay open before the store
 * aborts it, as mongod's {@code transactionLifetimeLimitSeconds} (default 60 seconds),
 * positive
 * @param blockedWriteTimeout how long a write outside a transaction waits for a
 * transaction that has written to the same collection to commit or abort, before it fails
 * with {@code LockTimeout} (default 5 seconds), positive
 * @since 0.1.0
 */
public record EmbeddedLoadBalancedMongoSettings(int fronts, ProxyProtocolVersion proxyProtocol, boolean balancer,
		int balancerPort, boolean acceptNonLoadBalancedClients, int maxWireVersion, Duration proxyHeaderTimeout,
		String database, int eventLoopThreads, boolean changeStreams, int changeStreamHistory,
		Duration transactionLifetimeLimit, Duration blockedWriteTimeout) {

	/**
	 * The default number of fronts.
	 * @since 0.1.0
	 */
	public static final int DEFAULT_FRONTS = 2;

	/**
	 * The default {@code maxWireVersion} advertised by the fronts (MongoDB 7.0).
	 * @since 0.1.0
	 */
	public static final int DEFAULT_MAX_WIRE_VERSION = 21;

	/**
	 * The lowest {@code maxWireVersion} accepted: load-balanced mode needs MongoDB 5.0
	 * (wire version 13).
	 * @since 0.1.0
	 */
	public static final int MIN_MAX_WIRE_VERSION = 13;

	/**
	 * The default bound on the wait for a PROXY protocol header on a load-balancer port,
	 * in milliseconds.
	 * @since 0.1.0
	 */
	public static final long DEFAULT_PROXY_HEADER_TIMEOUT_MILLIS = 10_000;

	/**
	 * The default bound on the wait for a PROXY protocol header on a load-balancer port.
	 * @since 0.1.0
	 */
	public static final Duration DEFAULT_PROXY_HEADER_TIMEOUT = Duration.ofMillis(DEFAULT_PROXY_HEADER_TIMEOUT_MILLIS);

	/**
	 * The default database of the connection string: {@code test}, as in Spring Boot's
	 * default connection string.
	 * @since 0.1.0
	 */
	public static final String DEFAULT_DATABASE = "test";

	/**
	 * The default number of change events the store keeps when change streams are on.
	 * @since 0.1.0
	 */
	public static final int DEFAULT_CHANGE_STREAM_HISTORY = 10_000;

	/**
	 * The default lifetime limit of a transaction, as mongod's default
	 * {@code transactionLifetimeLimitSeconds}.
	 * @since 0.1.0
	 */
	public static final Duration DEFAULT_TRANSACTION_LIFETIME_LIMIT = Duration.ofSeconds(60);

	/**
	 * The default bound on the wait of a write outside a transaction for a transaction
	 * that has written to the same collection.
	 * @since 0.1.0
	 */
	public static final Duration DEFAULT_BLOCKED_WRITE_TIMEOUT = Duration.ofSeconds(5);

	/** MongoDB's limit on database names is 64 bytes, the terminating NUL included. */
	private static final int MAX_DATABASE_NAME_LENGTH = 63;

	/** Characters MongoDB refuses in database names, on Linux or Windows. */
	private static final String DATABASE_NAME_FORBIDDEN = "/\\. \"$*<>:|?\0";

	/**
	 * Creates settings, validating every option; prefer {@link #defaults()} and the
	 * {@code with...} methods, which keep working when an option is added.
	 * @param fronts the number of fronts, at least 1
	 * @param proxyProtocol the PROXY protocol version of the in-process balancer
	 * @param balancer whether to start the in-process balancer
	 * @param balancerPort the balancer's port, 0 to 65535 (0 picks a free port)
	 * @param acceptNonLoadBalancedClients whether the load-balancer ports accept clients
	 * not in load-balanced mode
	 * @param maxWireVersion the advertised {@code maxWireVersion}, at least 13
	 * @param proxyHeaderTimeout the bound on the wait for a PROXY header, positive
	 * @param database the database of the connection string, a MongoDB database name
	 * @param eventLoopThreads the number of I/O threads, at least 1
	 * @param changeStreams whether change streams work
	 * @param changeStreamHistory how many change events the store keeps, at least 1
	 * @param transactionLifetimeLimit the lifetime limit of a transaction, positive
	 * @param blockedWriteTimeout the bound on the wait of a write outside a transaction
	 * for a transaction on the same collection, positive
	 * @throws IllegalArgumentException naming the first invalid option, its value and
	 * what is accepted
	 * @since 0.1.0
	 */
	public EmbeddedLoadBalancedMongoSettings {
		if (fronts < 1) {
			throw invalid("fronts", fronts, "at least 1");
		}
		if (proxyProtocol == null) {
			throw invalid("proxyProtocol", null, "V1 or V2");
		}
		if (balancerPort < 0 || balancerPort > 65535) {
			throw invalid("balancerPort", balancerPort, "between 0 and 65535 (0 picks a free port)");
		}
		if (maxWireVersion < MIN_MAX_WIRE_VERSION) {
			throw invalid("maxWireVersion", maxWireVersion, "at least " + MIN_MAX_WIRE_VERSION
					+ " (MongoDB 5.0, the first version with load-balancer support)");
		}
		if (proxyHeaderTimeout == null || proxyHeaderTimeout.isNegative() || proxyHeaderTimeout.isZero()) {
			throw invalid("proxyHeaderTimeout", proxyHeaderTimeout, "positive");
		}
		requireDatabaseName(database);
		if (eventLoopThreads < 1) {
			throw invalid("eventLoopThreads", eventLoopThreads, "at least 1");
		}
		if (changeStreamHistory < 1) {
			throw invalid("changeStreamHistory", changeStreamHistory, "at least 1 (change events kept in memory)");
		}
		if (transactionLifetimeLimit == null || transactionLifetimeLimit.isNegative()
				|| transactionLifetimeLimit.isZero()) {
			throw invalid("transactionLifetimeLimit", transactionLifetimeLimit, "positive");
		}
		if (blockedWriteTimeout == null || blockedWriteTimeout.isNegative() || blockedWriteTimeout.isZero()) {
			throw invalid("blockedWriteTimeout", blockedWriteTimeout, "positive");
		}
	}

	/**
	 * Creates settings without change streams and with the default transaction limits
	 * ({@link #DEFAULT_TRANSACTION_LIFETIME_LIMIT},
	 * {@link #DEFAULT_BLOCKED_WRITE_TIMEOUT}), validating every option (the constructor
	 * of the settings before change streams and transactions existed).
	 * @param fronts the number of fronts, at least 1
	 * @param proxyProtocol the PROXY protocol version of the in-process balancer
	 * @param balancer whether to start the in-process balancer
	 * @param balancerPort the balancer's port, 0 to 65535 (0 picks a free port)
	 * @param acceptNonLoadBalancedClients whether the load-balancer ports accept clients
	 * not in load-balanced mode
	 * @param maxWireVersion the advertised {@code maxWireVersion}, at least 13
	 * @param proxyHeaderTimeout the bound on the wait for a PROXY header, positive
	 * @param database the database of the connection string, a MongoDB database name
	 * @param eventLoopThreads the number of I/O threads, at least 1
	 * @throws IllegalArgumentException naming the first invalid option, its value and
	 * what is accepted
	 * @since 0.1.0
	 */
	public EmbeddedLoadBalancedMongoSettings(int fronts, ProxyProtocolVersion proxyProtocol, boolean balancer,
			int balancerPort, boolean acceptNonLoadBalancedClients, int maxWireVersion, Duration proxyHeaderTimeout,
			String database, int eventLoopThreads) {
		this(fronts, proxyProtocol, balancer, balancerPort, acceptNonLoadBalancedClients, maxWireVersion,
				proxyHeaderTimeout, database, eventLoopThreads, false, DEFAULT_CHANGE_STREAM_HISTORY,
				DEFAULT_TRANSACTION_LIFETIME_LIMIT, DEFAULT_BLOCKED_WRITE_TIMEOUT);
	}

	/**
	 * Returns the defaults: 2 fronts, PROXY protocol v2, the in-process balancer on a
	 * free port, ordinary clients refused on the load-balancer ports,
	 * {@code maxWireVersion} 21, a 10 second PROXY header timeout, database {@code test},
	 * as many I/O threads as processors (at least 2), change streams off (history of
	 * 10,000 events when on), a transaction lifetime limit of 60 seconds and a 5 second
	 * bound on writes blocked by a transaction.
	 * @return the default settings
	 * @since 0.1.0
	 */
	public static EmbeddedLoadBalancedMongoSettings defaults() {
		return new EmbeddedLoadBalancedMongoSettings(DEFAULT_FRONTS, ProxyProtocolVersion.V2, true, 0, false,
				DEFAULT_MAX_WIRE_VERSION, DEFAULT_PROXY_HEADER_TIMEOUT, DEFAULT_DATABASE,
				Math.max(2, Runtime.getRuntime().availableProcessors()), false, DEFAULT_CHANGE_STREAM_HISTORY,
				DEFAULT_TRANSACTION_LIFETIME_LIMIT, DEFAULT_BLOCKED_WRITE_TIMEOUT);
	}

	/**
	 * Returns a copy with another number of fronts.
	 * @param fronts the number of fronts, at least 1
	 * @return the new settings
	 * @since 0.1.0
	 */
	public EmbeddedLoadBalancedMongoSettings withFronts(int fronts) {
		return new EmbeddedLoadBalancedMongoSettings(fronts, this.proxyProtocol, this.balancer, this.balancerPort,
				this.acceptNonLoadBalancedClients, this.maxWireVersion, this.proxyHeaderTimeout, this.database,
				this.eventLoopThreads, this.changeStreams, this.changeStreamHistory, this.transactionLifetimeLimit,
				this.blockedWriteTimeout);
	}

	/**
	 * Returns a copy with another PROXY protocol version for the in-process balancer.
	 * @param proxyProtocol the version
	 * @return the new settings
	 * @since 0.1.0
	 */
	public EmbeddedLoadBalancedMongoSettings withProxyProtocol(ProxyProtocolVersion proxyProtocol) {
		return new EmbeddedLoadBalancedMongoSettings(this.fronts, proxyProtocol, this.balancer, this.balancerPort,
				this.acceptNonLoadBalancedClients, this.maxWireVersion, this.proxyHeaderTimeout, this.database,
				this.eventLoopThreads, this.changeStreams, this.changeStreamHistory, this.transactionLifetimeLimit,
				this.blockedWriteTimeout);
	}

	/**
	 * Returns a copy that does or does not start the in-process balancer.
	 * @param balancer whether to start the balancer
	 * @return the new settings
	 * @since 0.1.0
	 */
	public EmbeddedLoadBalancedMongoSettings withBalancer(boolean balancer) {
		return new EmbeddedLoadBalancedMongoSettings(this.fronts, this.proxyProtocol, balancer, this.balancerPort,
				this.acceptNonLoadBalancedClients, this.maxWireVersion, this.proxyHeaderTimeout, this.database,
				this.eventLoopThreads, this.changeStreams, this.changeStreamHistory, this.transactionLifetimeLimit,
				this.blockedWriteTimeout);
	}

	/**
	 * Returns a copy with another port for the in-process balancer.
	 * @param balancerPort the port, 0 to 65535 (0 picks a free port)
	 * @return the new settings
	 * @since 0.1.0
	 */
	public EmbeddedLoadBalancedMongoSettings withBalancerPort(int balancerPort) {
		return new EmbeddedLoadBalancedMongoSettings(this.fronts, this.proxyProtocol, this.balancer, balancerPort,
				this.acceptNonLoadBalancedClients, this.maxWireVersion, this.proxyHeaderTimeout, this.database,
				this.eventLoopThreads, this.changeStreams, this.changeStreamHistory, this.transactionLifetimeLimit,
				this.blockedWriteTimeout);
	}

	/**
	 * Returns a copy whose load-balancer ports do or do not accept clients that are not
	 * in load-balanced mode.
	 * @param acceptNonLoadBalancedClients whether to accept them
	 * @return the new settings
	 * @since 0.1.0
	 */
	public EmbeddedLoadBalancedMongoSettings withAcceptNonLoadBalancedClients(boolean acceptNonLoadBalancedClients) {
		return new EmbeddedLoadBalancedMongoSettings(this.fronts, this.proxyProtocol, this.balancer, this.balancerPort,
				acceptNonLoadBalancedClients, this.maxWireVersion, this.proxyHeaderTimeout, this.database,
				this.eventLoopThreads, this.changeStreams, this.changeStreamHistory, this.transactionLifetimeLimit,
				this.blockedWriteTimeout);
	}

	/**
	 * Returns a copy with another advertised {@code maxWireVersion}.
	 * @param maxWireVersion the wire version, at least 13
	 * @return the new settings
	 * @since 0.1.0
	 */
	public EmbeddedLoadBalancedMongoSettings withMaxWireVersion(int maxWireVersion) {
		return new EmbeddedLoadBalancedMongoSettings(this.fronts, this.proxyProtocol, this.balancer, this.balancerPort,
				this.acceptNonLoadBalancedClients, maxWireVersion, this.proxyHeaderTimeout, this.database,
				this.eventLoopThreads, this.changeStreams, this.changeStreamHistory, this.transactionLifetimeLimit,
				this.blockedWriteTimeout);
	}

	/**
	 * Returns a copy with another bound on the wait for a PROXY protocol header.
	 * @param proxyHeaderTimeout the timeout, positive
	 * @return the new settings
	 * @since 0.1.0
	 */
	public EmbeddedLoadBalancedMongoSettings withProxyHeaderTimeout(Duration proxyHeaderTimeout) {
		return new EmbeddedLoadBalancedMongoSettings(this.fronts, this.proxyProtocol, this.balancer, this.balancerPort,
				this.acceptNonLoadBalancedClients, this.maxWireVersion, proxyHeaderTimeout, this.database,
				this.eventLoopThreads, this.changeStreams, this.changeStreamHistory, this.transactionLifetimeLimit,
				this.blockedWriteTimeout);
	}

	/**
	 * Returns a copy with another database in the connection string.
	 * @param database a MongoDB database name
	 * @return the new settings
	 * @since 0.1.0
	 */
	public EmbeddedLoadBalancedMongoSettings withDatabase(String database) {
		return new EmbeddedLoadBalancedMongoSettings(this.fronts, this.proxyProtocol, this.balancer, this.balancerPort,
				this.acceptNonLoadBalancedClients, this.maxWireVersion, this.proxyHeaderTimeout, database,
				this.eventLoopThreads, this.changeStreams, this.changeStreamHistory, this.transactionLifetimeLimit,
				this.blockedWriteTimeout);
	}

	/**
	 * Returns a copy with another number of I/O threads.
	 * @param eventLoopThreads the number of threads, at least 1
	 * @return the new settings
	 * @since 0.1.0
	 */
	public EmbeddedLoadBalancedMongoSettings withEventLoopThreads(int eventLoopThreads) {
		return new EmbeddedLoadBalancedMongoSettings(this.fronts, this.proxyProtocol, this.balancer, this.balancerPort,
				this.acceptNonLoadBalancedClients, this.maxWireVersion, this.proxyHeaderTimeout, this.database,
				eventLoopThreads, this.changeStreams, this.changeStreamHistory, this.transactionLifetimeLimit,
				this.blockedWriteTimeout);
	}

	/**
	 * Returns a copy with change streams on or off.
	 * @param changeStreams whether the store keeps a change-stream history
	 * @return the new settings
	 * @since 0.1.0
	 */
	public EmbeddedLoadBalancedMongoSettings withChangeStreams(boolean changeStreams) {
		return new EmbeddedLoadBalancedMongoSettings(this.fronts, this.proxyProtocol, this.balancer, this.balancerPort,
				this.acceptNonLoadBalancedClients, this.maxWireVersion, this.proxyHeaderTimeout, this.database,
				this.eventLoopThreads, changeStreams, this.changeStreamHistory, this.transactionLifetimeLimit,
				this.blockedWriteTimeout);
	}

	/**
	 * Returns a copy with another cap on the change events the store keeps.
	 * @param changeStreamHistory the number of events, at least 1
	 * @return the new settings
	 * @since 0.1.0
	 */
	public EmbeddedLoadBalancedMongoSettings withChangeStreamHistory(int changeStreamHistory) {
		return new EmbeddedLoadBalancedMongoSettings(this.fronts, this.proxyProtocol, this.balancer, this.balancerPort,
				this.acceptNonLoadBalancedClients, this.maxWireVersion, this.proxyHeaderTimeout, this.database,
				this.eventLoopThreads, this.changeStreams, changeStreamHistory, this.transactionLifetimeLimit,
				this.blockedWriteTimeout);
	}

	/**
	 * Returns a copy with another lifetime limit for transactions.
	 * @param transactionLifetimeLimit the limit, positive
	 * @return the new settings
	 * @since 0.1.0
	 */
	public EmbeddedLoadBalancedMongoSettings withTransactionLifetimeLimit(Duration transactionLifetimeLimit) {
		return new EmbeddedLoadBalancedMongoSettings(this.fronts, this.proxyProtocol, this.balancer, this.balancerPort,
				this.acceptNonLoadBalancedClients, this.maxWireVersion, this.proxyHeaderTimeout, this.database,
				this.eventLoopThreads, this.changeStreams, this.changeStreamHistory, transactionLifetimeLimit,
				this.blockedWriteTimeout);
	}

	/**
	 * Returns a copy with another bound on the wait of a write outside a transaction for
	 * a transaction on the same collection.
	 * @param blockedWriteTimeout the timeout, positive
	 * @return the new settings
	 * @since 0.1.0
	 */
	public EmbeddedLoadBalancedMongoSettings withBlockedWriteTimeout(Duration blockedWriteTimeout) {
		return new EmbeddedLoadBalancedMongoSettings(this.fronts, this.proxyProtocol, this.balancer, this.balancerPort,
				this.acceptNonLoadBalancedClients, this.maxWireVersion, this.proxyHeaderTimeout, this.database,
				this.eventLoopThreads, this.changeStreams, this.changeStreamHistory, this.transactionLifetimeLimit,
				blockedWriteTimeout);
	}

	/**
	 * Checks a database name as MongoDB would.
	 * @param database the name
	 * @return the name
	 * @throws IllegalArgumentException naming the option, the value and what is accepted
	 */
	static String requireDatabaseName(String database) {
		if (database == null || database.isEmpty() || database.length() > MAX_DATABASE_NAME_LENGTH
				|| database.chars().anyMatch((c) -> DATABASE_NAME_FORBIDDEN.indexOf(c) >= 0)) {
			throw invalid("database", (database != null) ? "'" + database + "'" : null, "a MongoDB database name: 1 to "
					+ MAX_DATABASE_NAME_LENGTH + " characters, none of / \\ . space \" $ * < > : | ? or NUL");
		}
		return database;
	}

	private static IllegalArgumentException invalid(String option, Object value, String accepted) {
		return new IllegalArgumentException(option + " must be " + accepted + ", was " + value);
	}

}
