package io.mongolb.testcontainers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.connection.ConnectionDescription;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandSucceededEvent;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * A real load-balanced MongoDB cluster for tests: a config-server replica set, one shard
 * replica set and several {@code mongos} (two by default), each started with
 * {@code --setParameter loadBalancerPort=27016}, behind HAProxy ({@code mode tcp},
 * {@code send-proxy-v2}, health checks, {@code option redispatch}), all on one Docker
 * network.
 * <p>
 * The object is the HAProxy container, so that Spring Boot's {@code @ServiceConnection}
 * accepts it (its field check takes Testcontainers {@code Container} types only); the
 * MongoDB containers are its dependencies. {@link #start()} starts them in order and
 * waits for each part to be really ready: both replica sets initiated with a primary, the
 * shard added, every mongos answering, and HAProxy routing to every mongos. A part that
 * is not ready within the start-up timeout fails the start with a message naming it.
 *
 * <pre class="code">
 * &#64;Testcontainers(disabledWithoutDocker = true)
 * &#64;SpringBootTest
 * class OrdersTests {
 *
 *     &#64;Container
 *     &#64;ServiceConnection
 *     static LoadBalancedMongoCluster mongo = new LoadBalancedMongoCluster();
 *
 * }
 * </pre>
 *
 * @since 0.1.0
 */
public class LoadBalancedMongoCluster extends GenericContainer<LoadBalancedMongoCluster> {

	/**
	 * The default MongoDB image, for the {@code mongod}s and the {@code mongos}.
	 */
	public static final DockerImageName DEFAULT_MONGO_IMAGE = DockerImageName.parse("mongo:8.0");

	/**
	 * The default HAProxy image: 3.2, a long-term-support branch.
	 */
	public static final DockerImageName DEFAULT_HAPROXY_IMAGE = DockerImageName.parse("haproxy:3.2");

	/**
	 * The default number of mongos behind HAProxy.
	 */
	public static final int DEFAULT_MONGOS_COUNT = 2;

	/**
	 * The most mongos a cluster may have.
	 */
	public static final int MAX_MONGOS_COUNT = 16;

	/**
	 * The default bound on the whole start-up (image pulls included).
	 */
	public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofMinutes(3);

	private static final DockerImageName MONGO = DockerImageName.parse("mongo");

	private static final DockerImageName HAPROXY = DockerImageName.parse("haproxy");

	private final DockerImageName haproxyImage;

	private DockerImageName mongoImage = DEFAULT_MONGO_IMAGE;

	private @Nullable String copiedHaproxyConfiguration;

	private int mongosCount = DEFAULT_MONGOS_COUNT;

	private Duration clusterStartupTimeout = DEFAULT_STARTUP_TIMEOUT;

	private @Nullable Network clusterNetwork;

	private @Nullable GenericContainer<?> configServer;

	private @Nullable GenericContainer<?> shard;

	private final List<@Nullable GenericContainer<?>> mongos = new ArrayList<>();

	private final Set<ObjectId> serviceIdsSeen = Collections.synchronizedSet(new LinkedHashSet<>());

	private volatile @Nullable Readiness readiness;

	/**
	 * A cluster with the default images ({@link #DEFAULT_MONGO_IMAGE},
	 * {@link #DEFAULT_HAPROXY_IMAGE}) and {@link #DEFAULT_MONGOS_COUNT} mongos.
	 */
	public LoadBalancedMongoCluster() {
		this(DEFAULT_HAPROXY_IMAGE);
	}

	/**
	 * A cluster whose balancer runs the given HAProxy image.
	 * @param haproxyImage an {@code haproxy} image, for example {@code haproxy:3.2}
	 */
	public LoadBalancedMongoCluster(String haproxyImage) {
		this(parse("HAProxy", haproxyImage, DEFAULT_HAPROXY_IMAGE));
	}

	/**
	 * A cluster whose balancer runs the given HAProxy image.
	 * @param haproxyImage an {@code haproxy} image, or one declared compatible with it
	 * ({@code asCompatibleSubstituteFor("haproxy")})
	 */
	public LoadBalancedMongoCluster(DockerImageName haproxyImage) {
		super(check("HAProxy", haproxyImage, HAPROXY, DEFAULT_HAPROXY_IMAGE));
		this.haproxyImage = haproxyImage;
		withNetworkAliases(ClusterPlan.HAPROXY_HOST);
		withExposedPorts(ClusterPlan.HAPROXY_PORT);
		waitingFor(new HaproxyRoutingWaitStrategy());
	}

	/**
	 * Sets the MongoDB image of the config server, the shard and the mongos.
	 * @param image a {@code mongo} image, for example {@code mongo:8.0}
	 * @return this cluster
	 */
	public LoadBalancedMongoCluster withMongoImage(String image) {
		return withMongoImage(parse("MongoDB", image, DEFAULT_MONGO_IMAGE));
	}

	/**
	 * Sets the MongoDB image of the config server, the shard and the mongos.
	 * @param image a {@code mongo} image, or one declared compatible with it
	 * ({@code asCompatibleSubstituteFor("mongo")}); it must have {@code mongosh}
	 * @return this cluster
	 */
	public LoadBalancedMongoCluster withMongoImage(DockerImageName image) {
		requireNotStarted("withMongoImage");
		this.mongoImage = check("MongoDB", image, MONGO, DEFAULT_MONGO_IMAGE);
		return self();
	}

	/**
	 * Sets how many mongos run behind HAProxy.
	 * @param count from 1 to {@value #MAX_MONGOS_COUNT}
	 * @return this cluster
	 */
	public LoadBalancedMongoCluster withMongosCount(int count) {
		requireNotStarted("withMongosCount");
		if (count < 1 || count > MAX_MONGOS_COUNT) {
			throw new IllegalArgumentException("mongosCount must be from 1 to " + MAX_MONGOS_COUNT + ", was " + count
					+ ": a load-balanced cluster needs at least one mongos behind HAProxy (the default is "
					+ DEFAULT_MONGOS_COUNT + ")");
		}
		this.mongosCount = count;
		return self();
	}

	/**
	 * Sets the bound on the whole start-up: pulling the images, starting the containers
	 * and waiting for every part to be ready.
	 * @param timeout a positive duration (default {@link #DEFAULT_STARTUP_TIMEOUT})
	 * @return this cluster
	 */
	public LoadBalancedMongoCluster withClusterStartupTimeout(Duration timeout) {
		requireNotStarted("withClusterStartupTimeout");
		if (timeout == null || timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("clusterStartupTimeout must be positive, was " + timeout
					+ " (the default is " + DEFAULT_STARTUP_TIMEOUT + ")");
		}
		this.clusterStartupTimeout = timeout;
		return self();
	}

	/**
	 * The MongoDB image of the config server, the shard and the mongos.
	 * @return the image
	 */
	public DockerImageName getMongoImage() {
		return this.mongoImage;
	}

	/**
	 * The HAProxy image of the balancer.
	 * @return the image
	 */
	public DockerImageName getHaproxyImage() {
		return this.haproxyImage;
	}

	/**
	 * How many mongos run behind HAProxy.
	 * @return the count
	 */
	public int getMongosCount() {
		return this.mongosCount;
	}

	/**
	 * The bound on the whole start-up.
	 * @return the timeout
	 */
	public Duration getClusterStartupTimeout() {
		return this.clusterStartupTimeout;
	}

	/**
	 * The HAProxy configuration this cluster runs with (available before the start).
	 * @return the contents of {@code haproxy.cfg}
	 */
	public String getHaproxyConfiguration() {
		return plan().haproxyConfiguration();
	}

	/**
	 * The connection string of the balancer, in load-balanced mode.
	 * @return {@code mongodb://host:port/?loadBalanced=true}
	 * @throws IllegalStateException when the cluster is not started
	 */
	public String getConnectionString() {
		return "mongodb://" + address(this, ClusterPlan.HAPROXY_PORT, "HAProxy") + "/?loadBalanced=true";
	}

	/**
	 * The connection string of the balancer, in load-balanced mode, with a database.
	 * @param database the database name
	 * @return {@code mongodb://host:port/database?loadBalanced=true}
	 * @throws IllegalStateException when the cluster is not started
	 */
	public String getConnectionString(String database) {
		if (database == null || database.isBlank() || database.contains("/") || database.contains("?")) {
			throw new IllegalArgumentException(
					"database must be a MongoDB database name (not blank, without '/' or '?'), was '" + database + "'");
		}
		return "mongodb://" + address(this, ClusterPlan.HAPROXY_PORT, "HAProxy") + "/" + database
				+ "?loadBalanced=true";
	}

	/**
	 * The address of one mongos's normal port (not behind HAProxy), as seen from the
	 * test: connect to it directly, without {@code loadBalanced=true}.
	 * @param index the mongos, from 0
	 * @return {@code host:port}
	 * @throws IllegalStateException when that mongos is not running
	 */
	public String getMongosAddress(int index) {
		checkIndex(index);
		GenericContainer<?> container = (index < this.mongos.size()) ? this.mongos.get(index) : null;
		if (container == null) {
			throw new IllegalStateException("mongos " + index + " is not running: start the cluster, or restart it"
					+ " with restartMongos(" + index + ")");
		}
		return address(container, ClusterPlan.MONGOS_PORT, "mongos " + index);
	}

	/**
	 * The addresses of every running mongos's normal port.
	 * @return {@code host:port} of each running mongos, by index
	 */
	public synchronized List<String> getMongosAddresses() {
		List<String> addresses = new ArrayList<>();
		for (int i = 0; i < this.mongos.size(); i++) {
			if (this.mongos.get(i) != null) {
				addresses.add(getMongosAddress(i));
			}
		}
		return addresses;
	}

	/**
	 * Whether one mongos is running.
	 * @param index the mongos, from 0
	 * @return whether it runs
	 */
	public synchronized boolean isMongosRunning(int index) {
		checkIndex(index);
		return index < this.mongos.size() && this.mongos.get(index) != null;
	}

	/**
	 * The serviceIds that HAProxy routed the cluster's own readiness checks to: one per
	 * mongos after the start, and one more after each {@link #restartMongos(int)}.
	 * @return the serviceIds seen, in the order seen
	 */
	public List<ObjectId> getServiceIdsSeen() {
		synchronized (this.serviceIdsSeen) {
			return List.copyOf(this.serviceIdsSeen);
		}
	}

	/**
	 * Stops one mongos (its container is removed). HAProxy's health checks take it out of
	 * rotation; connections pinned to it fail.
	 * @param index the mongos, from 0
	 * @throws IllegalStateException when it is not running
	 */
	public synchronized void stopMongos(int index) {
		checkIndex(index);
		GenericContainer<?> container = (index < this.mongos.size()) ? this.mongos.get(index) : null;
		if (container == null) {
			throw new IllegalStateException("mongos " + index + " is not running, so it cannot be stopped");
		}
		this.mongos.set(index, null);
		this.dependencies.remove(container);
		container.stop();
	}

	/**
	 * Starts one mongos again in a new container (stopping it first if it runs): a new
	 * process, so a new serviceId. Returns once HAProxy routes to it.
	 * @param index the mongos, from 0
	 * @return the serviceId of the new mongos process, as seen through HAProxy
	 * @throws IllegalStateException when the cluster is not started, or the mongos did
	 * not come up within the start-up timeout
	 */
	public synchronized ObjectId restartMongos(int index) {
		checkIndex(index);
		if (getContainerId() == null || this.clusterNetwork == null) {
			throw new IllegalStateException("The cluster is not started: start it before restartMongos(" + index + ")");
		}
		if (isMongosRunning(index)) {
			stopMongos(index);
		}
		ClusterPlan plan = plan();
		Readiness restart = new Readiness(this.clusterStartupTimeout);
		Set<ObjectId> before = Set.copyOf(getServiceIdsSeen());
		GenericContainer<?> container = mongosContainer(plan, index, this.clusterNetwork);
		// In its slot before it starts: a start that fails or times out leaves it to
		// stop().
		this.mongos.set(index, container);
		this.dependencies.add(container);
		startContainers(Map.of("mongos '" + plan.mongosHost(index) + "'", container), restart);
		awaitMongosAnswers(plan, index, container, restart);
		ObjectId[] restarted = new ObjectId[1];
		restart.await("HAProxy (routing to the restarted mongos '" + plan.mongosHost(index) + "')",
				"a connection through HAProxy reaching a serviceId not seen before", () -> {
					ObjectId serviceId = serviceIdThroughBalancer();
					if (!before.contains(serviceId)) {
						restarted[0] = serviceId;
						return null;
					}
					return "reached the known serviceId " + serviceId;
				});
		return restarted[0];
	}

	@Override
	public void start() {
		if (getContainerId() != null) {
			return;
		}
		ClusterPlan plan = plan();
		Readiness startup = new Readiness(this.clusterStartupTimeout);
		this.readiness = startup;
		logger().info("Starting a load-balanced MongoDB cluster: {} mongos ({}) behind {}, start-up timeout {}",
				plan.mongosCount(), this.mongoImage.asCanonicalNameString(), this.haproxyImage.asCanonicalNameString(),
				this.clusterStartupTimeout);
		Network network = Network.newNetwork();
		this.clusterNetwork = network;
		withNetwork(network);
		String configuration = plan.haproxyConfiguration();
		if (this.copiedHaproxyConfiguration == null) {
			withCopyToContainer(Transferable.of(configuration), ClusterPlan.HAPROXY_CONFIGURATION_PATH);
			this.copiedHaproxyConfiguration = configuration;
		}
		else if (!this.copiedHaproxyConfiguration.equals(configuration)) {
			throw new IllegalStateException("The mongos count changed since this cluster's first start: create a"
					+ " new LoadBalancedMongoCluster to run another number of mongos");
		}
		try {
			startParts(plan, network, startup);
			super.start();
		}
		catch (RuntimeException ex) {
			stop();
			throw ex;
		}
		logger().info("Load-balanced MongoDB cluster ready at {} (serviceIds {})", getConnectionString(),
				getServiceIdsSeen());
	}

	@Override
	public void stop() {
		try {
			super.stop();
		}
		finally {
			synchronized (this) {
				List<GenericContainer<?>> parts = new ArrayList<>();
				this.mongos.forEach((container) -> {
					if (container != null) {
						parts.add(container);
					}
				});
				if (this.shard != null) {
					parts.add(this.shard);
				}
				if (this.configServer != null) {
					parts.add(this.configServer);
				}
				this.mongos.clear();
				this.shard = null;
				this.configServer = null;
				this.dependencies.clear();
				this.serviceIdsSeen.clear();
				parts.forEach(GenericContainer::stop);
				if (this.clusterNetwork != null) {
					this.clusterNetwork.close();
					this.clusterNetwork = null;
				}
			}
		}
	}

	private synchronized void startParts(ClusterPlan plan, Network network, Readiness startup) {
		GenericContainer<?> config = mongodContainer(ClusterPlan.CONFIG_HOST, plan.configServerCommand(), network);
		GenericContainer<?> shardServer = mongodContainer(ClusterPlan.SHARD_HOST, plan.shardCommand(), network);
		this.configServer = config;
		this.shard = shardServer;
		Map<String, GenericContainer<?>> replicaSets = new LinkedHashMap<>();
		replicaSets.put("the config server '" + ClusterPlan.CONFIG_HOST + "'", config);
		replicaSets.put("the shard server '" + ClusterPlan.SHARD_HOST + "'", shardServer);
		startContainers(replicaSets, startup);
		awaitReplicaSet("the config server replica set '" + ClusterPlan.CONFIG_REPLICA_SET + "'", config,
				ClusterPlan.CONFIG_PORT, plan.initiateConfigServerScript(), plan, startup);
		awaitReplicaSet("the shard replica set '" + ClusterPlan.SHARD_REPLICA_SET + "'", shardServer,
				ClusterPlan.SHARD_PORT, plan.initiateShardScript(), plan, startup);
		Map<String, GenericContainer<?>> routers = new LinkedHashMap<>();
		for (int i = 0; i < plan.mongosCount(); i++) {
			GenericContainer<?> container = mongosContainer(plan, i, network);
			this.mongos.add(container);
			routers.put("mongos '" + plan.mongosHost(i) + "'", container);
		}
		startContainers(routers, startup);
		GenericContainer<?> first = this.mongos.get(0);
		startup.await(
				"the shard '" + ClusterPlan.SHARD_REPLICA_SET + "' (sh.addShard through mongos '" + plan.mongosHost(0)
						+ "')",
				"sh.addShard done",
				() -> expect(shell(first, plan.shell(ClusterPlan.MONGOS_PORT, plan.addShardScript())),
						ClusterPlan.DONE));
		for (int i = 0; i < plan.mongosCount(); i++) {
			awaitMongosAnswers(plan, i, this.mongos.get(i), startup);
		}
		this.dependencies.clear();
		dependsOn(config, shardServer);
		this.mongos.forEach((container) -> dependsOn(container));
	}

	private void awaitReplicaSet(String part, GenericContainer<?> container, int port, String initiate,
			ClusterPlan plan, Readiness startup) {
		startup.await(part, "rs.initiate done",
				() -> expect(shell(container, plan.shell(port, initiate)), ClusterPlan.DONE));
		startup.await(part, "a primary elected",
				() -> expect(shell(container, plan.shell(port, plan.primaryScript())), "primary"));
	}

	private void awaitMongosAnswers(ClusterPlan plan, int index, @Nullable GenericContainer<?> container,
			Readiness readiness) {
		GenericContainer<?> router = Objects.requireNonNull(container);
		String part = "mongos '" + plan.mongosHost(index) + "'";
		readiness.await(part, "answering hello as a mongos",
				() -> expect(shell(router, plan.shell(ClusterPlan.MONGOS_PORT, plan.mongosAnswersScript())), "mongos"));
		readiness.await(part, "listing the shard '" + ClusterPlan.SHARD_REPLICA_SET + "'", () -> {
			String shards = shell(router, plan.shell(ClusterPlan.MONGOS_PORT, plan.listShardsScript()));
			return List.of(shards.split(",")).contains(ClusterPlan.SHARD_REPLICA_SET) ? null : "shards: " + shards;
		});
	}

	private void startContainers(Map<String, GenericContainer<?>> containers, Readiness readiness) {
		Map<String, CompletableFuture<Void>> starts = new LinkedHashMap<>();
		containers.forEach((part, container) -> {
			container.withStartupTimeout(readiness.remaining());
			starts.put(part, CompletableFuture.runAsync(container::start));
		});
		try {
			awaitStarts(starts, readiness);
		}
		catch (RuntimeException ex) {
			// A container still starting when the start gives up is stopped once its own
			// start returns, so that none outlives the cluster.
			starts.forEach((part, start) -> {
				if (!start.isDone()) {
					start.whenComplete((started, failure) -> containers.get(part).stop());
				}
			});
			throw ex;
		}
	}

	private void awaitStarts(Map<String, CompletableFuture<Void>> starts, Readiness readiness) {
		for (Map.Entry<String, CompletableFuture<Void>> start : starts.entrySet()) {
			try {
				start.getValue().get(Math.max(1, readiness.remaining().toMillis()), TimeUnit.MILLISECONDS);
			}
			catch (TimeoutException ex) {
				throw new IllegalStateException("The load-balanced MongoDB cluster did not come up: the container of "
						+ start.getKey() + " did not start within the start-up timeout of " + this.clusterStartupTimeout
						+ " (image pull included)", ex);
			}
			catch (ExecutionException ex) {
				throw new IllegalStateException("The load-balanced MongoDB cluster did not come up: the container of "
						+ start.getKey() + " failed to start: " + ex.getCause().getMessage(), ex.getCause());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while starting " + start.getKey(), ex);
			}
		}
	}

	private GenericContainer<?> mongodContainer(String host, List<String> command, Network network) {
		return new GenericContainer<>(this.mongoImage).withNetwork(network)
			.withNetworkAliases(host)
			.withCommand(command.toArray(String[]::new))
			.waitingFor(Wait.forLogMessage(".*Waiting for connections.*", 1));
	}

	private GenericContainer<?> mongosContainer(ClusterPlan plan, int index, Network network) {
		return new GenericContainer<>(this.mongoImage).withNetwork(network)
			.withNetworkAliases(plan.mongosHost(index))
			.withCommand(plan.mongosCommand().toArray(String[]::new))
			.withExposedPorts(ClusterPlan.MONGOS_PORT)
			.waitingFor(Wait.forLogMessage(".*Waiting for connections.*", 1));
	}

	private static String shell(GenericContainer<?> container, List<String> command) throws Exception {
		ExecResult result = container.execInContainer(command.toArray(String[]::new));
		if (result.getExitCode() != 0) {
			return "mongosh exited with " + result.getExitCode() + ": " + result.getStderr().strip() + " "
					+ result.getStdout().strip();
		}
		return result.getStdout().strip();
	}

	private static @Nullable String expect(String output, String expected) {
		List<String> lines = output.lines().toList();
		return (!lines.isEmpty() && lines.get(lines.size() - 1).strip().equals(expected)) ? null : output;
	}

	/**
	 * One new connection through HAProxy (a new client, so that round robin places it): a
	 * {@code ping}, and the serviceId of the mongos that answered.
	 * @return the serviceId
	 */
	private ObjectId serviceIdThroughBalancer() {
		ObjectId[] serviceId = new ObjectId[1];
		CommandListener listener = new CommandListener() {
			@Override
			public void commandSucceeded(CommandSucceededEvent event) {
				ConnectionDescription description = event.getConnectionDescription();
				serviceId[0] = description.getServiceId();
			}
		};
		MongoClientSettings settings = MongoClientSettings.builder()
			.applyConnectionString(new ConnectionString(getConnectionString()))
			.applyToSocketSettings(
					(socket) -> socket.connectTimeout(2, TimeUnit.SECONDS).readTimeout(5, TimeUnit.SECONDS))
			.applyToClusterSettings((cluster) -> cluster.serverSelectionTimeout(2, TimeUnit.SECONDS))
			.addCommandListener(listener)
			.build();
		try (MongoClient client = MongoClients.create(settings)) {
			client.getDatabase("admin").runCommand(new Document("ping", 1));
		}
		if (serviceId[0] == null) {
			throw new IllegalStateException("the ping through HAProxy was answered without a serviceId");
		}
		this.serviceIdsSeen.add(serviceId[0]);
		return serviceId[0];
	}

	private ClusterPlan plan() {
		return new ClusterPlan(this.mongosCount);
	}

	private void checkIndex(int index) {
		if (index < 0 || index >= this.mongosCount) {
			throw new IndexOutOfBoundsException("mongos index " + index + " is out of range: this cluster has "
					+ this.mongosCount + " mongos, numbered from 0 to " + (this.mongosCount - 1));
		}
	}

	private void requireNotStarted(String method) {
		if (getContainerId() != null) {
			throw new IllegalStateException(
					method + " cannot be called on a started cluster: configure it before" + " start()");
		}
	}

	private static String address(org.testcontainers.containers.ContainerState container, int port, String part) {
		Integer mapped;
		try {
			mapped = container.getMappedPort(port);
		}
		catch (IllegalStateException ex) {
			throw new IllegalStateException("The load-balanced MongoDB cluster is not started (" + part
					+ " has no mapped port): start it first, or let @Testcontainers or @ServiceConnection start it",
					ex);
		}
		return container.getHost() + ":" + mapped;
	}

	private static DockerImageName parse(String what, String image, DockerImageName example) {
		if (image == null || image.isBlank()) {
			throw new IllegalArgumentException(
					"The " + what + " image must be named, was '" + image + "' (for example " + example + ")");
		}
		DockerImageName name;
		try {
			name = DockerImageName.parse(image);
			name.assertValid();
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("The " + what + " image '" + image
					+ "' is not a valid Docker image name (for example " + example + "): " + ex.getMessage(), ex);
		}
		return name;
	}

	private static DockerImageName check(String what, DockerImageName image, DockerImageName expected,
			DockerImageName example) {
		if (image == null) {
			throw new IllegalArgumentException("The " + what + " image must not be null (for example " + example + ")");
		}
		try {
			image.assertValid();
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("The " + what + " image '" + image
					+ "' is not a valid Docker image name (for example " + example + "): " + ex.getMessage(), ex);
		}
		if (!image.isCompatibleWith(expected)) {
			throw new IllegalArgumentException("The " + what + " image '" + image.asCanonicalNameString()
					+ "' is not a " + expected.getUnversionedPart() + " image (for example " + example
					+ "). If it is one under another name, declare it: DockerImageName.parse(\"" + image
					+ "\").asCompatibleSubstituteFor(\"" + expected.getUnversionedPart() + "\")");
		}
		return image;
	}

	/**
	 * The HAProxy container is ready when a connection through it reaches every mongos
	 * (as many distinct serviceIds as there are mongos), with what is left of the
	 * start-up timeout.
	 */
	private final class HaproxyRoutingWaitStrategy extends AbstractWaitStrategy {

		@Override
		protected void waitUntilReady() {
			Readiness startup = LoadBalancedMongoCluster.this.readiness;
			if (startup == null) {
				startup = new Readiness(LoadBalancedMongoCluster.this.clusterStartupTimeout);
			}
			int expected = LoadBalancedMongoCluster.this.mongosCount;
			startup.await("HAProxy", "routing connections to all " + expected + " mongos (send-proxy-v2)", () -> {
				serviceIdThroughBalancer();
				int seen = getServiceIdsSeen().size();
				return (seen >= expected) ? null
						: "reached " + seen + " of " + expected + " mongos: serviceIds " + getServiceIdsSeen();
			});
		}

	}

}
