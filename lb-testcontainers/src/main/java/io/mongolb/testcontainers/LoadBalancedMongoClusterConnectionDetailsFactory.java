package io.mongolb.testcontainers;

import com.mongodb.ConnectionString;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.testcontainers.service.connection.ContainerConnectionDetailsFactory;
import org.springframework.boot.testcontainers.service.connection.ContainerConnectionSource;

/**
 * Spring Boot's {@code @ServiceConnection} for a {@link LoadBalancedMongoCluster}: the
 * {@link MongoConnectionDetails} of its balancer, {@code ...?loadBalanced=true}, from
 * which Spring Boot builds the client and the starter applies its rules, topology model,
 * health and meters. Any connection name is accepted (the one given in
 * {@code @ServiceConnection(name = ...)}, or the one deduced from the image), as the
 * container's type alone says that it is a MongoDB cluster.
 *
 */
class LoadBalancedMongoClusterConnectionDetailsFactory
		extends ContainerConnectionDetailsFactory<LoadBalancedMongoCluster, MongoConnectionDetails> {

	LoadBalancedMongoClusterConnectionDetailsFactory() {
		super(ANY_CONNECTION_NAME, "com.mongodb.ConnectionString");
	}

	@Override
	protected MongoConnectionDetails getContainerConnectionDetails(
			ContainerConnectionSource<LoadBalancedMongoCluster> source) {
		return new LoadBalancedMongoClusterConnectionDetails(source);
	}

	/**
	 * The connection details, read from the cluster once it is started.
	 */
	static final class LoadBalancedMongoClusterConnectionDetails
			extends ContainerConnectionDetails<LoadBalancedMongoCluster> implements MongoConnectionDetails {

		private LoadBalancedMongoClusterConnectionDetails(ContainerConnectionSource<LoadBalancedMongoCluster> source) {
			super(source);
		}

		@Override
		public ConnectionString getConnectionString() {
			return new ConnectionString(getContainer().getConnectionString());
		}

		@Override
		public @Nullable SslBundle getSslBundle() {
			// An @Ssl annotation on the field, as for Spring Boot's own containers; the
			// cluster itself runs without TLS.
			return super.getSslBundle();
		}

	}

}
