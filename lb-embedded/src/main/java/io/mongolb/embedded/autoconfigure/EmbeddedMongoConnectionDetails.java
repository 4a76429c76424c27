package io.mongolb.embedded.autoconfigure;

import com.mongodb.ConnectionString;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;

import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;

/**
 * {@link MongoConnectionDetails} for the embedded cluster's balancer, in load-balanced
 * mode, naming the database of the cluster's settings
 * ({@code mongodb.load-balanced.embedded.database}, {@code test} by default).
 */
final class EmbeddedMongoConnectionDetails implements MongoConnectionDetails {

	private final EmbeddedLoadBalancedMongo mongo;

	EmbeddedMongoConnectionDetails(EmbeddedLoadBalancedMongo mongo) {
		this.mongo = mongo;
	}

	@Override
	public ConnectionString getConnectionString() {
		return new ConnectionString(this.mongo.getConnectionString());
	}

}
