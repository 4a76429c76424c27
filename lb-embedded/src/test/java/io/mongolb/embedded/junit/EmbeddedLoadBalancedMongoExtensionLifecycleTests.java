package io.mongolb.embedded.junit;

import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineTestKit;

import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs {@link EmbeddedLoadBalancedMongoExtensionTests} with the JUnit Platform test kit and checks that its cluster was
 * closed once the class finished.
 */
class EmbeddedLoadBalancedMongoExtensionLifecycleTests {

	static EmbeddedLoadBalancedMongo started;

	@Test
	void clusterIsClosedAfterTheClass() {
		started = null;
		EngineTestKit.engine("junit-jupiter")
			.selectors(DiscoverySelectors.selectClass(EmbeddedLoadBalancedMongoExtensionTests.class))
			.execute()
			.testEvents()
			.assertStatistics((stats) -> stats.succeeded(4).failed(0));
		AtomicReference<EmbeddedLoadBalancedMongo> cluster = new AtomicReference<>(started);
		assertThat(cluster.get()).isNotNull();
		assertThat(cluster.get().isRunning()).isFalse();
	}

}
