package io.mongolb.autoconfigure.e2e;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.bson.Document;
import org.bson.types.ObjectId;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test help for a client behind the embedded balancer with two fronts: the driver reuses
 * pooled connections, and round robin places only new ones, so reaching both fronts takes
 * connections held at once.
 */
public final class TwoFronts {

	private TwoFronts() {
	}

	/**
	 * Hold cursors open, each pinning its own connection, until the topology has seen
	 * both fronts' services (at most 8), then close them.
	 * @param topology the client's topology model
	 * @param collection a collection with at least two documents
	 */
	public static void openCursorsUntilBothServicesAreSeen(LoadBalancedTopology topology,
			MongoCollection<Document> collection) {
		List<MongoCursor<Document>> cursors = new ArrayList<>();
		try {
			for (int i = 0; i < 8 && distinctServices(topology) < 2; i++) {
				MongoCursor<Document> cursor = collection.find().batchSize(1).iterator();
				cursor.next();
				cursors.add(cursor);
			}
		}
		finally {
			cursors.forEach(MongoCursor::close);
		}
		assertThat(distinctServices(topology)).isEqualTo(2);
	}

	/**
	 * How many services the topology has seen.
	 * @param topology the topology model
	 * @return the distinct serviceIds in its snapshot
	 */
	public static int distinctServices(LoadBalancedTopology topology) {
		Set<ObjectId> seen = new HashSet<>();
		topology.snapshot().services().forEach((service) -> seen.add(service.serviceId()));
		return seen.size();
	}

}
