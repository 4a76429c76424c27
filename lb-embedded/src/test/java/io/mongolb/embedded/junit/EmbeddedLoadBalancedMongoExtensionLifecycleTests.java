package io.mongolb.embedded.junit;

import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineTestKit;

import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

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

	@Test
	void invalidAttributeFailsTheClassNamingTheClassAndTheOption() {
		EngineTestKit.engine("junit-jupiter")
			.selectors(DiscoverySelectors.selectClass(InvalidFronts.class))
			.execute()
			.containerEvents()
			.assertThatEvents()
			.haveExactly(1,
					finishedWithFailure(instanceOf(ExtensionConfigurationException.class),
							message("Invalid @EmbeddedLoadBalancedMongoTest on " + InvalidFronts.class.getName()
									+ ": fronts must be at least 1, was 0")));
	}

	/**
	 * Run only through the test kit (the build does not run nested classes on their own).
	 */
	@EmbeddedLoadBalancedMongoTest(fronts = 0)
	static class InvalidFronts {

		@Test
		void neverRuns(EmbeddedLoadBalancedMongo mongo) {
		}

	}

}
