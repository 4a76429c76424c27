package io.mongolb.embedded.junit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest.Lifecycle;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@link Lifecycle#PER_METHOD} each test method (and each invocation of a
 * parameterized test) gets a new cluster, the same one wherever it is injected for that
 * method. That each is closed after its method is checked by
 * {@link EmbeddedLoadBalancedMongoExtensionLifecycleTests}, which runs this class with
 * the JUnit test kit.
 */
@EmbeddedLoadBalancedMongoTest(fronts = 1, lifecycle = Lifecycle.PER_METHOD)
class EmbeddedLoadBalancedMongoPerMethodTests {

	/** The cluster of every method run, in order. */
	static final List<EmbeddedLoadBalancedMongo> seen = new CopyOnWriteArrayList<>();

	private final EmbeddedLoadBalancedMongo fromConstructor;

	private EmbeddedLoadBalancedMongo instanceField;

	private EmbeddedLoadBalancedMongo fromBeforeEach;

	EmbeddedLoadBalancedMongoPerMethodTests(EmbeddedLoadBalancedMongo mongo) {
		this.fromConstructor = mongo;
	}

	@BeforeEach
	void beforeEach(EmbeddedLoadBalancedMongo mongo) {
		this.fromBeforeEach = mongo;
	}

	@AfterEach
	void afterEach(EmbeddedLoadBalancedMongo mongo) {
		assertThat(mongo).isSameAs(this.instanceField);
		assertThat(mongo.isRunning()).isTrue();
		assertThat(seen).doesNotContain(mongo);
		seen.add(mongo);
	}

	private void assertInjectedEverywhere(EmbeddedLoadBalancedMongo parameter) {
		assertThat(parameter).isNotNull()
			.isSameAs(this.instanceField)
			.isSameAs(this.fromConstructor)
			.isSameAs(this.fromBeforeEach);
		assertThat(parameter.isRunning()).isTrue();
		// A clean cluster, whatever the method before it did to its own.
		assertThat(parameter.isFrontRunning(0)).isTrue();
		assertThat(parameter.getFrontCount()).isEqualTo(1);
	}

	@Test
	void stopsItsFront(EmbeddedLoadBalancedMongo mongo) {
		assertInjectedEverywhere(mongo);
		mongo.stopFront(0);
	}

	@Test
	void alsoStopsItsFront(EmbeddedLoadBalancedMongo mongo) {
		assertInjectedEverywhere(mongo);
		mongo.stopFront(0);
	}

	@ParameterizedTest
	@ValueSource(ints = { 1, 2 })
	void eachInvocationGetsItsOwn(int invocation, EmbeddedLoadBalancedMongo mongo) {
		assertInjectedEverywhere(mongo);
		mongo.stopFront(0);
	}

	@Nested
	class NestedTests {

		@Test
		void sharesTheClusterOfTheEnclosingInstance(EmbeddedLoadBalancedMongo mongo) {
			assertInjectedEverywhere(mongo);
			mongo.stopFront(0);
		}

	}

}
