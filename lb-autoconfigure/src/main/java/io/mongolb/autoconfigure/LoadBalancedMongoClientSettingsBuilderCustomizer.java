package io.mongolb.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import com.mongodb.MongoClientSettings;
import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterConnectionMode;
import com.mongodb.connection.ClusterSettings;
import com.mongodb.connection.ConnectionPoolSettings;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.core.Ordered;

/**
 * Applies load-balanced mode to each {@code MongoClient} that Spring Boot builds
 * (synchronous or reactive, or one an application builds through Boot's customizers), and
 * registers the cluster, server, command and connection-pool listeners of that client's
 * own {@link LoadBalancedTopology}. It runs after Spring Boot's standard customizer
 * (order 0, which applies the connection string) and does nothing when the
 * {@link LoadBalancedMode} is not active.
 * <p>
 * The decision is taken per builder, from that builder's own settings: a builder that
 * connects to the connection the decision was taken for (the same single host, or the
 * same SRV host) gets load-balanced mode; a builder whose own settings say
 * {@code loadBalanced=true} keeps it and gets a topology model of its own; any other
 * builder (a second client pointed at a replica set, say) is left exactly as it is.
 * <p>
 * With a declared balancer idle timeout
 * ({@code mongodb.load-balanced.balancer.idle-timeout}), a pool whose maximum idle time
 * is unset gets 80% of it, and the pool's final maximum idle time (read from the pool
 * when it is created, after every customizer) is checked: one warning when it is unset or
 * not below the balancer's idle timeout.
 *
 * @since 0.1.0
 */
public class LoadBalancedMongoClientSettingsBuilderCustomizer implements MongoClientSettingsBuilderCustomizer, Ordered {

	/**
	 * The order of this customizer: after Spring Boot's standard customizer, before
	 * unordered ones.
	 */
	public static final int ORDER = 100;

	private static final Log logger = LogFactory.getLog(LoadBalancedMongoClientSettingsBuilderCustomizer.class);

	private static final String SRV_SUFFIX = " (SRV)";

	private static final String IDLE_TIMEOUT_PROPERTY = "mongodb.load-balanced.balancer.idle-timeout";

	private final LoadBalancedMode mode;

	private final LoadBalancedClients clients;

	private final @Nullable Duration balancerIdleTimeout;

	/**
	 * Create a new customizer that registers the listeners of one topology model with
	 * every load-balanced builder.
	 * @param mode the load-balanced decision
	 * @param topology the topology model whose listeners to register
	 */
	public LoadBalancedMongoClientSettingsBuilderCustomizer(LoadBalancedMode mode, LoadBalancedTopology topology) {
		this(mode, new LoadBalancedClients(topology, () -> topology));
	}

	/**
	 * Create a new customizer that gives each load-balanced client its own topology
	 * model.
	 * @param mode the load-balanced decision, taken for the application's connection
	 * @param clients the registry that names each client and hands out its model
	 */
	public LoadBalancedMongoClientSettingsBuilderCustomizer(LoadBalancedMode mode, LoadBalancedClients clients) {
		this(mode, clients, null);
	}

	/**
	 * Create a new customizer that gives each load-balanced client its own topology model
	 * and keeps each pool's maximum idle time below the balancer's idle timeout.
	 * @param mode the load-balanced decision, taken for the application's connection
	 * @param clients the registry that names each client and hands out its model
	 * @param balancerIdleTimeout the balancer's idle timeout
	 * ({@code mongodb.load-balanced.balancer.idle-timeout}), or {@code null} when not
	 * declared
	 */
	public LoadBalancedMongoClientSettingsBuilderCustomizer(LoadBalancedMode mode, LoadBalancedClients clients,
			@Nullable Duration balancerIdleTimeout) {
		this.mode = mode;
		this.clients = clients;
		this.balancerIdleTimeout = balancerIdleTimeout;
	}

	/**
	 * The maximum idle time the starter gives a pool that has none, under a declared
	 * balancer idle timeout: 80% of it, so that the pool discards an idle connection
	 * before the balancer closes it, with a margin for the time the last command took.
	 * @param balancerIdleTimeout the balancer's idle timeout
	 * @return the pool's maximum idle time
	 */
	public static Duration defaultMaxConnectionIdleTime(Duration balancerIdleTimeout) {
		return Duration.ofMillis(Math.max(1, balancerIdleTimeout.toMillis() * 4 / 5));
	}

	@Override
	public void customize(MongoClientSettings.Builder builder) {
		if (!this.mode.active()) {
			return;
		}
		ClusterSettings cluster = clusterSettings(builder);
		LoadBalancedMode decision = decide(cluster);
		LoadBalancedClient client = this.clients.register(decision);
		LoadBalancedTopology topology = client.getTopology();
		if (!decision.active() || topology == null) {
			if (logger.isInfoEnabled()) {
				logger.info("MongoClient '" + client.getName() + "': " + decision.reason());
			}
			return;
		}
		if (decision != this.mode && logger.isInfoEnabled()) {
			logger.info("MongoClient '" + client.getName() + "' is load-balanced with a topology model of its own: "
					+ decision.reason());
		}
		// Idempotent when the connection string already says loadBalanced=true; adds the
		// mode when mongodb.load-balanced.enabled=true asked for it. The hosts (or SRV
		// host) stay as the connection string set them: the rules guarantee there is
		// exactly one.
		builder.applyToClusterSettings((settings) -> settings.mode(ClusterConnectionMode.LOAD_BALANCED)
			.addClusterListener(topology.clusterListener()));
		builder.applyToServerSettings((server) -> server.addServerListener(topology.serverListener()));
		builder
			.applyToConnectionPoolSettings((pool) -> pool.addConnectionPoolListener(topology.connectionPoolListener()));
		builder.addCommandListener(topology.commandListener());
		if (this.balancerIdleTimeout != null) {
			applyBalancerIdleTimeout(builder, client.getName(), this.balancerIdleTimeout);
			// Customizers that run after this one may still change it: the pool's own
			// settings tell, once it exists (the model's pool listener hands them over).
			topology.addPoolCreatedListener(new IdleTimeCheck(client.getName(), this.balancerIdleTimeout));
		}
	}

	private static void applyBalancerIdleTimeout(MongoClientSettings.Builder builder, String clientName,
			Duration idleTimeout) {
		builder.applyToConnectionPoolSettings((pool) -> {
			if (pool.build().getMaxConnectionIdleTime(TimeUnit.MILLISECONDS) == 0) {
				Duration applied = defaultMaxConnectionIdleTime(idleTimeout);
				pool.maxConnectionIdleTime(applied.toMillis(), TimeUnit.MILLISECONDS);
				if (logger.isInfoEnabled()) {
					logger.info("MongoClient '" + clientName + "': the pool's maximum idle time (maxIdleTimeMS) was"
							+ " unset; set to " + applied.toMillis() + " ms, 80% of " + IDLE_TIMEOUT_PROPERTY + " ("
							+ idleTimeout + "), so that idle connections are closed before the balancer drops them");
				}
			}
		});
	}

	private LoadBalancedMode decide(@Nullable ClusterSettings cluster) {
		if (cluster == null || isTheDecidedConnection(cluster)) {
			return this.mode;
		}
		String own = describe(cluster);
		if (cluster.getMode() == ClusterConnectionMode.LOAD_BALANCED) {
			String address = (cluster.getSrvHost() != null) ? cluster.getSrvHost() + SRV_SUFFIX
					: cluster.getHosts().get(0).toString();
			return new LoadBalancedMode(true, "the client's own settings",
					"loadBalanced=true in the client's own settings", address, null,
					"Load-balanced mode is requested by the client's own settings (" + own + ").");
		}
		return new LoadBalancedMode(false, "the client's own settings", null, null, null,
				"The client's own settings (" + own + ") are not the load-balanced connection ("
						+ this.mode.loadBalancerAddress()
						+ ") and do not ask for load-balanced mode: the starter leaves this client as it is.");
	}

	private boolean isTheDecidedConnection(ClusterSettings cluster) {
		String address = this.mode.loadBalancerAddress();
		if (address == null) {
			return true;
		}
		if (address.endsWith(SRV_SUFFIX)) {
			String srvHost = address.substring(0, address.length() - SRV_SUFFIX.length());
			return cluster.getSrvHost() != null
					&& cluster.getSrvHost().toLowerCase(Locale.ROOT).equals(srvHost.toLowerCase(Locale.ROOT));
		}
		List<ServerAddress> hosts = cluster.getHosts();
		if (cluster.getSrvHost() != null || hosts.size() != 1 || cluster.getRequiredReplicaSetName() != null) {
			return false;
		}
		try {
			return new ServerAddress(address).equals(hosts.get(0));
		}
		catch (RuntimeException ex) {
			return address.equalsIgnoreCase(hosts.get(0).toString());
		}
	}

	private static String describe(ClusterSettings cluster) {
		StringBuilder description = new StringBuilder();
		if (cluster.getSrvHost() != null) {
			description.append("SRV host ").append(cluster.getSrvHost());
		}
		else {
			description.append("hosts ").append(cluster.getHosts());
		}
		if (cluster.getRequiredReplicaSetName() != null) {
			description.append(", replica set ").append(cluster.getRequiredReplicaSetName());
		}
		return description.append(", mode ").append(cluster.getMode()).toString();
	}

	/**
	 * The cluster settings the builder holds so far, without changing it.
	 * @param builder the builder
	 * @return the settings, or {@code null} when they are not valid yet
	 */
	private static @Nullable ClusterSettings clusterSettings(MongoClientSettings.Builder builder) {
		ClusterSettings[] settings = new ClusterSettings[1];
		try {
			builder.applyToClusterSettings((cluster) -> settings[0] = cluster.build());
		}
		catch (RuntimeException ex) {
			// Not valid on their own (yet): the decision applies, as it always did.
			return null;
		}
		return settings[0];
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	/**
	 * Reads the final maximum idle time from the pool when it is created, and warns once
	 * when it is not below the balancer's idle timeout.
	 */
	static final class IdleTimeCheck implements Consumer<ConnectionPoolSettings> {

		private final String clientName;

		private final Duration idleTimeout;

		private final AtomicBoolean warned = new AtomicBoolean();

		IdleTimeCheck(String clientName, Duration idleTimeout) {
			this.clientName = clientName;
			this.idleTimeout = idleTimeout;
		}

		@Override
		public void accept(ConnectionPoolSettings settings) {
			long idle = settings.getMaxConnectionIdleTime(TimeUnit.MILLISECONDS);
			if (idle > 0 && idle < this.idleTimeout.toMillis()) {
				return;
			}
			if (this.warned.compareAndSet(false, true) && logger.isWarnEnabled()) {
				logger.warn("MongoClient '" + this.clientName + "': " + IDLE_TIMEOUT_PROPERTY + " is "
						+ this.idleTimeout + " (" + this.idleTimeout.toMillis() + " ms), but the pool keeps idle"
						+ " connections for " + ((idle == 0) ? "0 ms (no limit)" : idle + " ms")
						+ ": the balancer closes them first, and the next command on each fails (\"Prematurely"
						+ " reached end of stream\") and clears that mongos's connections. Set maxIdleTimeMS below "
						+ this.idleTimeout.toMillis() + " (for example "
						+ defaultMaxConnectionIdleTime(this.idleTimeout).toMillis()
						+ ") in the connection string, or leave it unset and let no MongoClientSettingsBuilderCustomizer"
						+ " change maxConnectionIdleTime.");
			}
		}

	}

}
