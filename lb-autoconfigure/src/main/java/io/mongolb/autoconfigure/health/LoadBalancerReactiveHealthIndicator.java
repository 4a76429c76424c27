package io.mongolb.autoconfigure.health;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.mongodb.MongoException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.connection.ClusterSettings;
import com.mongodb.reactivestreams.client.MongoClient;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.bson.Document;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;

/**
 * The reactive counterpart of {@link LoadBalancerHealthIndicator}, for an application
 * with the reactive driver ({@code mongodb-driver-reactivestreams}): one {@code {ping:
 * 1}} through the balancer, bounded by the configured timeout (connection check-out
 * included), with the same status, details and causes as the synchronous indicator. It
 * never blocks a thread: the health is assembled when the driver answers or fails.
 *
 * @since 0.1.0
 */
public class LoadBalancerReactiveHealthIndicator implements ReactiveHealthIndicator {

	// A guard over the driver's own client-side timeout, should it not fire.
	private static final Duration GUARD = Duration.ofMillis(500);

	private final MongoClient client;

	private final LoadBalancedTopology topology;

	private final LoadBalancedMode mode;

	private final Duration timeout;

	private final LoadBalancerHealth health;

	/**
	 * Create a new indicator.
	 * @param client the reactive client to ping through
	 * @param topology the topology model registered with that client
	 * @param mode the load-balanced decision taken for that client
	 * @param timeout bound on the ping, connection check-out included
	 */
	public LoadBalancerReactiveHealthIndicator(MongoClient client, LoadBalancedTopology topology, LoadBalancedMode mode,
			Duration timeout) {
		this.client = client;
		this.topology = topology;
		this.mode = mode;
		this.timeout = timeout;
		this.health = new LoadBalancerHealth(topology, mode, timeout, this::clusterSettings);
	}

	@Override
	public Mono<Health> health() {
		return Mono.defer(() -> {
			long start = System.nanoTime();
			// A pooled connection to a mongos that has gone: once more, on another
			// connection, within what is left of the timeout (as the sync indicator
			// does).
			return ping(this.timeout.toMillis()).onErrorResume(LoadBalancerHealth::isDeadPooledConnection, (ex) -> {
				long left = this.timeout.toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
				return (left > 0) ? ping(left) : Mono.error(ex);
			});
		})
			.timeout(this.timeout.plus(GUARD),
					Mono.error(() -> new MongoTimeoutException("Timed out after " + this.timeout.toMillis()
							+ " ms while waiting for the ping through the load balancer")))
			.map((reply) -> this.health.health(null))
			.onErrorResume(MongoException.class, (ex) -> Mono.fromSupplier(() -> this.health.health(ex)));
	}

	private Mono<Document> ping(long timeoutMillis) {
		return Mono.from(this.client.getDatabase("admin")
			.withTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
			.runCommand(new Document("ping", 1)));
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
