package io.mongolb.embedded.autoconfigure;

import java.time.Duration;

import io.mongolb.embedded.proxy.ProxyProtocolVersion;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongoSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties of the embedded load-balanced MongoDB
 * ({@code mongodb.load-balanced.embedded.*}). The defaults are those of
 * {@link EmbeddedLoadBalancedMongoSettings#defaults()}. Each setter has its value checked
 * by {@link EmbeddedLoadBalancedMongoSettings} (the one place the options are validated),
 * so that an invalid value fails the binding and Spring Boot's report names the property,
 * the value and where it came from.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("mongodb.load-balanced.embedded")
public class EmbeddedLoadBalancedMongoProperties {

	/**
	 * Whether to start the embedded load-balanced MongoDB (in-memory store, mongos-like
	 * fronts and a PROXY-protocol balancer) with the application context and connect
	 * Spring Boot's MongoDB support to it. When enabled, it replaces the connection given
	 * by spring.mongodb.uri, host and port. For tests and development only.
	 */
	private boolean enabled;

	/**
	 * Number of mongos-like fronts behind the balancer, each with its own serviceId.
	 */
	private int fronts = 2;

	/**
	 * PROXY protocol version the in-process balancer writes at the start of each upstream
	 * connection.
	 */
	private ProxyProtocolVersion proxyProtocol = ProxyProtocolVersion.V2;

	/**
	 * Port of the in-process balancer on 127.0.0.1. 0 picks a free port.
	 */
	private int port;

	/**
	 * Database name put in the connection string: the default database of Spring Boot's
	 * MongoDB support, "test" as in Boot's own default connection string.
	 * spring.mongodb.database, when set, takes precedence for Spring Data MongoDB, as it
	 * does over a database in spring.mongodb.uri.
	 */
	private String database = "test";

	/**
	 * Whether the load-balancer ports also accept clients that are not in load-balanced
	 * mode, as mongos 7.0.22+ does for reverse-proxy setups. When false, such clients get
	 * error 354 LoadBalancerSupportMismatch.
	 */
	private boolean acceptNonLoadBalancedClients;

	/**
	 * maxWireVersion advertised by the fronts. At least 13 (MongoDB 5.0, the first
	 * version with load-balancer support).
	 */
	private int maxWireVersion = 21;

	/**
	 * How long a load-balancer port waits for a complete PROXY protocol header before
	 * closing the connection.
	 */
	private Duration proxyHeaderTimeout = Duration.ofSeconds(10);

	/**
	 * Whether change streams work: the store then keeps a capped history of change events
	 * (see change-stream-history) for $changeStream aggregations on collections,
	 * databases and the cluster. When false, $changeStream fails with error 40573 naming
	 * this property.
	 */
	private boolean changeStreams;

	/**
	 * How many change events the store keeps when change streams are on. Memory stays
	 * flat under load; a change stream that falls further behind, or resumes from an
	 * older token, gets error 286 ChangeStreamHistoryLost.
	 */
	private int changeStreamHistory = 10_000;

	/**
	 * Whether each front also opens a mongod-style proxy port (mongod's proxyPort): a
	 * PROXY protocol header is required on it, and it answers as a standalone mongod,
	 * without serviceId, for ordinary (not load-balanced) clients behind a balancer.
	 */
	private boolean mongodProxyPort;

	/**
	 * TLS on the load-balancer ports.
	 */
	private final Tls tls = new Tls();

	/**
	 * How long a transaction may stay open before the store aborts it, as mongod's
	 * transactionLifetimeLimitSeconds. Its later statements and its commit then get
	 * NoSuchTransaction (251).
	 */
	private Duration transactionLifetimeLimit = Duration.ofSeconds(60);

	/**
	 * How long a write outside a transaction waits for an open transaction that has
	 * written to the same collection, before it fails with LockTimeout (24).
	 */
	private Duration blockedWriteTimeout = Duration.ofSeconds(5);

	/**
	 * Returns whether the embedded cluster starts with the application context.
	 * @return whether it is enabled
	 * @since 0.1.0
	 */
	public boolean isEnabled() {
		return this.enabled;
	}

	/**
	 * Sets whether the embedded cluster starts with the application context.
	 * @param enabled whether it is enabled
	 * @since 0.1.0
	 */
	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	/**
	 * Returns the number of mongos-like fronts.
	 * @return the number of fronts
	 * @since 0.1.0
	 */
	public int getFronts() {
		return this.fronts;
	}

	/**
	 * Sets the number of mongos-like fronts.
	 * @param fronts the number of fronts, at least 1
	 * @since 0.1.0
	 */
	public void setFronts(int fronts) {
		this.fronts = check().withFronts(fronts).fronts();
	}

	/**
	 * Returns the PROXY protocol version the in-process balancer writes.
	 * @return the version
	 * @since 0.1.0
	 */
	public ProxyProtocolVersion getProxyProtocol() {
		return this.proxyProtocol;
	}

	/**
	 * Sets the PROXY protocol version the in-process balancer writes.
	 * @param proxyProtocol the version
	 * @since 0.1.0
	 */
	public void setProxyProtocol(ProxyProtocolVersion proxyProtocol) {
		this.proxyProtocol = check().withProxyProtocol(proxyProtocol).proxyProtocol();
	}

	/**
	 * Returns the port of the in-process balancer (0: a free port).
	 * @return the port
	 * @since 0.1.0
	 */
	public int getPort() {
		return this.port;
	}

	/**
	 * Sets the port of the in-process balancer.
	 * @param port the port, 0 to 65535 (0 picks a free port)
	 * @since 0.1.0
	 */
	public void setPort(int port) {
		this.port = check().withBalancerPort(port).balancerPort();
	}

	/**
	 * Returns the database named in the connection string.
	 * @return the database name
	 * @since 0.1.0
	 */
	public String getDatabase() {
		return this.database;
	}

	/**
	 * Sets the database named in the connection string.
	 * @param database a MongoDB database name
	 * @since 0.1.0
	 */
	public void setDatabase(String database) {
		this.database = check().withDatabase(database).database();
	}

	/**
	 * Returns whether the load-balancer ports also accept clients not in load-balanced
	 * mode.
	 * @return whether they are accepted
	 * @since 0.1.0
	 */
	public boolean isAcceptNonLoadBalancedClients() {
		return this.acceptNonLoadBalancedClients;
	}

	/**
	 * Sets whether the load-balancer ports also accept clients not in load-balanced mode.
	 * @param acceptNonLoadBalancedClients whether they are accepted
	 * @since 0.1.0
	 */
	public void setAcceptNonLoadBalancedClients(boolean acceptNonLoadBalancedClients) {
		this.acceptNonLoadBalancedClients = acceptNonLoadBalancedClients;
	}

	/**
	 * Returns the {@code maxWireVersion} the fronts advertise.
	 * @return the wire version
	 * @since 0.1.0
	 */
	public int getMaxWireVersion() {
		return this.maxWireVersion;
	}

	/**
	 * Sets the {@code maxWireVersion} the fronts advertise.
	 * @param maxWireVersion the wire version, at least 13
	 * @since 0.1.0
	 */
	public void setMaxWireVersion(int maxWireVersion) {
		this.maxWireVersion = check().withMaxWireVersion(maxWireVersion).maxWireVersion();
	}

	/**
	 * Returns how long a load-balancer port waits for a complete PROXY protocol header.
	 * @return the timeout
	 * @since 0.1.0
	 */
	public Duration getProxyHeaderTimeout() {
		return this.proxyHeaderTimeout;
	}

	/**
	 * Sets how long a load-balancer port waits for a complete PROXY protocol header.
	 * @param proxyHeaderTimeout the timeout, positive
	 * @since 0.1.0
	 */
	public void setProxyHeaderTimeout(Duration proxyHeaderTimeout) {
		this.proxyHeaderTimeout = check().withProxyHeaderTimeout(proxyHeaderTimeout).proxyHeaderTimeout();
	}

	/**
	 * Returns whether change streams work.
	 * @return whether they work
	 * @since 0.1.0
	 */
	public boolean isChangeStreams() {
		return this.changeStreams;
	}

	/**
	 * Sets whether change streams work.
	 * @param changeStreams whether they work
	 * @since 0.1.0
	 */
	public void setChangeStreams(boolean changeStreams) {
		this.changeStreams = changeStreams;
	}

	/**
	 * Returns how many change events the store keeps.
	 * @return the number of events
	 * @since 0.1.0
	 */
	public int getChangeStreamHistory() {
		return this.changeStreamHistory;
	}

	/**
	 * Sets how many change events the store keeps.
	 * @param changeStreamHistory the number of events, at least 1
	 * @since 0.1.0
	 */
	public void setChangeStreamHistory(int changeStreamHistory) {
		this.changeStreamHistory = check().withChangeStreamHistory(changeStreamHistory).changeStreamHistory();

	}

	/**
	 * Returns whether each front also opens a mongod-style proxy port.
	 * @return whether the proxy ports are opened
	 * @since 0.1.0
	 */
	public boolean isMongodProxyPort() {
		return this.mongodProxyPort;
	}

	/**
	 * Sets whether each front also opens a mongod-style proxy port.
	 * @param mongodProxyPort whether the proxy ports are opened
	 * @since 0.1.0
	 */
	public void setMongodProxyPort(boolean mongodProxyPort) {
		this.mongodProxyPort = mongodProxyPort;
	}

	/**
	 * Returns the TLS properties of the load-balancer ports.
	 * @return the TLS properties
	 * @since 0.1.0
	 */
	public Tls getTls() {
		return this.tls;

	}

	/**
	 * Returns how long a transaction may stay open before the store aborts it.
	 * @return the lifetime limit
	 * @since 0.1.0
	 */
	public Duration getTransactionLifetimeLimit() {
		return this.transactionLifetimeLimit;
	}

	/**
	 * Sets how long a transaction may stay open before the store aborts it.
	 * @param transactionLifetimeLimit the limit, positive
	 * @since 0.1.0
	 */
	public void setTransactionLifetimeLimit(Duration transactionLifetimeLimit) {
		this.transactionLifetimeLimit = check().withTransactionLifetimeLimit(transactionLifetimeLimit)
			.transactionLifetimeLimit();
	}

	/**
	 * Returns how long a write outside a transaction waits for a transaction on the same
	 * collection.
	 * @return the timeout
	 * @since 0.1.0
	 */
	public Duration getBlockedWriteTimeout() {
		return this.blockedWriteTimeout;
	}

	/**
	 * Sets how long a write outside a transaction waits for a transaction on the same
	 * collection.
	 * @param blockedWriteTimeout the timeout, positive
	 * @since 0.1.0
	 */
	public void setBlockedWriteTimeout(Duration blockedWriteTimeout) {
		this.blockedWriteTimeout = check().withBlockedWriteTimeout(blockedWriteTimeout).blockedWriteTimeout();
	}

	/**
	 * Returns the settings these properties describe, for a cluster behind its in-process
	 * balancer.
	 * @return the settings
	 */
	EmbeddedLoadBalancedMongoSettings toSettings() {
		EmbeddedLoadBalancedMongoSettings defaults = EmbeddedLoadBalancedMongoSettings.defaults();
		return new EmbeddedLoadBalancedMongoSettings(this.fronts, this.proxyProtocol, true, this.port,
				this.acceptNonLoadBalancedClients, this.maxWireVersion, this.proxyHeaderTimeout, this.database,
				defaults.eventLoopThreads(), this.changeStreams, this.changeStreamHistory,
				this.transactionLifetimeLimit, this.blockedWriteTimeout);
	}

	/*
	 * The settings a setter has its one value checked against: each {@code with...}
	 * method validates that value.
	 */
	private static EmbeddedLoadBalancedMongoSettings check() {
		return EmbeddedLoadBalancedMongoSettings.defaults();
	}

	/**
	 * TLS on the load-balancer ports ({@code mongodb.load-balanced.embedded.tls.*}): the
	 * PROXY header in clear, then TLS, as behind a TCP balancer in passthrough mode.
	 *
	 * @since 0.1.0
	 */
	public static class Tls {

		/**
		 * Name of the SSL bundle (spring.ssl.bundle.jks.NAME or
		 * spring.ssl.bundle.pem.NAME) whose key and certificate the load-balancer ports
		 * present; setting it turns TLS on (off when unset). The connection details then
		 * carry tls=true and this bundle, so the bundle's trust material must trust that
		 * certificate, and the certificate must name 127.0.0.1.
		 */
		private @Nullable String bundle;

		/**
		 * Returns the name of the SSL bundle of the load-balancer ports.
		 * @return the bundle name, or {@code null} for plain text
		 * @since 0.1.0
		 */
		public @Nullable String getBundle() {
			return this.bundle;
		}

		/**
		 * Sets the name of the SSL bundle of the load-balancer ports.
		 * @param bundle the bundle name, or {@code null} for plain text
		 * @since 0.1.0
		 */
		public void setBundle(@Nullable String bundle) {
			this.bundle = bundle;
		}

	}

}
