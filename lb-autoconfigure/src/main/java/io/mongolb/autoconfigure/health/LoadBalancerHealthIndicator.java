package io.mongolb.autoconfigure.health;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.mongodb.MongoException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoSocketOpenException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.client.MongoClient;
import com.mongodb.connection.ClusterType;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.LoadBalancedTopologySnapshot;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import org.bson.Document;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of the LoadBalancer server: UP when the driver's topology is LoadBalanced and
 * one {@code {ping: 1}} through the balancer succeeds within the configured timeout
 * (connection check-out included). The details name the topology and server types, the
 * balancer's address (never credentials), the services seen behind it (with the
 * connections checked out past {@code mongodb.load-balanced.pinning.leak-threshold}, when
 * there are any) and the last pool clear; a DOWN status says what to check.
 * <p>
 * Each call sends one command over the client's own pool, so it opens no connection the
 * application would not.
 *
 * @since 0.1.0
 */
public class LoadBalancerHealthIndicator implements HealthIndicator {

	private final MongoClient client;

	private final LoadBalancedTopology topology;

	private final LoadBalancedMode mode;

	private final Duration timeout;

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
	}

	@Override
	public Health health() {
		Health.Builder builder;
		String cause = null;
		MongoException error = null;
		try {
			// Client-side operation timeout: bounds check-out, connection set-up and the
			// reply together.
			this.client.getDatabase("admin")
				.withTimeout(this.timeout.toMillis(), TimeUnit.MILLISECONDS)
				.runCommand(new Document("ping", 1));
			builder = Health.up();
		}
		catch (MongoException ex) {
			error = ex;
			cause = explain(ex);
			builder = Health.down();
		}
		LoadBalancedTopologySnapshot snapshot = this.topology.snapshot();
		if (error == null && snapshot.topologyType() != ClusterType.LOAD_BALANCED) {
			builder = Health.down();
			cause = "The driver's topology is " + snapshot.topologyTypeName() + ", not LoadBalanced: this MongoClient"
					+ " was not built in load-balanced mode (was it created without Spring Boot's customizers?).";
		}
		addDetails(builder, snapshot);
		if (cause != null) {
			builder.withDetail("cause", cause);
		}
		if (error != null) {
			String text = error.getClass().getName() + ": " + error.getMessage();
			builder.withDetail("error", (text.length() > 500) ? text.substring(0, 500) + "..." : text);
		}
		return builder.build();
	}

	private void addDetails(Health.Builder builder, LoadBalancedTopologySnapshot snapshot) {
		builder.withDetail("topologyType", snapshot.topologyTypeName());
		builder.withDetail("loadBalancer", (this.mode.loadBalancerAddress() != null) ? this.mode.loadBalancerAddress()
				: String.valueOf(snapshot.loadBalancerAddress()));
		String serverType = snapshot.serverTypeName();
		builder.withDetail("serverType", (serverType != null) ? serverType : "Unknown");
		List<Map<String, Object>> services = new ArrayList<>();
		ServiceSnapshot lastCleared = null;
		Instant lastClear = null;
		for (ServiceSnapshot service : snapshot.services()) {
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("serviceId", service.serviceId().toHexString());
			details.put("openConnections", service.openConnections());
			details.put("lastSeen", service.lastSeen().toString());
			if (service.connectionsPastLeakThreshold() > 0) {
				// Checked out longer than mongodb.load-balanced.pinning.leak-threshold: a
				// cursor or a transaction
				// that was never closed keeps its connection pinned.
				details.put("connectionsPastLeakThreshold", service.connectionsPastLeakThreshold());
			}
			services.add(details);
			Instant cleared = service.lastPoolClear();
			if (cleared != null && (lastClear == null || cleared.isAfter(lastClear))) {
				lastCleared = service;
				lastClear = cleared;
			}
		}
		builder.withDetail("servicesSeen", services.size());
		builder.withDetail("services", services);
		if (lastCleared != null) {
			builder.withDetail("lastPoolClear",
					Map.of("serviceId", lastCleared.serviceId().toHexString(), "time", String.valueOf(lastClear)));
		}
	}

	private String explain(MongoException ex) {
		String address = (this.mode.loadBalancerAddress() != null) ? this.mode.loadBalancerAddress()
				: "the load balancer";
		String message = String.valueOf(ex.getMessage());
		if (message.contains("does not support this mode")) {
			return "The server behind " + address + " answered the handshake without a serviceId: it is not a"
					+ " mongos load-balancer port. Point the balancer at mongos's loadBalancerPort (mongos --setParameter"
					+ " loadBalancerPort=...) and make it send a PROXY protocol header (HAProxy: send-proxy-v2).";
		}
		if (ex instanceof MongoSocketOpenException) {
			return "No connection could be opened to " + address + ": check the address and that the load balancer"
					+ " is listening.";
		}
		if (ex instanceof MongoTimeoutException) {
			return "No answer to ping through " + address + " within " + this.timeout.toMillis() + " ms: check"
					+ " that the load balancer is up, routes to a running mongos, and that mongos accepts its PROXY"
					+ " header (an L4 balancer that forwards to a port expecting no header, or the reverse, stalls"
					+ " or drops the handshake).";
		}
		if (ex instanceof MongoSocketException) {
			return "The connection through " + address + " was dropped: the load balancer may have no healthy"
					+ " mongos behind it, or mongos rejected the connection (is the balancer sending a PROXY header to"
					+ " mongos's loadBalancerPort?).";
		}
		return "The ping through " + address + " failed.";
	}

}
