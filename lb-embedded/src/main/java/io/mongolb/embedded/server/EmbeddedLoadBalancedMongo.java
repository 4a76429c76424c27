package io.mongolb.embedded.server;

import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import io.mongolb.embedded.proxy.ProxyProtocolBalancer;
import io.mongolb.embedded.proxy.ProxyProtocolVersion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded, mongos-like load-balanced MongoDB: one in-memory store, several fronts
 * that behave like mongos with a {@code loadBalancerPort}, and (by default) an in-process
 * PROXY-protocol balancer in front of them.
 * <p>
 * Typical use: <pre>{@code
 * try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).build().start()) {
 *     MongoClient client = MongoClients.create(mongo.getConnectionString()); // .../test?loadBalanced=true
 *     // ...
 * }
 * }</pre> Each front gets a new {@code serviceId} every time it starts (as a restarted
 * mongos does) and keeps its ports across {@link #stopFront(int)} and
 * {@link #startFront(int)}, so a balancer in front of it (the embedded one or a real
 * HAProxy) keeps working. All ports are on {@code 127.0.0.1}, ephemeral unless
 * configured.
 * <p>
 * Change streams are off unless {@link Builder#changeStreams(boolean)} turns them on.
 * Transactions run on private copies of the collections they touch and are applied at
 * commit (see the README for the isolation this gives and its cost).
 * <p>
 * Not a database: no retryable-write de-duplication, no cursor timeouts, no index builds,
 * no sharding, no authentication; TLS only on the load-balancer ports, when turned on
 * ({@link Builder#tls(SSLContext)}). Data lives on the heap and is lost on
 * {@link #close()}.
 *
 * @since 0.1.0
 */
public final class EmbeddedLoadBalancedMongo implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(EmbeddedLoadBalancedMongo.class);

	private static final String HOST = "127.0.0.1";

	private final EmbeddedLoadBalancedMongoSettings settings;

	private final PortOptions ports;

	private final List<FrontServer> fronts = new ArrayList<>();

	private @Nullable SharedStore store;

	private @Nullable EventLoopGroup workerGroup;

	private @Nullable ProxyProtocolBalancer balancer;

	private volatile boolean running;

	/** The balancers over chosen fronts, started with the cluster (from the builder). */
	private final List<int[]> initialBalancers;

	private final List<EmbeddedBalancer> additionalBalancers = new CopyOnWriteArrayList<>();

	private EmbeddedLoadBalancedMongo(EmbeddedLoadBalancedMongoSettings settings, PortOptions ports,
			List<int[]> initialBalancers) {
		this.settings = settings;
		this.ports = ports;
		this.initialBalancers = List.copyOf(initialBalancers);
	}

	/**
	 * Returns a builder that starts from
	 * {@link EmbeddedLoadBalancedMongoSettings#defaults()}: 2 fronts, PROXY protocol v2,
	 * the in-process balancer on, ordinary clients refused on the load-balancer ports,
	 * {@code maxWireVersion} 21, database {@code test}, ephemeral ports.
	 * @return a new builder
	 * @since 0.1.0
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Starts the store, the fronts and (when enabled) the balancer. Returns when every
	 * port accepts connections.
	 * @return this instance
	 * @throws IllegalStateException if it was started before
	 * @since 0.1.0
	 */
	public synchronized EmbeddedLoadBalancedMongo start() {
		if (this.store != null) {
			throw new IllegalStateException("Already started: create a new instance to start again");
		}
		this.store = new SharedStore(this.settings);
		this.workerGroup = new MultiThreadIoEventLoopGroup(this.settings.eventLoopThreads(),
				new DefaultThreadFactory("mongolb-embedded", true), NioIoHandler.newFactory());
		try {
			for (int i = 0; i < this.settings.fronts(); i++) {
				FrontServer front = new FrontServer(i, this.store, this.settings, this.workerGroup, 0, 0, this.ports);
				front.start();
				this.fronts.add(front);
			}
			if (this.settings.balancer()) {
				List<InetSocketAddress> upstreams = this.fronts.stream()
					.map((front) -> new InetSocketAddress(HOST, front.loadBalancerPort()))
					.toList();
				this.balancer = ProxyProtocolBalancer.start(new InetSocketAddress(HOST, this.settings.balancerPort()),
						upstreams, this.settings.proxyProtocol(), this.workerGroup);
			}
			for (int[] balancerFronts : this.initialBalancers) {
				startBalancer(balancerFronts);
			}
		}
		catch (RuntimeException ex) {
			close();
			throw ex;
		}
		this.running = true;
		logger.info("Embedded load-balanced MongoDB started: {} fronts{}", this.fronts.size(),
				(this.balancer != null) ? ", balancer " + getConnectionString() : ", no balancer");
		return this;
	}

	/**
	 * Returns the connection string of the in-process balancer, with
	 * {@code loadBalanced=true} and the database of the settings ({@code test} unless
	 * configured, Spring Boot's default database), e.g.
	 * {@code mongodb://127.0.0.1:40123/test?loadBalanced=true}. An application configured
	 * with it (e.g. through {@code spring.mongodb.uri}) gets that database as its default
	 * one.
	 * @return the connection string for a load-balanced driver
	 * @throws IllegalStateException if not running or built without the balancer
	 * @since 0.1.0
	 */
	public String getConnectionString() {
		return getConnectionString(this.settings.database());
	}

	/**
	 * Returns the connection string of the in-process balancer with another database
	 * name, e.g. {@code mongodb://127.0.0.1:40123/orders?loadBalanced=true}.
	 * @param database a MongoDB database name
	 * @return the connection string for a load-balanced driver
	 * @throws IllegalArgumentException if the name is not a valid database name
	 * @throws IllegalStateException if not running or built without the balancer
	 * @since 0.1.0
	 */
	public String getConnectionString(String database) {
		String path = URLEncoder.encode(EmbeddedLoadBalancedMongoSettings.requireDatabaseName(database),
				StandardCharsets.UTF_8);
		return "mongodb://" + HOST + ":" + getBalancerPort() + "/" + path + "?loadBalanced=true"
				+ ((this.ports.tls() != null) ? "&tls=true" : "");
	}

	/**
	 * Starts another in-process balancer over chosen fronts of this cluster, on a free
	 * port: the same store behind one balancer that reaches exactly one front and another
	 * that reaches several, as driver test suites need ({@code SINGLE_MONGOS_LB_URI} and
	 * {@code MULTI_MONGOS_LB_URI}). It writes the cluster's PROXY protocol version, goes
	 * round robin over the given fronts in the given order, and is closed with the
	 * cluster (or earlier with {@link EmbeddedBalancer#close()}). It does not depend on
	 * the cluster's own balancer, which may be off. <pre class="code">
	 * EmbeddedBalancer single = mongo.addBalancer(0);
	 * EmbeddedBalancer both = mongo.addBalancer(0, 1);
	 * </pre>
	 * @param fronts the front indexes, from 0, at least one, each at most once
	 * @return the running balancer
	 * @throws IllegalArgumentException if no front is given, an index does not exist or
	 * is given twice
	 * @throws IllegalStateException if the cluster is not running, or the balancer cannot
	 * bind a port
	 * @since 0.1.0
	 */
	public synchronized EmbeddedBalancer addBalancer(int... fronts) {
		if (!this.running) {
			throw new IllegalStateException(
					"Cannot add a balancer over fronts " + Arrays.toString(fronts) + ": the cluster is not running");
		}
		return startBalancer(fronts);
	}

	/**
	 * Returns the balancers added with {@link #addBalancer(int...)} or
	 * {@link Builder#addBalancer(int...)}, in the order they were started, closed ones
	 * included.
	 * @return the additional balancers
	 * @since 0.1.0
	 */
	public List<EmbeddedBalancer> getBalancers() {
		return List.copyOf(this.additionalBalancers);
	}

	private EmbeddedBalancer startBalancer(int[] fronts) {
		List<Integer> indexes = checkBalancerFronts(fronts, this.fronts.size());
		List<InetSocketAddress> upstreams = indexes.stream()
			.map((index) -> new InetSocketAddress(HOST, this.fronts.get(index).loadBalancerPort()))
			.toList();
		EventLoopGroup group = Objects.requireNonNull(this.workerGroup, "workerGroup");
		ProxyProtocolBalancer proxy = ProxyProtocolBalancer.start(new InetSocketAddress(HOST, 0), upstreams,
				this.settings.proxyProtocol(), group);
		EmbeddedBalancer balancer = new EmbeddedBalancer(proxy, indexes, HOST, this.settings.database(),
				this.ports.tls() != null);
		this.additionalBalancers.add(balancer);
		logger.info("Balancer over fronts {} started: {}", indexes, balancer.getConnectionString());
		return balancer;
	}

	/**
	 * Checks the fronts of an additional balancer.
	 * @param fronts the front indexes
	 * @param frontCount the number of fronts of the cluster, or -1 when not known yet
	 * @return the indexes as a list
	 */
	static List<Integer> checkBalancerFronts(int @Nullable [] fronts, int frontCount) {
		if (fronts == null || fronts.length == 0) {
			throw new IllegalArgumentException(
					"A balancer needs at least one front: name the front indexes, from 0, e.g. addBalancer(0)");
		}
		List<Integer> indexes = new ArrayList<>();
		for (int front : fronts) {
			if (front < 0 || (frontCount >= 0 && front >= frontCount)) {
				throw new IllegalArgumentException("Cannot put a balancer over fronts " + Arrays.toString(fronts)
						+ ": there is no front " + front + " (the fronts are numbered from 0"
						+ ((frontCount >= 0) ? " to " + (frontCount - 1) : "") + ")");
			}
			if (indexes.contains(front)) {
				throw new IllegalArgumentException("Cannot put a balancer over fronts " + Arrays.toString(fronts)
						+ ": front " + front + " is named twice; name each front once");
			}
			indexes.add(front);
		}
		return indexes;
	}

	/**
	 * Returns the settings this cluster was built with.
	 * @return the settings
	 * @since 0.1.0
	 */
	public EmbeddedLoadBalancedMongoSettings getSettings() {
		return this.settings;
	}

	/**
	 * Returns the port of the in-process balancer.
	 * @return the balancer port
	 * @throws IllegalStateException if not running or built without the balancer
	 * @since 0.1.0
	 */
	public int getBalancerPort() {
		ProxyProtocolBalancer current = this.balancer;
		if (current == null) {
			throw new IllegalStateException(this.settings.balancer() ? "Not running"
					: "Built without the in-process balancer: put your own (e.g. HAProxy with send-proxy-v2) in front "
							+ "of the load-balancer ports");
		}
		return current.getPort();
	}

	/**
	 * Returns the host every port is bound to.
	 * @return {@code 127.0.0.1}
	 * @since 0.1.0
	 */
	public String getHost() {
		return HOST;
	}

	/**
	 * Returns the number of fronts.
	 * @return the number of fronts
	 * @since 0.1.0
	 */
	public int getFrontCount() {
		return this.fronts.size();
	}

	/**
	 * Returns the current {@code serviceId} of a front (the last one if the front is
	 * stopped).
	 * @param front the front index, from 0
	 * @return the serviceId the front sends to load-balanced clients
	 * @since 0.1.0
	 */
	public ObjectId getServiceId(int front) {
		return front(front).serviceId();
	}

	/**
	 * Returns the {@code serviceId}s of all fronts, by index.
	 * @return the serviceIds
	 * @since 0.1.0
	 */
	public List<ObjectId> getServiceIds() {
		return this.fronts.stream().map(FrontServer::serviceId).toList();
	}

	/**
	 * Returns the normal (not load-balanced) port of a front.
	 * @param front the front index, from 0
	 * @return the port
	 * @since 0.1.0
	 */
	public int getPort(int front) {
		return front(front).port();
	}

	/**
	 * Returns the load-balancer port of a front: it requires a PROXY protocol header and
	 * load-balanced clients.
	 * @param front the front index, from 0
	 * @return the load-balancer port
	 * @since 0.1.0
	 */
	public int getLoadBalancerPort(int front) {
		return front(front).loadBalancerPort();
	}

	/**
	 * Returns the mongod-style proxy port of a front (mongod's {@code proxyPort}): it
	 * requires a PROXY protocol header and answers as a standalone mongod, without a
	 * {@code serviceId}, so ordinary (not load-balanced) clients use it through a
	 * balancer. Opened only when built with {@link Builder#mongodProxyPort(boolean)}.
	 * @param front the front index, from 0
	 * @return the proxy port
	 * @throws IllegalStateException if the cluster was built without proxy ports, or the
	 * front has not been started
	 * @since 0.1.0
	 */
	public int getProxyPort(int front) {
		FrontServer server = front(front);
		if (!this.ports.mongodProxyPort()) {
			throw new IllegalStateException("Built without mongod-style proxy ports: enable them with "
					+ "EmbeddedLoadBalancedMongo.builder().mongodProxyPort(true)");
		}
		if (server.proxyPort() == 0) {
			throw new IllegalStateException("Front " + front + " has not been started");
		}
		return server.proxyPort();
	}

	/**
	 * Returns how many PROXY protocol headers a front's mongod-style proxy port has
	 * received since the cluster started, by version and command (counted apart from
	 * those of its load-balancer port, {@link #getProxyHeaderCounts(int)}).
	 * @param front the front index, from 0
	 * @return the counts (all zero without a proxy port)
	 * @since 0.1.0
	 */
	public ProxyHeaderCounts getProxyPortHeaderCounts(int front) {
		return front(front).proxyPortHeaderCounts();
	}

	/**
	 * Returns whether the load-balancer ports speak TLS after the PROXY header (set with
	 * {@link Builder#tls(SSLContext)}); {@link #getConnectionString()} then carries
	 * {@code tls=true}.
	 * @return {@code true} when TLS is on
	 * @since 0.1.0
	 */
	public boolean isTls() {
		return this.ports.tls() != null;
	}

	/**
	 * Returns a connection string to the normal port of one front, for a driver that is
	 * not load-balanced (e.g. to run {@code serverStatus} or {@code configureFailPoint}
	 * on that front).
	 * @param front the front index, from 0
	 * @return the connection string, with {@code directConnection=true}
	 * @since 0.1.0
	 */
	public String getFrontConnectionString(int front) {
		return "mongodb://" + HOST + ":" + getPort(front) + "/?directConnection=true";
	}

	/**
	 * Returns the number of load-balanced connections a front has now (what its
	 * {@code serverStatus().connections.loadBalanced} reports).
	 * @param front the front index, from 0
	 * @return the number of load-balanced connections
	 * @since 0.1.0
	 */
	public int getLoadBalancedConnections(int front) {
		return front(front).loadBalancedConnections();
	}

	/**
	 * Returns the number of open cursors opened through a front (what its
	 * {@code serverStatus().metrics.cursor.open.total} reports).
	 * @param front the front index, from 0
	 * @return the number of open cursors
	 * @since 0.1.0
	 */
	public int getOpenCursors(int front) {
		return front(front).openCursors();
	}

	/**
	 * Returns how many PROXY protocol headers a front's load-balancer port has received
	 * since the cluster started, by version and command (what its
	 * {@code serverStatus().mongolbEmbedded.proxyHeaders} reports): shows which version a
	 * balancer in front of it really writes, and whether HAProxy's health checks
	 * ({@code LOCAL}) reach it.
	 * @param front the front index, from 0
	 * @return the counts
	 * @since 0.1.0
	 */
	public ProxyHeaderCounts getProxyHeaderCounts(int front) {
		return front(front).proxyHeaderCounts();
	}

	/**
	 * Returns how many times the fronts asked the store whether a cursor exists (for
	 * tests of the bookkeeping's cost).
	 * @return the number of look-ups
	 */
	long cursorLookups() {
		SharedStore current = this.store;
		return (current != null) ? current.cursorLookups() : 0;
	}

	/**
	 * Starts recording the commands a front receives (for tests of what a driver sends),
	 * forgetting what it recorded before.
	 * @param front the front index, from 0
	 * @param limit how many commands to keep, the newest ones
	 */
	void recordCommands(int front, int limit) {
		front(front).recording().start(limit);
	}

	/**
	 * Returns the commands a front received since {@link #recordCommands(int, int)},
	 * oldest first.
	 * @param front the front index, from 0
	 * @return the commands
	 */
	List<CommandRecording.Received> recordedCommands(int front) {
		return front(front).recording().received();
	}

	/**
	 * Returns how many change events the store holds (for tests that the history stays
	 * capped).
	 * @return the number of events, 0 when change streams are off
	 */
	int changeStreamEventsKept() {
		SharedStore current = this.store;
		ChangeStreamHistory history = (current != null) ? current.changeStreamHistory() : null;
		return (history != null) ? history.kept() : 0;
	}

	/**
	 * Returns the store's transactions (for tests).
	 * @return the transactions
	 * @throws IllegalStateException if not started
	 */
	Transactions transactions() {
		SharedStore current = this.store;
		if (current == null) {
			throw new IllegalStateException("Not started");
		}
		return current.transactions();
	}

	/**
	 * Returns whether a front is running.
	 * @param front the front index, from 0
	 * @return {@code true} if it accepts connections
	 * @since 0.1.0
	 */
	public boolean isFrontRunning(int front) {
		return front(front).isRunning();
	}

	/**
	 * Stops a front as a mongos shutdown would: its ports stop listening and its
	 * connections are closed (the cursors of its load-balanced clients are killed). The
	 * data stays in the shared store. Returns once both ports are released, so
	 * {@link #startFront(int)} can bind them again at once.
	 * @param front the front index, from 0
	 * @since 0.1.0
	 */
	public synchronized void stopFront(int front) {
		front(front).stop();
	}

	/**
	 * Starts a stopped front again on the same ports, with a new {@code serviceId}. When
	 * a port is taken (by another process), it fails naming the port, releases what it
	 * had bound and keeps the previous {@code serviceId}.
	 * @param front the front index, from 0
	 * @throws IllegalStateException if a port cannot be bound, or the cluster is not
	 * running (not started, or closed)
	 * @since 0.1.0
	 */
	public synchronized void startFront(int front) {
		if (!this.running) {
			// Its I/O threads are gone once closed: a front started now would never be
			// closed.
			throw new IllegalStateException("Cannot start front " + front + ": the cluster is not running");
		}
		front(front).start();
	}

	/**
	 * Returns the PROXY protocol version the in-process balancer writes.
	 * @return the version
	 * @since 0.1.0
	 */
	public ProxyProtocolVersion getProxyProtocol() {
		return this.settings.proxyProtocol();
	}

	/**
	 * Returns whether the cluster is running.
	 * @return {@code true} between {@link #start()} and {@link #close()}
	 * @since 0.1.0
	 */
	public boolean isRunning() {
		return this.running;
	}

	private FrontServer front(int index) {
		if (index < 0 || index >= this.fronts.size()) {
			throw new IndexOutOfBoundsException("No front " + index + ": there are " + this.fronts.size());
		}
		return this.fronts.get(index);
	}

	/**
	 * Stops the balancer and every front and drops the data. Idempotent.
	 * @since 0.1.0
	 */
	@Override
	public synchronized void close() {
		this.running = false;
		this.additionalBalancers.forEach(EmbeddedBalancer::close);
		if (this.balancer != null) {
			this.balancer.close();
			this.balancer = null;
		}
		this.fronts.forEach(FrontServer::stop);
		if (this.workerGroup != null) {
			this.workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
			this.workerGroup = null;
		}
		if (this.store != null) {
			this.store.close();
		}
	}

	/**
	 * Returns a short description: the number of fronts and whether the cluster is
	 * running.
	 * @return the description
	 * @since 0.1.0
	 */
	@Override
	public String toString() {
		return "EmbeddedLoadBalancedMongo(fronts=" + this.fronts.size() + ", running=" + this.running + ")";
	}

	/**
	 * Builder for {@link EmbeddedLoadBalancedMongo}: each method checks its value at once
	 * (through {@link EmbeddedLoadBalancedMongoSettings}, whose messages name the option,
	 * the value and what is accepted).
	 *
	 * @since 0.1.0
	 */
	public static final class Builder {

		private EmbeddedLoadBalancedMongoSettings settings = EmbeddedLoadBalancedMongoSettings.defaults();

		private final List<int[]> balancers = new ArrayList<>();

		private PortOptions ports = PortOptions.DEFAULT;

		private Builder() {
		}

		/**
		 * Adds a balancer over chosen fronts, started with the cluster and found in
		 * {@link EmbeddedLoadBalancedMongo#getBalancers()} in the order of these calls;
		 * see {@link EmbeddedLoadBalancedMongo#addBalancer(int...)}. Whether each front
		 * exists is checked when the cluster starts.
		 * @param fronts the front indexes, from 0, at least one, each at most once
		 * @return this builder
		 * @throws IllegalArgumentException if no front is given, an index is negative or
		 * given twice
		 * @since 0.1.0
		 */
		public Builder addBalancer(int... fronts) {
			checkBalancerFronts(fronts, -1);
			this.balancers.add(fronts.clone());
			return this;
		}

		/**
		 * Replaces every setting at once, e.g. with settings read from configuration.
		 * @param settings the settings
		 * @return this builder
		 * @since 0.1.0
		 */
		public Builder settings(EmbeddedLoadBalancedMongoSettings settings) {
			this.settings = Objects.requireNonNull(settings, "settings");
			return this;
		}

		/**
		 * Sets the number of mongos-like fronts (default 2).
		 * @param fronts the number of fronts, at least 1
		 * @return this builder
		 * @since 0.1.0
		 */
		public Builder fronts(int fronts) {
			this.settings = this.settings.withFronts(fronts);
			return this;
		}

		/**
		 * Sets the PROXY protocol version the in-process balancer writes (default
		 * {@link ProxyProtocolVersion#V2}). The fronts accept both versions whatever this
		 * says.
		 * @param proxyProtocol the version
		 * @return this builder
		 * @since 0.1.0
		 */
		public Builder proxyProtocol(ProxyProtocolVersion proxyProtocol) {
			this.settings = this.settings.withProxyProtocol(proxyProtocol);
			return this;
		}

		/**
		 * Sets whether to start the in-process balancer (default {@code true}). Without
		 * it, put a balancer of your own in front of the load-balancer ports.
		 * @param balancer whether to start the balancer
		 * @return this builder
		 * @since 0.1.0
		 */
		public Builder balancer(boolean balancer) {
			this.settings = this.settings.withBalancer(balancer);
			return this;
		}

		/**
		 * Sets the port of the in-process balancer on 127.0.0.1 (default 0: a free port).
		 * @param balancerPort the port, or 0
		 * @return this builder
		 * @since 0.1.0
		 */
		public Builder balancerPort(int balancerPort) {
			this.settings = this.settings.withBalancerPort(balancerPort);
			return this;
		}

		/**
		 * Sets whether the load-balancer ports also accept clients that are not in
		 * load-balanced mode, as mongos 7.0.22+, 8.0.10+ and 8.1+ do for reverse-proxy
		 * setups (default {@code false}: such clients get error 354
		 * {@code LoadBalancerSupportMismatch}, as older mongos versions answer).
		 * @param accept whether to accept them
		 * @return this builder
		 * @since 0.1.0
		 */
		public Builder acceptNonLoadBalancedClients(boolean accept) {
			this.settings = this.settings.withAcceptNonLoadBalancedClients(accept);
			return this;
		}

		/**
		 * Sets the {@code maxWireVersion} the fronts advertise (default 21, MongoDB 7.0;
		 * at least 13, MongoDB 5.0, the first version with load-balancer support).
		 * @param maxWireVersion the wire version
		 * @return this builder
		 * @since 0.1.0
		 */
		public Builder maxWireVersion(int maxWireVersion) {
			this.settings = this.settings.withMaxWireVersion(maxWireVersion);
			return this;
		}

		/**
		 * Sets how long a load-balancer port waits for a complete PROXY protocol header
		 * before it closes the connection (default 10 seconds).
		 * @param timeout the timeout, positive
		 * @return this builder
		 * @since 0.1.0
		 */
		public Builder proxyHeaderTimeout(Duration timeout) {
			this.settings = this.settings.withProxyHeaderTimeout(timeout);
			return this;
		}

		/**
		 * Sets the database named in
		 * {@link EmbeddedLoadBalancedMongo#getConnectionString()} (default {@code test},
		 * Spring Boot's default database).
		 * @param database a MongoDB database name
		 * @return this builder
		 * @since 0.1.0
		 */
		public Builder database(String database) {
			this.settings = this.settings.withDatabase(database);
			return this;
		}

		/**
		 * Sets the number of I/O threads shared by the fronts and the balancer (default:
		 * the number of processors, at least 2).
		 * @param threads the number of threads, at least 1
		 * @return this builder
		 * @since 0.1.0
		 */
		public Builder eventLoopThreads(int threads) {
			this.settings = this.settings.withEventLoopThreads(threads);
			return this;
		}

		/**
		 * Sets whether change streams work (default {@code false}). When on, the store
		 * keeps the last {@link #changeStreamHistory(int)} change events in memory and
		 * {@code $changeStream} aggregations on a collection, a database or the cluster
		 * open tailable cursors; when off, they fail with error 40573 naming this option.
		 * @param changeStreams whether change streams work
		 * @return this builder
		 * @since 0.1.0
		 */
		public Builder changeStreams(boolean changeStreams) {
			this.settings = this.settings.withChangeStreams(changeStreams);
			return this;
		}

		/**
		 * Sets how long a transaction may stay open before the store aborts it (default
		 * 60 seconds, as mongod's {@code transactionLifetimeLimitSeconds}); its later
		 * statements and its commit then get {@code NoSuchTransaction} (251).
		 * @param limit the limit, positive
		 * @return this builder
		 * @since 0.1.0
		 */
		public Builder transactionLifetimeLimit(Duration limit) {
			this.settings = this.settings.withTransactionLifetimeLimit(limit);
			return this;
		}

		/**
		 * Sets whether each front also opens a mongod-style proxy port (mongod's
		 * {@code proxyPort}; default {@code false}): a port that requires a PROXY
		 * protocol header, as the load-balancer port does, but then answers as a
		 * standalone mongod ({@code isWritablePrimary: true}, no {@code msg: isdbgrid},
		 * no {@code serviceId}), for ordinary clients behind a balancer. A
		 * {@code loadBalanced: true} hello is answered as mongod answers it, without a
		 * {@code serviceId}, so a load-balanced driver refuses the connection. See
		 * {@link EmbeddedLoadBalancedMongo#getProxyPort(int)}.
		 * @param mongodProxyPort whether to open the proxy ports
		 * @return this builder
		 * @since 0.1.0
		 */
		public Builder mongodProxyPort(boolean mongodProxyPort) {
			this.ports = this.ports.withMongodProxyPort(mongodProxyPort);
			return this;
		}

		/**
		 * Sets how many change events the store keeps when change streams are on (default
		 * 10,000): memory stays flat under load, and a change stream that falls further
		 * behind gets error 286 {@code ChangeStreamHistoryLost}.
		 * @param events the number of events, at least 1
		 * @return this builder
		 * @since 0.1.0
		 */
		public Builder changeStreamHistory(int events) {
			this.settings = this.settings.withChangeStreamHistory(events);
			return this;
		}

		/**
		 * Turns on TLS on the load-balancer ports (off by default), as behind a TCP
		 * balancer in passthrough mode: each connection begins with the balancer's PROXY
		 * header in clear, then the client's TLS handshake, which the front answers with
		 * the key and certificate of the given context. Clients connect with
		 * {@code tls=true&loadBalanced=true} and must trust the certificate (and its
		 * names must match the host they connect to, {@code 127.0.0.1}, unless they allow
		 * invalid host names). The normal and proxy ports stay in plain text.
		 * <p>
		 * With Spring Boot, {@code SslBundle.createSslContext()} gives such a context,
		 * e.g. <pre class="code">
		 * SSLContext context = sslBundles.getBundle("embedded-mongo").createSslContext();
		 * EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().tls(context).start();
		 * </pre>
		 * @param sslContext a context initialised with the server's key managers
		 * @return this builder
		 * @since 0.1.0
		 */
		public Builder tls(SSLContext sslContext) {
			Objects.requireNonNull(sslContext, "sslContext");
			this.ports = this.ports.withTls(FrontTls.handlers(sslContext));
			return this;
		}

		/**
		 * Turns on TLS on the load-balancer ports with a Netty server context, for what
		 * {@link #tls(SSLContext)} does not offer (e.g. client certificates, protocols,
		 * cipher suites).
		 * @param sslContext a server-side Netty context
		 * @return this builder
		 * @throws IllegalArgumentException if the context is a client context
		 * @since 0.1.0
		 */
		public Builder tls(SslContext sslContext) {
			Objects.requireNonNull(sslContext, "sslContext");
			if (!sslContext.isServer()) {
				throw new IllegalArgumentException("tls must be a server-side SslContext (SslContextBuilder.forServer"
						+ "(...)), was a client-side one");
			}
			this.ports = this.ports.withTls(FrontTls.handlers(sslContext));
			return this;
		}

		/**
		 * Sets how long a write outside a transaction waits for an open transaction that
		 * has written to the same collection (default 5 seconds); it then fails with
		 * {@code LockTimeout} (24).
		 * @param timeout the timeout, positive
		 * @return this builder
		 * @since 0.1.0
		 */
		public Builder blockedWriteTimeout(Duration timeout) {
			this.settings = this.settings.withBlockedWriteTimeout(timeout);
			return this;
		}

		/**
		 * Builds a cluster that is not started yet.
		 * @return the cluster; call {@link EmbeddedLoadBalancedMongo#start()}
		 * @since 0.1.0
		 */
		public EmbeddedLoadBalancedMongo build() {
			return new EmbeddedLoadBalancedMongo(this.settings, this.ports, this.balancers);
		}

		/**
		 * Builds and starts a cluster.
		 * @return the started cluster
		 * @since 0.1.0
		 */
		public EmbeddedLoadBalancedMongo start() {
			return build().start();
		}

	}

}
