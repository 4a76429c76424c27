package io.mongolb.benchmarks.endtoend;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.connection.ClusterConnectionMode;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mongolb.autoconfigure.LoadBalancedMongoClientSettingsBuilderCustomizer;
import io.mongolb.autoconfigure.metrics.LoadBalancedMeterBinder;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.Document;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A find-by-{@code _id} loop through the embedded load-balanced MongoDB (two fronts
 * behind the in-process PROXY-protocol balancer), with the bare driver and with a client
 * configured as the starter configures it: its customizer applied to settings built from
 * the connection string (the topology's cluster, server, command and connection-pool
 * listeners), and the per-service meters bound to a {@link SimpleMeterRegistry}.
 *
 * @since 0.1.0
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(3)
@State(Scope.Benchmark)
public class FindByIdBenchmark {

	private static final int DOCUMENTS = 1000;

	/**
	 * Which client: {@code driver} ({@code MongoClients.create(connectionString)}) or
	 * {@code starter} (the starter's listeners and meters).
	 */
	@Param({ "driver", "starter" })
	public String client;

	private EmbeddedLoadBalancedMongo mongo;

	private MongoClient mongoClient;

	private MongoCollection<Document> orders;

	private @Nullable LoadBalancedTopology topology;

	private @Nullable SimpleMeterRegistry registry;

	private int next;

	/**
	 * Start the embedded cluster, create the client and insert the documents to find.
	 */
	@Setup(Level.Trial)
	public void start() {
		this.mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).start();
		String connectionString = this.mongo.getConnectionString();
		this.mongoClient = switch (this.client) {
			case "driver" -> MongoClients.create(connectionString);
			case "starter" -> MongoClients.create(starterSettings(connectionString));
			default ->
				throw new IllegalArgumentException("Unknown client '" + this.client + "': use driver or starter");
		};
		this.orders = this.mongoClient.getDatabase("shop").getCollection("orders");
		List<Document> documents = new ArrayList<>(DOCUMENTS);
		for (int i = 0; i < DOCUMENTS; i++) {
			documents.add(new Document("_id", i).append("item", "book-" + i).append("quantity", i % 7));
		}
		this.orders.insertMany(documents);
	}

	private MongoClientSettings starterSettings(String connectionString) {
		this.topology = new LoadBalancedTopology(32, Duration.ofSeconds(30), 256);
		this.registry = new SimpleMeterRegistry();
		new LoadBalancedMeterBinder(this.topology).bindTo(this.registry);
		// The decision the starter takes for this connection string (loadBalanced=true).
		LoadBalancedMode mode = new LoadBalancedMode(true, "benchmark", "loadBalanced=true",
				this.mongo.getHost() + ":" + this.mongo.getBalancerPort(), connectionString,
				"the connection string has loadBalanced=true");
		// Spring Boot's standard customizer applies the connection string, then the
		// starter's.
		MongoClientSettings.Builder builder = MongoClientSettings.builder()
			.applyConnectionString(new ConnectionString(connectionString));
		new LoadBalancedMongoClientSettingsBuilderCustomizer(mode, this.topology).customize(builder);
		return builder.build();
	}

	/**
	 * Check that the client ran in load-balanced mode and, with the starter, that its
	 * model and meters saw the commands; then close the client and the cluster.
	 */
	@TearDown(Level.Trial)
	public void stop() {
		try {
			ClusterConnectionMode mode = this.mongoClient.getClusterDescription().getConnectionMode();
			require(mode == ClusterConnectionMode.LOAD_BALANCED, "the client is in " + mode + " mode");
			if (this.topology != null && this.registry != null) {
				long counted = this.topology.snapshot()
					.services()
					.stream()
					.mapToLong(ServiceSnapshot::commandsSucceeded)
					.sum();
				require(counted > 0, "the starter's model counted no command");
				long timed = this.registry.find("mongodb.lb.commands").timers().stream().mapToLong(Timer::count).sum();
				require(timed > 0, "no command reached the mongodb.lb.commands timers");
			}
		}
		finally {
			this.mongoClient.close();
			this.mongo.close();
		}
	}

	/**
	 * Find one document by its {@code _id}.
	 * @return the document found
	 */
	@Benchmark
	public Document findById() {
		int id = this.next++;
		if (this.next == DOCUMENTS) {
			this.next = 0;
		}
		Document found = this.orders.find(Filters.eq("_id", id)).first();
		if (found == null) {
			throw new IllegalStateException("No document with _id " + id);
		}
		return found;
	}

	private static void require(boolean condition, String failure) {
		if (!condition) {
			throw new IllegalStateException("Benchmark is not what it claims: " + failure);
		}
	}

}
