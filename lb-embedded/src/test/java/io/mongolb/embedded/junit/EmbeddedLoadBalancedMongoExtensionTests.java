package io.mongolb.embedded.junit;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.mongolb.embedded.proxy.ProxyProtocolVersion;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import io.mongolb.embedded.server.ProxyHeaderCounts;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The extension starts one cluster for the class, injects it into parameters and fields,
 * and shares it with a nested class that has no annotation of its own. That the cluster
 * is closed after the class is checked by
 * {@link EmbeddedLoadBalancedMongoExtensionLifecycleTests}, which runs this class with
 * the JUnit test kit.
 */
@EmbeddedLoadBalancedMongoTest(fronts = 3, proxyProtocol = ProxyProtocolVersion.V1)
class EmbeddedLoadBalancedMongoExtensionTests {

	static EmbeddedLoadBalancedMongo staticField;

	static EmbeddedLoadBalancedMongo fromBeforeAll;

	private EmbeddedLoadBalancedMongo instanceField;

	private final EmbeddedLoadBalancedMongo fromConstructor;

	EmbeddedLoadBalancedMongoExtensionTests(EmbeddedLoadBalancedMongo mongo) {
		this.fromConstructor = mongo;
	}

	@BeforeAll
	static void beforeAll(EmbeddedLoadBalancedMongo mongo) {
		fromBeforeAll = mongo;
	}

	@AfterAll
	static void afterAll() {
		EmbeddedLoadBalancedMongoExtensionLifecycleTests.started = staticField;
		assertThat(staticField.isRunning()).isTrue();
	}

	@Test
	void injectsTheSameRunningClusterEverywhere(EmbeddedLoadBalancedMongo parameter) {
		assertThat(parameter).isNotNull()
			.isSameAs(staticField)
			.isSameAs(this.instanceField)
			.isSameAs(this.fromConstructor)
			.isSameAs(fromBeforeAll);
		assertThat(parameter.isRunning()).isTrue();
		assertThat(parameter.getFrontCount()).isEqualTo(3);
		assertThat(parameter.getProxyProtocol()).isEqualTo(ProxyProtocolVersion.V1);
		assertThat(parameter.getConnectionString()).endsWith("/test?loadBalanced=true");
	}

	@Test
	void clusterServesALoadBalancedDriver(EmbeddedLoadBalancedMongo mongo) {
		try (MongoClient client = MongoClients.create(mongo.getConnectionString())) {
			assertThat(client.getDatabase("admin")
				.runCommand(new Document("ping", 1))
				.get("ok", Number.class)
				.doubleValue()).isEqualTo(1.0);
		}
		// The balancer really writes the version the annotation asks for.
		long v1 = 0;
		for (int front = 0; front < mongo.getFrontCount(); front++) {
			ProxyHeaderCounts received = mongo.getProxyHeaderCounts(front);
			assertThat(received.v2()).as("v2 headers on front %d", front).isZero();
			assertThat(received.v2Local()).as("v2 LOCAL headers on front %d", front).isZero();
			v1 += received.v1();
		}
		assertThat(v1).isPositive();
	}

	@Nested
	class NestedTests {

		@Test
		void sharesTheEnclosingCluster(EmbeddedLoadBalancedMongo mongo) {
			assertThat(mongo).isSameAs(staticField);
		}

	}

	@Nested
	@EmbeddedLoadBalancedMongoTest(fronts = 1, database = "nested")
	class NestedWithItsOwnCluster {

		@Test
		void getsItsOwnCluster(EmbeddedLoadBalancedMongo mongo) {
			assertThat(mongo).isNotSameAs(staticField);
			assertThat(mongo.getFrontCount()).isEqualTo(1);
			assertThat(mongo.getConnectionString()).endsWith("/nested?loadBalanced=true");
			// The enclosing instance, created for this nested test, keeps the enclosing
			// class's cluster.
			assertThat(EmbeddedLoadBalancedMongoExtensionTests.this.instanceField).isSameAs(staticField);
			assertThat(EmbeddedLoadBalancedMongoExtensionTests.this.fromConstructor).isSameAs(staticField);
		}

	}

}
