package io.mongolb.embedded.server;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.mongolb.embedded.proxy.ProxyProtocolBalancer;

/**
 * An additional in-process balancer of an {@link EmbeddedLoadBalancedMongo}, in front of
 * chosen fronts over the same store: driver test suites need one connection string that
 * reaches exactly one mongos and another that reaches several, over the same data.
 * Created with {@link EmbeddedLoadBalancedMongo#addBalancer(int...)}; closed with
 * {@link #close()} or with the cluster. <pre class="code">
 * EmbeddedBalancer single = mongo.addBalancer(0);
 * MongoClient one = MongoClients.create(single.getConnectionString()); // front 0 only
 * MongoClient all = MongoClients.create(mongo.getConnectionString()); // every front
 * </pre>
 *
 * @since 0.1.0
 */
public final class EmbeddedBalancer implements AutoCloseable {

	/**
	 * Whether the fronts' load-balancer ports speak TLS (the connection string says so).
	 */
	private final boolean tls;

	private final ProxyProtocolBalancer balancer;

	private final List<Integer> fronts;

	private final String host;

	private final String database;

	private volatile boolean running = true;

	EmbeddedBalancer(ProxyProtocolBalancer balancer, List<Integer> fronts, String host, String database, boolean tls) {
		this.tls = tls;
		this.balancer = balancer;
		this.fronts = List.copyOf(fronts);
		this.host = host;
		this.database = database;
	}

	/**
	 * Returns the indexes of the fronts behind this balancer, in round-robin order.
	 * @return the front indexes
	 * @since 0.1.0
	 */
	public List<Integer> getFronts() {
		return this.fronts;
	}

	/**
	 * Returns the host the balancer listens on.
	 * @return {@code 127.0.0.1}
	 * @since 0.1.0
	 */
	public String getHost() {
		return this.host;
	}

	/**
	 * Returns the port the balancer listens on.
	 * @return the port
	 * @throws IllegalStateException if it is closed
	 * @since 0.1.0
	 */
	public int getPort() {
		if (!this.running) {
			throw new IllegalStateException("The balancer over fronts " + this.fronts + " is closed");
		}
		return this.balancer.getPort();
	}

	/**
	 * Returns the connection string of this balancer, with {@code loadBalanced=true} and
	 * the cluster's database, e.g.
	 * {@code mongodb://127.0.0.1:40125/test?loadBalanced=true}.
	 * @return the connection string for a load-balanced driver
	 * @throws IllegalStateException if it is closed
	 * @since 0.1.0
	 */
	public String getConnectionString() {
		return getConnectionString(this.database);
	}

	/**
	 * Returns the connection string of this balancer with another database name.
	 * @param database a MongoDB database name
	 * @return the connection string for a load-balanced driver
	 * @throws IllegalArgumentException if the name is not a valid database name
	 * @throws IllegalStateException if it is closed
	 * @since 0.1.0
	 */
	public String getConnectionString(String database) {
		String path = URLEncoder.encode(EmbeddedLoadBalancedMongoSettings.requireDatabaseName(database),
				StandardCharsets.UTF_8);
		return "mongodb://" + this.host + ":" + getPort() + "/" + path + "?loadBalanced=true"
				+ (this.tls ? "&tls=true" : "");
	}

	/**
	 * Returns whether the balancer accepts connections.
	 * @return {@code false} once it or its cluster is closed
	 * @since 0.1.0
	 */
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Stops listening and closes the connections relayed by this balancer; the fronts and
	 * the cluster's other balancers go on. The listening socket is released when the
	 * cluster's I/O thread next selects, an instant after this returns. Idempotent.
	 * @since 0.1.0
	 */
	@Override
	public synchronized void close() {
		if (this.running) {
			this.running = false;
			this.balancer.close();
		}
	}

	/**
	 * Returns a short description: the fronts and whether it is running.
	 * @return the description
	 * @since 0.1.0
	 */
	@Override
	public String toString() {
		return "EmbeddedBalancer(fronts=" + this.fronts + ", running=" + this.running + ")";
	}

}
