package io.mongolb.autoconfigure.health;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.connection.ClusterSettings;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.bson.Document;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the LoadBalancer server: UP when the driver's topology is LoadBalanced and
 * one {@code {ping: 1}} through the balancer succeeds within the configured timeout
 * (connection check-out included). The details name the topology and server types, the
 * balancer's address (never credentials), the services seen behind it (with the
 * connections checked out past {@code mongodb.load-balanced.pinning.leak-threshold}, when
 * there are any) and the last pool clear; a DOWN status says what to check. A host name
 * that does not resolve and a failed SRV look-up are named as such, wherever the driver
 * reports them (the cause chain, or the message of the time-out that ends the wait for
 * them).
 * <p>
 * Each call sends one command over the client's own pool, so it opens no connection the
 * application would not. When that command meets a pooled connection to a mongos that has
 * gone (a read or write error on an established connection), it is sent once more, within
 * what is left of the timeout: a mongos that stopped is not a balancer that is down.
 *
 * @since 0.1.0
 */
public class LoadBalancerHealthIndicator implements HealthIndicator {

	private final MongoClient client;

	private final LoadBalancedTopology topology;

	private final LoadBalancedMode mode;

	private final Duration timeout;

	private final LoadBalancerHealth health;

	/**
	 * Create a new indicator.
	 * @param client the client to ping through
	 * @param topology the topology model registered with that client
	 * @param mode the load-balanced decision
	 * @param timeout bound on the ping, connection check-out included
	 */
	public LoadBalancerHealthIndicator(MongoClient client, LoadBalancedTopology topology, LoadBalancedMode mode,
			Duration timeout) {
		this.client = client;
		this.topology = topology;
		this.mode = mode;
		this.timeout = timeout;
		this.health = new LoadBalancerHealth(topology, mode, timeout, this::clusterSettings);
	}

	@Override
	public Health health() {
		long start = System.nanoTime();
		try {
			ping(this.timeout.toMillis());
		}
		catch (MongoException ex) {
			if (!LoadBalancerHealth.isDeadPooledConnection(ex)) {
				return this.health.health(ex);
			}
			// The ping met a pooled connection to a mongos that has gone (the driver has
			// cleared that service's connections): that says nothing of the balancer.
			// One more ping, within what is left of the timeout, on another connection.
			long left = this.timeout.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			if (left <= 0) {
				return this.health.health(ex);
			}
			try {
				ping(left);
			}
			catch (MongoException retried) {
				return this.health.health(retried);
			}
		}
		return this.health.health(null);
	}

	private void ping(long timeoutMillis) {
		// Client-side operation timeout: it bounds check-out, connection set-up
		// and the reply together.
		this.client.getDatabase("admin")
			.withTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
			.runCommand(new Document("ping", 1));
	}

	/**
	 * The topology model this indicator reads.
	 * @return the client's model
	 */
	public LoadBalancedTopology getTopology() {
		return this.topology;
	}

	/**
	 * The decision this indicator reports on.
	 * @return the client's decision
	 */
	public LoadBalancedMode getMode() {
		return this.mode;
	}

	private @Nullable ClusterSettings clusterSettings() {
		try {
			return this.client.getClusterDescription().getClusterSettings();
		}
		catch (RuntimeException ex) {
			// A closed client.
			return null;
		}
	}

}
