package io.mongolb.autoconfigure;

import com.mongodb.MongoClientSettings;
import com.mongodb.connection.ClusterConnectionMode;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;

import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.core.Ordered;

/**
 * Applies load-balanced mode to the {@code MongoClient} that Spring Boot builds, and
 * registers the {@link LoadBalancedTopology}'s cluster, server, command and
 * connection-pool listeners. It runs after Spring Boot's standard customizer (order 0,
 * which applies the connection string) and does nothing when the {@link LoadBalancedMode}
 * is not active.
 *
 * @since 0.1.0
 */
public class LoadBalancedMongoClientSettingsBuilderCustomizer implements MongoClientSettingsBuilderCustomizer, Ordered {

	/**
	 * The order of this customizer: after Spring Boot's standard customizer, before
	 * unordered ones.
	 */
	public static final int ORDER = 100;

	private final LoadBalancedMode mode;

	private final LoadBalancedTopology topology;

	/**
	 * Create a new customizer.
	 * @param mode the load-balanced decision
	 * @param topology the topology model whose listeners to register
	 */
	public LoadBalancedMongoClientSettingsBuilderCustomizer(LoadBalancedMode mode, LoadBalancedTopology topology) {
		this.mode = mode;
		this.topology = topology;
	}

	@Override
	public void customize(MongoClientSettings.Builder builder) {
		if (!this.mode.active()) {
			return;
		}
		// Idempotent when the connection string already says loadBalanced=true; adds the
		// mode when mongodb.load-balanced.enabled=true asked for it. The hosts (or SRV
		// host) stay as the connection string set them: the rules guarantee there is
		// exactly one.
		builder.applyToClusterSettings((cluster) -> cluster.mode(ClusterConnectionMode.LOAD_BALANCED)
			.addClusterListener(this.topology.clusterListener()));
		builder.applyToServerSettings((server) -> server.addServerListener(this.topology.serverListener()));
		builder.applyToConnectionPoolSettings(
				(pool) -> pool.addConnectionPoolListener(this.topology.connectionPoolListener()));
		builder.addCommandListener(this.topology.commandListener());
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

}
