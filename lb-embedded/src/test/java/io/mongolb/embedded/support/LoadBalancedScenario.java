package io.mongolb.embedded.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.connection.ClusterDescription;
import com.mongodb.connection.ClusterType;
import com.mongodb.connection.ServerDescription;
import com.mongodb.connection.ServerType;
import org.bson.Document;
import org.bson.types.ObjectId;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load-balanced scenario shared by the in-process balancer and the real HAProxy
 * tests: CRUD, a find with a small batch size and getMore, serviceIds on every command,
 * both fronts seen, the LOAD_BALANCED topology.
 */
public final class LoadBalancedScenario {

	private LoadBalancedScenario() {
	}

	public static MongoClient client(String connectionString, RecordingListener listener) {
		return client(connectionString, listener, (settings) -> {
		});
	}

	/**
	 * Returns a client like {@link #client(String, RecordingListener)}, with more
	 * settings (e.g. the TLS context that trusts a test certificate).
	 */
	public static MongoClient client(String connectionString, RecordingListener listener,
			Consumer<MongoClientSettings.Builder> customizer) {
		MongoClientSettings.Builder settings = MongoClientSettings.builder()
			.applyConnectionString(new ConnectionString(connectionString))
			.addCommandListener(listener)
			.applyToConnectionPoolSettings((pool) -> pool.addConnectionPoolListener(listener))
			.applyToClusterSettings((cluster) -> cluster.serverSelectionTimeout(5, TimeUnit.SECONDS))
			.applyToSocketSettings((socket) -> socket.connectTimeout(5, TimeUnit.SECONDS));
		customizer.accept(settings);
		return MongoClients.create(settings.build());
	}

	/**
	 * Runs the scenario through a load-balanced connection string and asserts what it
	 * must show.
	 * @param connectionString a connection string with loadBalanced=true
	 * @param expectedServiceIds the serviceIds of the fronts behind the balancer
	 */
	public static void run(String connectionString, List<ObjectId> expectedServiceIds) {
		run(connectionString, expectedServiceIds, (settings) -> {
		});
	}

	/**
	 * Runs the scenario as {@link #run(String, List)} does, with more client settings.
	 * @param connectionString a connection string with loadBalanced=true
	 * @param expectedServiceIds the serviceIds of the fronts behind the balancer
	 * @param customizer more client settings (e.g. a TLS context)
	 */
	public static void run(String connectionString, List<ObjectId> expectedServiceIds,
			Consumer<MongoClientSettings.Builder> customizer) {
		assertThat(connectionString).contains("loadBalanced=true");
		RecordingListener listener = new RecordingListener();
		try (MongoClient client = client(connectionString, listener, customizer)) {
			MongoCollection<Document> collection = client.getDatabase("scenario").getCollection("items");
			List<Document> documents = new ArrayList<>();
			for (int i = 0; i < 20; i++) {
				documents.add(new Document("_id", i).append("n", i).append("even", i % 2 == 0));
			}
			collection.insertMany(documents);
			collection.updateOne(Filters.eq("_id", 3), Updates.set("updated", true));
			collection.deleteOne(Filters.eq("_id", 19));
			assertThat(collection.countDocuments()).isEqualTo(19);
			assertThat(collection.find(Filters.eq("_id", 3)).first()).containsEntry("updated", true);

			List<Integer> seen = new ArrayList<>();
			try (MongoCursor<Document> cursor = collection.find()
				.sort(new Document("_id", 1))
				.batchSize(4)
				.iterator()) {
				cursor.forEachRemaining((document) -> seen.add(document.getInteger("_id")));
			}
			assertThat(seen).hasSize(19).startsWith(0, 1, 2).endsWith(17, 18);
			assertThat(listener.started).anySatisfy((event) -> assertThat(event.getCommandName()).isEqualTo("getMore"));

			// Several open cursors pin several connections: the balancer spreads them
			// over the fronts.
			List<MongoCursor<Document>> open = new ArrayList<>();
			try {
				for (int i = 0; i < 2 * expectedServiceIds.size() + 2; i++) {
					MongoCursor<Document> cursor = collection.find().batchSize(2).iterator();
					cursor.next();
					open.add(cursor);
				}
			}
			finally {
				open.forEach(MongoCursor::close);
			}

			ClusterDescription cluster = client.getClusterDescription();
			assertThat(cluster.getType()).isEqualTo(ClusterType.LOAD_BALANCED);
			assertThat(cluster.getServerDescriptions()).singleElement()
				.extracting(ServerDescription::getType)
				.isEqualTo(ServerType.LOAD_BALANCER);
		}
		assertThat(listener.started).isNotEmpty();
		assertThat(listener.started).allSatisfy((event) -> assertThat(event.getConnectionDescription().getServiceId())
			.as("serviceId of %s", event.getCommandName())
			.isNotNull());
		assertThat(listener.succeeded)
			.allSatisfy((event) -> assertThat(event.getConnectionDescription().getServiceId()).isNotNull());
		assertThat(listener.startedServiceIds()).allSatisfy((id) -> assertThat(expectedServiceIds).contains(id));
		assertThat(listener.startedServiceIds()).containsAll(expectedServiceIds);
		assertThat(listener.failed).extracting((event) -> event.getCommandName() + ": " + event.getThrowable())
			.isEmpty();
	}

}
