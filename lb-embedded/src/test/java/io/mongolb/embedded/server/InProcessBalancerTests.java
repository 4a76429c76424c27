package io.mongolb.embedded.server;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.mongolb.embedded.proxy.ProxyProtocolVersion;
import io.mongolb.embedded.support.LoadBalancedScenario;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The load-balanced scenario through the in-process PROXY-protocol balancer, v1 and v2.
 */
class InProcessBalancerTests {

	@ParameterizedTest
	@EnumSource(ProxyProtocolVersion.class)
	void loadBalancedDriverWorksThroughTheInProcessBalancer(ProxyProtocolVersion version) {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder()
			.fronts(2)
			.proxyProtocol(version)
			.start()) {
			assertThat(mongo.getProxyProtocol()).isEqualTo(version);
			assertThat(mongo.getServiceIds()).doesNotContainNull().doesNotHaveDuplicates().hasSize(2);
			LoadBalancedScenario.run(mongo.getConnectionString(), mongo.getServiceIds());
		}
	}

}
