package io.mongolb.autoconfigure;

import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.jspecify.annotations.Nullable;

/**
 * One {@code MongoClient} the starter's customizer has seen (synchronous or reactive), by
 * the name of the bean it became: the decision taken for it from its own settings and,
 * when it is load-balanced, the {@link LoadBalancedTopology} that only it feeds.
 *
 * @since 0.1.0
 */
public final class LoadBalancedClient {

	private final String name;

	private final LoadBalancedMode mode;

	private final @Nullable LoadBalancedTopology topology;

	private volatile @Nullable Object mongoClient;

	/**
	 * Create an entry.
	 * @param name the client's bean name
	 * @param mode the decision taken for this client
	 * @param topology the client's own topology model, {@code null} when it is not
	 * load-balanced
	 * @param mongoClient the client itself, once it exists
	 */
	public LoadBalancedClient(String name, LoadBalancedMode mode, @Nullable LoadBalancedTopology topology,
			@Nullable Object mongoClient) {
		this.name = name;
		this.mode = mode;
		this.topology = topology;
		this.mongoClient = mongoClient;
	}

	/**
	 * The client's name: its bean name.
	 * @return the name
	 */
	public String getName() {
		return this.name;
	}

	/**
	 * The decision taken for this client from its own settings.
	 * @return the decision
	 */
	public LoadBalancedMode getMode() {
		return this.mode;
	}

	/**
	 * Whether this client runs in load-balanced mode.
	 * @return {@code true} if the starter applied load-balanced mode and its listeners
	 */
	public boolean isLoadBalanced() {
		return this.mode.active() && this.topology != null;
	}

	/**
	 * The client's own topology model.
	 * @return the model, or {@code null} when the client is not load-balanced
	 */
	public @Nullable LoadBalancedTopology getTopology() {
		return this.topology;
	}

	/**
	 * The client: a {@code com.mongodb.client.MongoClient} or a
	 * {@code com.mongodb.reactivestreams.client.MongoClient}.
	 * @return the client, or {@code null} while its bean is being created
	 */
	public @Nullable Object getMongoClient() {
		return this.mongoClient;
	}

	void setMongoClient(Object mongoClient) {
		this.mongoClient = mongoClient;
	}

	@Override
	public String toString() {
		return "MongoClient '" + this.name + "' (" + (isLoadBalanced() ? "load-balanced" : "not load-balanced") + ")";
	}

}
