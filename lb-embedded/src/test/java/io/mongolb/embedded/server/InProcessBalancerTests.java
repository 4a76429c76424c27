package io.mongolb.embedded.server;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest;
import io.mongolb.embedded.proxy.ProxyProtocolVersion;
import io.mongolb.embedded.support.LoadBalancedScenario;
import org.bson.Document;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load-balanced scenario through the in-process PROXY-protocol balancer, v1 and v2
 * (one cluster each): the fronts receive the header version the balancer is set to write,
 * and only that one.
 */
class InProcessBalancerTests {

	private static void assertScenario(EmbeddedLoadBalancedMongo mongo, ProxyProtocolVersion version) {
		assertThat(mongo.getProxyProtocol()).isEqualTo(version);
		assertThat(mongo.getServiceIds()).doesNotContainNull().doesNotHaveDuplicates().hasSize(2);
		LoadBalancedScenario.run(mongo.getConnectionString(), mongo.getServiceIds());
		for (int front = 0; front < 2; front++) {
			ProxyHeaderCounts received = mongo.getProxyHeaderCounts(front);
			// The scenario reaches both fronts, so both received headers, all of the
			// configured version.
			assertThat(received.total()).as("headers received by front %d", front).isPositive();
			assertThat((version == ProxyProtocolVersion.V1) ? received.v1() : received.v2())
				.as("%s headers received by front %d", version, front)
				.isEqualTo(received.total());
			assertThat(received.v2Local()).isZero();
			assertThat(proxyHeadersInServerStatus(mongo, front)).containsEntry("v1", received.v1())
				.containsEntry("v2", received.v2())
				.containsEntry("v2Local", received.v2Local());
		}
	}

	private static Document proxyHeadersInServerStatus(EmbeddedLoadBalancedMongo mongo, int front) {
		try (MongoClient admin = MongoClients.create(mongo.getFrontConnectionString(front))) {
			return admin.getDatabase("admin")
				.runCommand(new Document("serverStatus", 1))
				.get("mongolbEmbedded", Document.class)
				.get("proxyHeaders", Document.class);
		}
	}

	@Nested
	@EmbeddedLoadBalancedMongoTest(fronts = 2, proxyProtocol = ProxyProtocolVersion.V1)
	class V1 {

		@Test
		void loadBalancedDriverWorksThroughTheInProcessBalancer(EmbeddedLoadBalancedMongo mongo) {
			assertScenario(mongo, ProxyProtocolVersion.V1);
		}

	}

	@Nested
	@EmbeddedLoadBalancedMongoTest(fronts = 2, proxyProtocol = ProxyProtocolVersion.V2)
	class V2 {

		@Test
		void loadBalancedDriverWorksThroughTheInProcessBalancer(EmbeddedLoadBalancedMongo mongo) {
			assertScenario(mongo, ProxyProtocolVersion.V2);
		}

	}

}
