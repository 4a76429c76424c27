package io.mongolb.testcontainers;

import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.service.connection.ConnectionDetailsFactory;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @ServiceConnection} without a name (Spring Boot deduces {@code haproxy} from the
 * image) is accepted too, and the factory is registered where Spring Boot looks for it.
 * No Docker needed (see {@link EmbeddedBackedCluster}).
 */
@SpringBootTest(classes = ServiceConnectionDefaultNameTests.Empty.class,
		webEnvironment = SpringBootTest.WebEnvironment.NONE)
class ServiceConnectionDefaultNameTests {

	static final EmbeddedLoadBalancedMongo embedded = EmbeddedLoadBalancedMongo.builder().fronts(1).start();

	@ServiceConnection
	static final EmbeddedBackedCluster cluster = new EmbeddedBackedCluster(embedded);

	@Autowired
	private ApplicationContext context;

	@AfterAll
	static void stopEmbedded() {
		embedded.close();
	}

	@Test
	void theClusterGivesTheOnlyMongoConnectionDetails() {
		assertThat(this.context.getBeansOfType(MongoConnectionDetails.class).values()).singleElement()
			.satisfies((details) -> assertThat(details.getConnectionString().getConnectionString())
				.isEqualTo("mongodb://127.0.0.1:" + embedded.getBalancerPort() + "/?loadBalanced=true"));
	}

	@Test
	void theFactoryIsRegisteredInSpringFactories() {
		// Spring Boot's other factories need classes that are not on this class path
		// (Docker Compose support): they are left out, as Spring Boot leaves them out.
		assertThat(SpringFactoriesLoader.forDefaultResourceLocation()
			.load(ConnectionDetailsFactory.class, FailureHandler.handleMessage((message, failure) -> {
			}))).filteredOn(LoadBalancedMongoClusterConnectionDetailsFactory.class::isInstance).hasSize(1);
	}

	@Configuration(proxyBeanMethods = false)
	static class Empty {

	}

}
