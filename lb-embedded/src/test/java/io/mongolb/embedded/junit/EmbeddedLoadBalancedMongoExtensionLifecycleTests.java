package io.mongolb.embedded.junit;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.EventConditions;
import org.junit.platform.testkit.engine.TestExecutionResultConditions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs {@link EmbeddedLoadBalancedMongoExtensionTests} with the JUnit Platform test kit
 * and checks that its cluster was closed once the class finished.
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
	void perMethodClustersAreClosedAfterTheirMethod() {
		EmbeddedLoadBalancedMongoPerMethodTests.seen.clear();
		EngineTestKit.engine("junit-jupiter")
			.selectors(DiscoverySelectors.selectClass(EmbeddedLoadBalancedMongoPerMethodTests.class))
			.execute()
			.testEvents()
			.assertStatistics((stats) -> stats.succeeded(5).failed(0));
		List<EmbeddedLoadBalancedMongo> seen = List.copyOf(EmbeddedLoadBalancedMongoPerMethodTests.seen);
		assertThat(seen).hasSize(5).doesNotHaveDuplicates();
		assertThat(seen).allSatisfy((mongo) -> assertThat(mongo.isRunning()).isFalse());
	}

	@Test
	void perMethodClusterInAStaticFieldFailsTheClassNamingTheField() {
		EngineTestKit.engine("junit-jupiter")
			.configurationParameter(OnlyThroughTheTestKit.PARAMETER, "true")
			.selectors(DiscoverySelectors.selectClass(PerMethodInAStaticField.class))
			.execute()
			.containerEvents()
			.assertThatEvents()
			.haveExactly(1, EventConditions.finishedWithFailure(
					TestExecutionResultConditions.instanceOf(ExtensionConfigurationException.class),
					TestExecutionResultConditions.message("@EmbeddedLoadBalancedMongoTest(lifecycle = PER_METHOD) on "
							+ PerMethodInAStaticField.class.getName() + " cannot inject static field 'mongo' of "
							+ PerMethodInAStaticField.class.getName() + ": make it an instance field or a parameter")));
	}

	@Test
	void invalidAttributeFailsTheClassNamingTheClassAndTheOption() {
		EngineTestKit.engine("junit-jupiter")
			.configurationParameter(OnlyThroughTheTestKit.PARAMETER, "true")
			.selectors(DiscoverySelectors.selectClass(InvalidFronts.class))
			.execute()
			.containerEvents()
			.assertThatEvents()
			.haveExactly(1,
					EventConditions.finishedWithFailure(
							TestExecutionResultConditions.instanceOf(ExtensionConfigurationException.class),
							TestExecutionResultConditions.message("Invalid @EmbeddedLoadBalancedMongoTest on "
									+ InvalidFronts.class.getName() + ": fronts must be at least 1, was 0")));
	}

	@Test
	void balancerOverAFrontThatDoesNotExistFailsTheClassNamingTheClassAndTheFront() {
		EngineTestKit.engine("junit-jupiter")
			.configurationParameter(OnlyThroughTheTestKit.PARAMETER, "true")
			.selectors(DiscoverySelectors.selectClass(BalancerOverAMissingFront.class))
			.execute()
			.containerEvents()
			.assertThatEvents()
			.haveExactly(1, EventConditions.finishedWithFailure(
					TestExecutionResultConditions.instanceOf(ExtensionConfigurationException.class),
					TestExecutionResultConditions.message("Invalid @EmbeddedLoadBalancedMongoTest on "
							+ BalancerOverAMissingFront.class.getName() + ": Cannot put a balancer over fronts [0, 2]: "
							+ "there is no front 2 (the fronts are numbered from 0 to 1)")));
	}

	@Test
	void injectingOneOfTwoBalancersFailsNamingTheParameterAndTheWayOut() {
		TwoBalancers.seen = null;
		EngineTestKit.engine("junit-jupiter")
			.configurationParameter(OnlyThroughTheTestKit.PARAMETER, "true")
			.selectors(DiscoverySelectors.selectClass(TwoBalancers.class))
			.execute()
			.testEvents()
			.assertThatEvents()
			.haveExactly(1, EventConditions.finishedWithFailure(TestExecutionResultConditions
				.message((message) -> message.contains("declares 2 balancers") && message.contains("getBalancers()"))))
			.haveExactly(1, EventConditions.finishedSuccessfully());
		assertThat(TwoBalancers.seen).isNotNull();
		assertThat(TwoBalancers.seen.isRunning()).isFalse();
	}

	/**
	 * Fails on purpose: run only through the test kit.
	 */
	@ExtendWith(OnlyThroughTheTestKit.class)
	@EmbeddedLoadBalancedMongoTest(fronts = 2, balancers = @EmbeddedLoadBalancedMongoTest.Balancer(fronts = { 0, 2 }))
	static class BalancerOverAMissingFront {

		@Test
		void neverRuns(EmbeddedLoadBalancedMongo mongo) {
		}

	}

	/**
	 * One test fails on purpose: run only through the test kit.
	 */
	@ExtendWith(OnlyThroughTheTestKit.class)
	@EmbeddedLoadBalancedMongoTest(fronts = 2, balancers = { @EmbeddedLoadBalancedMongoTest.Balancer(fronts = 0),
			@EmbeddedLoadBalancedMongoTest.Balancer(fronts = 1) })
	static class TwoBalancers {

		static EmbeddedLoadBalancedMongo seen;

		@Test
		void bothAreThere(EmbeddedLoadBalancedMongo mongo) {
			seen = mongo;
			assertThat(mongo.getBalancers()).hasSize(2);
			assertThat(mongo.getBalancers().get(1).getFronts()).containsExactly(1);
		}

		@Test
		void oneCannotBeInjected(io.mongolb.embedded.server.EmbeddedBalancer balancer) {
		}

	}

	/**
	 * Fails on purpose: run only through the test kit.
	 */
	@ExtendWith(OnlyThroughTheTestKit.class)
	@EmbeddedLoadBalancedMongoTest(fronts = 0)
	static class InvalidFronts {

		@Test
		void neverRuns(EmbeddedLoadBalancedMongo mongo) {
		}

	}

	/**
	 * Fails on purpose: run only through the test kit.
	 */
	@ExtendWith(OnlyThroughTheTestKit.class)
	@EmbeddedLoadBalancedMongoTest(lifecycle = EmbeddedLoadBalancedMongoTest.Lifecycle.PER_METHOD)
	static class PerMethodInAStaticField {

		static EmbeddedLoadBalancedMongo mongo;

		@Test
		void neverRuns() {
		}

	}

	/**
	 * Disables a class unless the test kit runs it with {@link #PARAMETER} set (e.g. when
	 * {@code -Dtest=} selects it).
	 */
	static class OnlyThroughTheTestKit implements ExecutionCondition {

		static final String PARAMETER = "mongolb.test-kit";

		@Override
		public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
			return context.getConfigurationParameter(PARAMETER).isPresent()
					? ConditionEvaluationResult.enabled("run by the test kit")
					: ConditionEvaluationResult.disabled("fails on purpose; run by "
							+ EmbeddedLoadBalancedMongoExtensionLifecycleTests.class.getSimpleName());
		}

	}

}
