package io.mongolb.autoconfigure.endpoint;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.mongolb.autoconfigure.LoadBalancedClient;
import io.mongolb.autoconfigure.events.LoadBalancedEventPublisher;
import io.mongolb.autoconfigure.mode.CredentialMasking;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedEvent;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.LoadBalancedTopologySnapshot;
import io.mongolb.autoconfigure.topology.PinnedConnectionLeak;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code mongodblb} Actuator endpoint: what each load-balanced client's
 * {@link LoadBalancedTopology} knows, as JSON.
 * <p>
 * {@code /actuator/mongodblb} answers {@code {"clients": {"<name>": {...}}}}, one entry
 * per client, named after its {@code MongoClient} bean: the topology and server types,
 * the LoadBalancer address, each service (connections open, checked out and past the leak
 * threshold, commands succeeded and failed, pool clears, the last error, first and last
 * seen, pinned-connection leaks reported), the untracked and evicted counts, the recent
 * events (oldest first), the open pinned-connection leak reports, and the figures of the
 * application-event publisher (events published, dropped and queued).
 * {@code /actuator/mongodblb/{serviceId}} answers the entry of that service, with its
 * recent events and open leak reports, for each client that tracks it, and 404 for a
 * serviceId no client tracks or that is not a 24-digit hexadecimal ObjectId.
 * <p>
 * When load-balanced mode is not active, each client's entry is {@code {"loadBalanced":
 * false, "reason": "..."}}, and no serviceId is found.
 * <p>
 * No credential appears: addresses are the balancer's host and port, and every text that
 * may quote a connection string (an error message, an event description) has the user
 * information and secret options of each {@code mongodb://} or {@code mongodb+srv://}
 * string it contains masked as
 * {@link io.mongolb.autoconfigure.mode.MaskedConnectionString} does.
 *
 * @since 0.1.0
 */
@Endpoint(id = "mongodblb")
public class LoadBalancedEndpoint {

	private final Supplier<List<LoadBalancedClient>> clients;

	private final LoadBalancedMode mode;

	private final Collection<LoadBalancedEventPublisher> publishers;

	/**
	 * Create the endpoint.
	 * @param clients the topology of each client, by the name the endpoint shows (the
	 * client's bean name), in the order to show them
	 * @param mode the load-balanced decision
	 * @param publishers the application-event publishers, matched with the topologies
	 * they publish for
	 */
	public LoadBalancedEndpoint(Map<String, LoadBalancedTopology> clients, LoadBalancedMode mode,
			Collection<LoadBalancedEventPublisher> publishers) {
		List<LoadBalancedClient> entries = new ArrayList<>();
		clients.forEach((name, topology) -> entries.add(new LoadBalancedClient(name, mode, topology, null)));
		List<LoadBalancedClient> fixed = List.copyOf(entries);
		this.clients = () -> fixed;
		this.mode = mode;
		this.publishers = List.copyOf(publishers);
	}

	/**
	 * Create the endpoint over clients that may each have a decision of their own (a
	 * client that is not load-balanced shows {@code "loadBalanced": false} and its
	 * reason).
	 * @param clients the clients to show, asked on each read, in the order to show them
	 * @param mode the load-balanced decision taken for the application's connection
	 * @param publishers the application-event publishers, matched with the topologies
	 * they publish for
	 */
	public LoadBalancedEndpoint(Supplier<List<LoadBalancedClient>> clients, LoadBalancedMode mode,
			Collection<LoadBalancedEventPublisher> publishers) {
		this.clients = clients;
		this.mode = mode;
		this.publishers = List.copyOf(publishers);
	}

	/**
	 * Everything each client's topology knows.
	 * @return {@code {"clients": {"<name>": {...}}}}
	 */
	@ReadOperation
	public Map<String, Object> topology() {
		Map<String, Object> clients = new LinkedHashMap<>();
		for (LoadBalancedClient client : this.clients.get()) {
			clients.put(client.getName(), describe(client));
		}
		return OperationResponseBody.of(Map.of("clients", clients));
	}

	/**
	 * One service, as each client that tracks it sees it.
	 * @param serviceId the service's id, 24 hexadecimal digits
	 * @return {@code {"clients": {"<name>": {...}}}} with the clients that track the
	 * service, or {@code null} (404) when none does or the id is malformed
	 */
	@ReadOperation
	public @Nullable Map<String, Object> service(@Selector String serviceId) {
		if (!this.mode.active() || !ObjectId.isValid(serviceId)) {
			return null;
		}
		ObjectId id = new ObjectId(serviceId);
		Map<String, Object> clients = new LinkedHashMap<>();
		for (LoadBalancedClient client : this.clients.get()) {
			LoadBalancedTopology topology = client.getTopology();
			if (!client.isLoadBalanced() || topology == null) {
				continue;
			}
			String name = client.getName();
			LoadBalancedTopologySnapshot snapshot = topology.snapshot();
			for (ServiceSnapshot service : snapshot.services()) {
				if (service.serviceId().equals(id)) {
					Map<String, Object> described = describe(service);
					described.put("recentEvents", events(
							snapshot.recentEvents().stream().filter((event) -> id.equals(event.serviceId())).toList()));
					described.put("pinnedConnectionLeaks",
							leaks(snapshot.pinnedConnectionLeaks()
								.stream()
								.filter((leak) -> leak.serviceId().equals(id))
								.toList()));
					clients.put(name, described);
				}
			}
		}
		return clients.isEmpty() ? null : OperationResponseBody.of(Map.of("clients", clients));
	}

	private Map<String, Object> describe(LoadBalancedClient entry) {
		Map<String, Object> client = new LinkedHashMap<>();
		LoadBalancedTopology topology = entry.getTopology();
		boolean loadBalanced = entry.isLoadBalanced() && topology != null;
		client.put("loadBalanced", loadBalanced);
		if (!loadBalanced) {
			client.put("reason", CredentialMasking.mask(entry.getMode().reason()));
			return client;
		}
		LoadBalancedTopologySnapshot snapshot = topology.snapshot();
		client.put("takenAt", time(snapshot.takenAt()));
		client.put("topologyType", snapshot.topologyTypeName());
		client.put("loadBalancer",
				(snapshot.loadBalancerAddress() != null) ? snapshot.loadBalancerAddress().toString() : null);
		client.put("serverType", snapshot.serverTypeName());
		client.put("openConnections", snapshot.openConnections());
		List<Map<String, Object>> services = new ArrayList<>();
		for (ServiceSnapshot service : snapshot.services()) {
			services.add(describe(service));
		}
		client.put("services", services);
		client.put("untrackedServices", snapshot.untrackedServices());
		client.put("untrackedCommands", snapshot.untrackedCommands());
		client.put("evictedServices", snapshot.evictedServices());
		client.put("recentEvents", events(snapshot.recentEvents()));
		client.put("pinnedConnectionLeaks", leaks(snapshot.pinnedConnectionLeaks()));
		LoadBalancedEventPublisher publisher = publisherOf(topology);
		if (publisher != null) {
			Map<String, Object> events = new LinkedHashMap<>();
			events.put("published", publisher.getPublishedCount());
			events.put("dropped", publisher.getDroppedCount());
			events.put("queued", publisher.getQueuedCount());
			events.put("capacity", publisher.getCapacity());
			events.put("listenerFailures", publisher.getListenerFailureCount());
			client.put("applicationEvents", events);
		}
		return client;
	}

	private static Map<String, Object> describe(ServiceSnapshot service) {
		Map<String, Object> described = new LinkedHashMap<>();
		described.put("serviceId", service.serviceId().toHexString());
		Map<String, Object> connections = new LinkedHashMap<>();
		connections.put("open", service.openConnections());
		connections.put("checkedOut", service.connectionsInUse());
		connections.put("pastLeakThreshold", service.connectionsPastLeakThreshold());
		described.put("connections", connections);
		Map<String, Object> commands = new LinkedHashMap<>();
		commands.put("succeeded", service.commandsSucceeded());
		commands.put("failed", service.commandsFailed());
		described.put("commands", commands);
		described.put("poolClears", service.poolClears());
		described.put("lastPoolClear", time(service.lastPoolClear()));
		described.put("leaksReported", service.pinnedConnectionLeaks());
		described.put("lastError", CredentialMasking.maskNullable(service.lastError()));
		described.put("lastErrorAt", time(service.lastErrorAt()));
		described.put("firstSeen", time(service.firstSeen()));
		described.put("lastSeen", time(service.lastSeen()));
		return described;
	}

	private static List<Map<String, Object>> events(List<LoadBalancedEvent> events) {
		List<Map<String, Object>> described = new ArrayList<>(events.size());
		for (LoadBalancedEvent event : events) {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("time", time(event.time()));
			entry.put("type", event.type().name());
			entry.put("serviceId", (event.serviceId() != null) ? event.serviceId().toHexString() : null);
			entry.put("description", CredentialMasking.mask(event.description()));
			described.add(entry);
		}
		return described;
	}

	private static List<Map<String, Object>> leaks(List<PinnedConnectionLeak> leaks) {
		List<Map<String, Object>> described = new ArrayList<>(leaks.size());
		for (PinnedConnectionLeak leak : leaks) {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("serviceId", leak.serviceId().toHexString());
			entry.put("connectionId", leak.connectionId());
			entry.put("commandName", CredentialMasking.mask(leak.commandName()));
			entry.put("database", leak.database());
			entry.put("collection", CredentialMasking.maskNullable(leak.collection()));
			entry.put("checkedOutAt", time(leak.checkedOutAt()));
			entry.put("reportedAt", time(leak.reportedAt()));
			entry.put("checkedOutForMillis", leak.checkedOutFor().toMillis());
			described.add(entry);
		}
		return described;
	}

	private @Nullable LoadBalancedEventPublisher publisherOf(LoadBalancedTopology topology) {
		for (LoadBalancedEventPublisher publisher : this.publishers) {
			if (publisher.getTopology() == topology) {
				return publisher;
			}
		}
		return null;
	}

	private static @Nullable String time(@Nullable Instant instant) {
		return (instant != null) ? instant.toString() : null;
	}

}
