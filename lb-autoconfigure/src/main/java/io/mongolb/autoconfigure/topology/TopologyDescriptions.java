package io.mongolb.autoconfigure.topology;

import com.mongodb.connection.ClusterDescription;
import com.mongodb.connection.ServerDescription;
import org.jspecify.annotations.Nullable;

/**
 * The latest topology and LoadBalancer server descriptions, as the SDAM listeners last
 * heard them.
 */
final class TopologyDescriptions {

	private volatile @Nullable ClusterDescription cluster;

	private volatile @Nullable ServerDescription server;

	@Nullable ClusterDescription cluster() {
		return this.cluster;
	}

	void cluster(ClusterDescription cluster) {
		this.cluster = cluster;
	}

	@Nullable ServerDescription server() {
		return this.server;
	}

	void server(ServerDescription server) {
		this.server = server;
	}

}
