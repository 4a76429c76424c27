package io.mongolb.autoconfigure;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.jspecify.annotations.Nullable;

/**
 * Every {@code MongoClient} the starter's customizer has customized, synchronous or
 * reactive, in the order they were built, each with its own decision and topology model
 * ({@link LoadBalancedClient}). The first load-balanced client feeds the
 * {@link LoadBalancedTopology} bean (the one the meters, the application events and the
 * driver observations use); each further load-balanced client gets a model of its own, so
 * that nothing mixes. A client is named by its bean name (a client built outside a bean
 * definition gets {@code client-1}, {@code client-2}, ...).
 *
 * @since 0.1.0
 */
public class LoadBalancedClients {

	// The client beans being created on this thread: the customizer runs inside their
	// factory methods, so the innermost one is the bean its builder is for.
	private static final ThreadLocal<Deque<Creation>> creations = ThreadLocal.withInitial(ArrayDeque::new);

	private final LoadBalancedTopology primary;

	private final Supplier<LoadBalancedTopology> topologyFactory;

	private final List<LoadBalancedClient> clients = new CopyOnWriteArrayList<>();

	private final AtomicInteger unnamed = new AtomicInteger();

	private boolean primaryTaken;

	/**
	 * Create the registry.
	 * @param primary the model of the first load-balanced client
	 * @param topologyFactory creates the model of each further load-balanced client
	 */
	public LoadBalancedClients(LoadBalancedTopology primary, Supplier<LoadBalancedTopology> topologyFactory) {
		this.primary = primary;
		this.topologyFactory = topologyFactory;
	}

	/**
	 * Every client seen, load-balanced or not, in the order they were built.
	 * @return the clients
	 */
	public List<LoadBalancedClient> getClients() {
		return List.copyOf(this.clients);
	}

	/**
	 * The load-balanced clients, in the order they were built.
	 * @return the clients in load-balanced mode
	 */
	public List<LoadBalancedClient> getLoadBalancedClients() {
		return this.clients.stream().filter(LoadBalancedClient::isLoadBalanced).toList();
	}

	/**
	 * The topology model of each load-balanced client, by client name.
	 * @return the models, in the order the clients were built
	 */
	public Map<String, LoadBalancedTopology> getTopologies() {
		Map<String, LoadBalancedTopology> topologies = new LinkedHashMap<>();
		for (LoadBalancedClient client : this.clients) {
			LoadBalancedTopology topology = client.getTopology();
			if (client.isLoadBalanced() && topology != null) {
				topologies.put(client.getName(), topology);
			}
		}
		return topologies;
	}

	/**
	 * The client of the given name.
	 * @param name the client's bean name
	 * @return the client, or {@code null} when no client of that name was customized
	 */
	public @Nullable LoadBalancedClient getClient(String name) {
		for (LoadBalancedClient client : this.clients) {
			if (client.getName().equals(name)) {
				return client;
			}
		}
		return null;
	}

	/**
	 * Every distinct topology model: the primary one and each client's own, for the
	 * starter's periodic work.
	 * @return the models, the primary first
	 */
	public List<LoadBalancedTopology> allTopologies() {
		Set<LoadBalancedTopology> seen = Collections.newSetFromMap(new IdentityHashMap<>());
		List<LoadBalancedTopology> all = new ArrayList<>();
		seen.add(this.primary);
		all.add(this.primary);
		for (LoadBalancedClient client : this.clients) {
			LoadBalancedTopology topology = client.getTopology();
			if (topology != null && seen.add(topology)) {
				all.add(topology);
			}
		}
		return all;
	}

	/**
	 * Record the client whose builder is being customized, named after the client bean
	 * being created on this thread.
	 * @param mode the decision taken for it
	 * @return its entry, with its own topology model when the decision is active
	 */
	LoadBalancedClient register(LoadBalancedMode mode) {
		Deque<Creation> stack = creations.get();
		Creation creation = stack.peek();
		if (creation == null) {
			// Not inside a client bean's creation: keep no state on this thread.
			creations.remove();
		}
		String name = uniqueName((creation != null) ? creation.beanName : "client-" + this.unnamed.incrementAndGet());
		LoadBalancedClient client = new LoadBalancedClient(name, mode, mode.active() ? nextTopology() : null, null);
		this.clients.add(client);
		if (creation != null) {
			creation.clients.add(client);
		}
		return client;
	}

	private synchronized LoadBalancedTopology nextTopology() {
		if (!this.primaryTaken) {
			this.primaryTaken = true;
			return this.primary;
		}
		return this.topologyFactory.get();
	}

	private String uniqueName(String name) {
		String unique = name;
		for (int i = 2; getClient(unique) != null; i++) {
			unique = name + "#" + i;
		}
		return unique;
	}

	/**
	 * A client bean is about to be created on this thread.
	 * @param beanName its name
	 */
	static void creating(String beanName) {
		creations.get().push(new Creation(beanName));
	}

	/**
	 * A client bean was created on this thread: its entries get the client.
	 * @param beanName its name
	 * @param mongoClient the client
	 */
	static void created(String beanName, Object mongoClient) {
		Deque<Creation> stack = creations.get();
		while (!stack.isEmpty()) {
			Creation creation = stack.pop();
			if (creation.beanName.equals(beanName)) {
				creation.clients.forEach((client) -> client.setMongoClient(mongoClient));
				break;
			}
		}
		if (stack.isEmpty()) {
			creations.remove();
		}
	}

	private static final class Creation {

		private final String beanName;

		private final List<LoadBalancedClient> clients = new ArrayList<>(1);

		Creation(String beanName) {
			this.beanName = beanName;
		}

	}

}
