package io.mongolb.embedded.autoconfigure;

import com.mongodb.ConnectionString;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.boot.ssl.SslBundle;

/**
 * {@link MongoConnectionDetails} for the embedded cluster's balancer, in load-balanced
 * mode, naming the database of the cluster's settings
 * ({@code mongodb.load-balanced.embedded.database}, {@code test} by default).
 */
final class EmbeddedMongoConnectionDetails implements MongoConnectionDetails {

	private final EmbeddedLoadBalancedMongo mongo;

	private final @Nullable SslBundle sslBundle;

	EmbeddedMongoConnectionDetails(EmbeddedLoadBalancedMongo mongo) {
		this(mongo, null);
	}

	EmbeddedMongoConnectionDetails(EmbeddedLoadBalancedMongo mongo, @Nullable SslBundle sslBundle) {
		this.mongo = mongo;
		this.sslBundle = sslBundle;
	}

	@Override
	public ConnectionString getConnectionString() {
		return new ConnectionString(this.mongo.getConnectionString());
	}

	/*
	 * The bundle of the TLS load-balancer ports, whose trust material the client uses.
	 */
	@Override
	public @Nullable SslBundle getSslBundle() {
		return this.sslBundle;
	}

}
