package io.mongolb.autoconfigure.health;

import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.mongodb.MongoException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoSocketOpenException;
import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterSettings;
import com.mongodb.connection.ClusterType;
import io.mongolb.autoconfigure.mode.CredentialMasking;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.LoadBalancedTopologySnapshot;
import io.mongolb.autoconfigure.topology.PinnedConnectionLeak;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;

/**
 * What the synchronous and the reactive {@code mongodbLoadBalancer} indicators say, once
 * their ping has succeeded or failed: the status, the details and, for a DOWN status, the
 * cause and what to check. One place, so that both stacks word everything alike.
 */
final class LoadBalancerHealth {

	// How driver 5.x words these failures; a time-out carries them only in its message.
	private static final String UNKNOWN_HOST = "java.net.UnknownHostException: ";

	private static final String FAILED_SRV_LOOKUP = "Failed looking up SRV record for '";

	/**
	 * An SRV answer with no record: driver 5.8 wraps this message in the one above, newer
	 * drivers (5.14) report it alone.
	 */
	private static final String NO_SRV_RECORDS = "No SRV records available for '";

	private static final String UNRESOLVED_SRV = "while waiting to resolve SRV records for ";

	private static final String NAME_SEPARATORS = "'\":,;{}()[] \t\r\n";

	private static final int MAX_CAUSES = 20;

	private final LoadBalancedTopology topology;

	private final LoadBalancedMode mode;

	private final Duration timeout;

	private final Supplier<@Nullable ClusterSettings> clusterSettings;

	/**
	 * Create the health of one client.
	 * @param topology the client's topology model
	 * @param mode the decision taken for the client
	 * @param timeout bound on the ping
	 * @param clusterSettings the client's cluster settings, {@code null} when they cannot
	 * be read (a closed client)
	 */
	LoadBalancerHealth(LoadBalancedTopology topology, LoadBalancedMode mode, Duration timeout,
			Supplier<@Nullable ClusterSettings> clusterSettings) {
		this.topology = topology;
		this.mode = mode;
		this.timeout = timeout;
		this.clusterSettings = clusterSettings;
	}

	/**
	 * The health after the ping.
	 * @param error the driver's exception when the ping failed, {@code null} when it
	 * succeeded
	 * @return the health
	 */
	Health health(@Nullable MongoException error) {
		Health.Builder builder = (error != null) ? Health.down() : Health.up();
		String cause = (error != null) ? explain(error) : null;
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
			// Server messages can quote what the application sent, a connection string
			// among it.
			String text = CredentialMasking.mask(error.getClass().getName() + ": " + error.getMessage());
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
				// cursor or a transaction that was never closed keeps its connection
				// pinned.
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
		if (!snapshot.pinnedConnectionLeaks().isEmpty()) {
			// The leak reports not yet released: what took each connection, never its
			// filter or documents.
			List<Map<String, Object>> leaks = new ArrayList<>();
			for (PinnedConnectionLeak leak : snapshot.pinnedConnectionLeaks()) {
				Map<String, Object> details = new LinkedHashMap<>();
				details.put("serviceId", leak.serviceId().toHexString());
				details.put("connectionId", leak.connectionId());
				details.put("command", leak.commandName());
				details.put("namespace",
						(leak.collection() != null) ? leak.database() + "." + leak.collection() : leak.database());
				details.put("checkedOutAt", leak.checkedOutAt().toString());
				details.put("checkedOutFor", leak.checkedOutFor().toString());
				leaks.add(details);
			}
			builder.withDetail("pinnedConnectionLeaks", leaks);
		}
	}

	/**
	 * Whether the error is a read or write on a connection that failed (not a connection
	 * that could not be opened, not a host name that does not resolve, not a time-out):
	 * typically a pooled connection whose mongos (or the balancer's side of it) went
	 * away. The health probes send their ping once more on such an error.
	 * @param ex the ping's error
	 * @return {@code true} for a failed read or write on a connection
	 */
	static boolean isDeadPooledConnection(Throwable ex) {
		if (!(ex instanceof MongoSocketException) || ex instanceof MongoSocketOpenException
				|| ex instanceof MongoSocketReadTimeoutException) {
			return false;
		}
		for (Throwable cause = ex.getCause(); cause != null; cause = cause.getCause()) {
			if (cause instanceof UnknownHostException) {
				return false;
			}
		}
		return true;
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
		String unknownHost = unknownHost(ex);
		if (unknownHost != null) {
			String srvRecord = srvRecordName(null);
			String name = unknownHost.isEmpty() ? "of " + address : unknownHost;
			return "The host name " + name + " does not resolve (unknown host): check "
					+ ((srvRecord != null) ? "the target of the SRV record " + srvRecord
							: "the host name in the connection string")
					+ " for a typo, and that this machine's DNS server knows "
					+ (unknownHost.isEmpty() ? "it" : unknownHost) + ".";
		}
		String failedSrvRecord = failedSrvLookup(ex);
		if (failedSrvRecord != null) {
			return "The DNS look-up of the SRV record " + failedSrvRecord + " failed: check the host name of the"
					+ " mongodb+srv connection string for a typo, that this SRV record exists and points to the load"
					+ " balancer (a single target), and that this machine's DNS server answers.";
		}
		if (message.contains(UNRESOLVED_SRV)) {
			// The driver's SRV monitor had no answer yet, neither records nor an error.
			String srvRecord = srvRecordName(afterMarker(message, UNRESOLVED_SRV));
			return "The DNS look-up of the SRV record " + srvRecord + " did not complete in time: check that this"
					+ " machine's DNS server answers, and that the SRV record exists.";
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

	/**
	 * The host name that did not resolve: an {@link UnknownHostException} in the cause
	 * chain (the driver wraps it in a {@link MongoSocketException} that names the
	 * address), or the text the driver puts in a time-out message for it.
	 * @param ex the driver's exception
	 * @return the host name, empty when the exception names none, {@code null} when no
	 * host name failed to resolve
	 */
	private static @Nullable String unknownHost(Throwable ex) {
		ServerAddress address = null;
		int depth = 0;
		for (Throwable current = ex; current != null && depth < MAX_CAUSES; current = current.getCause(), depth++) {
			if (current instanceof MongoSocketException socketException) {
				address = socketException.getServerAddress();
			}
			if (current instanceof UnknownHostException) {
				if (address != null) {
					return address.getHost();
				}
				String host = token(String.valueOf(current.getMessage()), 0);
				return (host != null) ? host : "";
			}
			String host = afterMarker(String.valueOf(current.getMessage()), UNKNOWN_HOST);
			if (host != null) {
				return host;
			}
		}
		return null;
	}

	/**
	 * The SRV record whose look-up failed, from the driver's
	 * {@code MongoConfigurationException} in the cause chain or quoted in the message of
	 * the time-out that ends the wait for the SRV records.
	 * @param ex the driver's exception
	 * @return the record's name, or {@code null} when no SRV look-up failed
	 */
	private static @Nullable String failedSrvLookup(Throwable ex) {
		int depth = 0;
		for (Throwable current = ex; current != null && depth < MAX_CAUSES; current = current.getCause(), depth++) {
			String message = String.valueOf(current.getMessage());
			String record = afterMarker(message, FAILED_SRV_LOOKUP);
			if (record == null) {
				record = afterMarker(message, NO_SRV_RECORDS);
			}
			if (record != null) {
				return record;
			}
		}
		return null;
	}

	/**
	 * The name of the SRV record the client looks up ({@code _mongodb._tcp.host}, or its
	 * own service name).
	 * @param fallbackHost the SRV host a driver message named, for a client whose
	 * settings cannot be read
	 * @return the record's name, or {@code null} when the client does not use SRV
	 */
	private @Nullable String srvRecordName(@Nullable String fallbackHost) {
		String host = fallbackHost;
		String service = "mongodb";
		try {
			ClusterSettings settings = this.clusterSettings.get();
			if (settings != null && settings.getSrvHost() != null) {
				host = settings.getSrvHost();
				service = settings.getSrvServiceName();
			}
		}
		catch (RuntimeException ex) {
			// A closed client: keep what the message said.
		}
		return (host != null) ? "_" + service + "._tcp." + host : null;
	}

	/**
	 * The name that follows a marker in a driver message.
	 * @param message the message
	 * @param marker the text before the name
	 * @return the name, or {@code null} when the marker is absent
	 */
	private static @Nullable String afterMarker(String message, String marker) {
		int at = message.indexOf(marker);
		return (at >= 0) ? token(message, at + marker.length()) : null;
	}

	/**
	 * The host or record name that starts at {@code from}, up to the first separator.
	 * @param text a driver message
	 * @param from where the name starts
	 * @return the name, or {@code null} when there is none
	 */
	private static @Nullable String token(String text, int from) {
		int end = from;
		while (end < text.length() && NAME_SEPARATORS.indexOf(text.charAt(end)) < 0) {
			end++;
		}
		// A name ends a sentence in some driver messages: drop the full stop.
		while (end > from && text.charAt(end - 1) == '.') {
			end--;
		}
		return (end > from) ? text.substring(from, end) : null;
	}

}
