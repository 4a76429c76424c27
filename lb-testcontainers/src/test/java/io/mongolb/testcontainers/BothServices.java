package io.mongolb.testcontainers;

import java.util.ArrayList;
import java.util.List;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.bson.Document;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reaching two mongos through a balancer: the driver reuses pooled connections and round
 * robin places only new ones, so connections must be held at once (each open cursor pins
 * one).
 */
final class BothServices {

	private BothServices() {
	}

	/**
	 * Holds cursors open until the topology has seen two services (at most 8), then
	 * closes them.
	 * @param topology the client's topology model
	 * @param collection a collection with at least two documents
	 */
	static void openCursorsUntilBothAreSeen(LoadBalancedTopology topology, MongoCollection<Document> collection) {
		List<MongoCursor<Document>> cursors = new ArrayList<>();
		try {
			for (int i = 0; i < 8 && topology.snapshot().services().size() < 2; i++) {
				MongoCursor<Document> cursor = collection.find().batchSize(1).iterator();
				cursor.next();
				cursors.add(cursor);
			}
		}
		finally {
			cursors.forEach(MongoCursor::close);
		}
		assertThat(topology.snapshot().services()).hasSize(2);
	}

}
