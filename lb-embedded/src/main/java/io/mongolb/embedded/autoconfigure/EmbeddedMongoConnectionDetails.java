package io.mongolb.embedded.autoconfigure;

import com.mongodb.ConnectionString;

import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;

import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;

/**
 * {@link MongoConnectionDetails} for the embedded cluster's balancer, in load-balanced mode.
 */
final class EmbeddedMongoConnectionDetails implements MongoConnectionDetails {

	private final EmbeddedLoadBalancedMongo mongo;

	private final String database;

	EmbeddedMongoConnectionDetails(EmbeddedLoadBalancedMongo mongo, String database) {
		this.mongo = mongo;
		this.database = database;
	}

	@Override
	public ConnectionString getConnectionString() {
		return new ConnectionString(this.mongo.getConnectionString(this.database));
	}

}
