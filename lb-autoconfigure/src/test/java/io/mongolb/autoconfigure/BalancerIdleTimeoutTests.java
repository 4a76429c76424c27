package io.mongolb.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.event.ConnectionPoolCreatedEvent;
import com.mongodb.event.ConnectionPoolListener;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.Ordered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code mongodb.load-balanced.balancer.idle-timeout}: the pool's maximum idle time, as
 * the real driver's pool reports it in its {@code ConnectionPoolCreatedEvent}, against
 * the embedded server.
 */
@ExtendWith(OutputCaptureExtension.class)
class BalancerIdleTimeoutTests {

	private static final String PROPERTY = "mongodb.load-balanced.balancer.idle-timeout";

	private static EmbeddedLoadBalancedMongo mongo;

	private final List<Long> poolIdleTimes = new CopyOnWriteArrayList<>();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(MongoAutoConfiguration.class, LoadBalancedMongoAutoConfiguration.class))
		.withBean("poolSettingsRecorder", MongoClientSettingsBuilderCustomizer.class, () -> (builder) -> builder
			.applyToConnectionPoolSettings((pool) -> pool.addConnectionPoolListener(new ConnectionPoolListener() {
				@Override
				public void connectionPoolCreated(ConnectionPoolCreatedEvent event) {
					BalancerIdleTimeoutTests.this.poolIdleTimes
						.add(event.getSettings().getMaxConnectionIdleTime(TimeUnit.MILLISECONDS));
				}
			})));

	@BeforeAll
	static void startMongo() {
		mongo = EmbeddedLoadBalancedMongo.builder().fronts(1).start();
	}

	@AfterAll
	static void stopMongo() {
		mongo.close();
	}

	@Test
	void unsetLeavesThePoolAsItIsAndSaysNothing(CapturedOutput output) {
		this.runner.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString()).run((context) -> {
			ping(context.getBean(MongoClient.class));
			await().untilAsserted(() -> assertThat(this.poolIdleTimes).containsExactly(0L));
			assertThat(output).doesNotContain(PROPERTY);
		});
	}

	@Test
	void aDeclaredIdleTimeoutGivesAPoolWithoutAMaximumIdleTime80PercentOfItWithOneInfoLine(CapturedOutput output) {
		this.runner.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString(), PROPERTY + "=350s")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ping(context.getBean(MongoClient.class));
				await().untilAsserted(() -> assertThat(this.poolIdleTimes).containsExactly(280_000L));
				assertThat(output).containsOnlyOnce("MongoClient 'mongo': the pool's maximum idle time (maxIdleTimeMS)"
						+ " was unset; set to 280000 ms, 80% of " + PROPERTY + " (PT5M50S)");
				assertThat(output).doesNotContain("but the pool keeps idle connections");
			});
	}

	@Test
	void aMaximumIdleTimeBelowTheIdleTimeoutIsKeptWithoutAWord(CapturedOutput output) {
		this.runner
			.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString("app") + "&maxIdleTimeMS=300000",
					PROPERTY + "=350s")
			.run((context) -> {
				ping(context.getBean(MongoClient.class));
				await().untilAsserted(() -> assertThat(this.poolIdleTimes).containsExactly(300_000L));
				assertThat(output).doesNotContain(PROPERTY);
			});
	}

	@Test
	void aMaximumIdleTimeNotBelowTheIdleTimeoutIsKeptWithOneWarningNamingBothValues(CapturedOutput output) {
		this.runner
			.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString("app") + "&maxIdleTimeMS=600000",
					PROPERTY + "=350s")
			.run((context) -> {
				ping(context.getBean(MongoClient.class));
				await().untilAsserted(() -> assertThat(this.poolIdleTimes).containsExactly(600_000L));
				await().untilAsserted(() -> assertThat(output).containsOnlyOnce("but the pool keeps idle connections"));
				assertThat(output)
					.contains("MongoClient 'mongo': " + PROPERTY
							+ " is PT5M50S (350000 ms), but the pool keeps idle connections for 600000 ms: the balancer"
							+ " closes them first")
					.contains("Set maxIdleTimeMS below 350000 (for example 280000) in the connection string");
			});
	}

	@Test
	void aLaterCustomizerThatRemovesTheMaximumIdleTimeIsCaughtFromThePoolItself(CapturedOutput output) {
		this.runner.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString(), PROPERTY + "=2s")
			.withBean("lateCustomizer", LateCustomizer.class, LateCustomizer::new)
			.run((context) -> {
				ping(context.getBean(MongoClient.class));
				// The starter applied 1600 ms; the later customizer set it back to 0.
				assertThat(output).contains("set to 1600 ms, 80% of " + PROPERTY + " (PT2S)");
				await().untilAsserted(() -> assertThat(this.poolIdleTimes).containsExactly(0L));
				await().untilAsserted(() -> assertThat(output)
					.containsOnlyOnce("but the pool keeps idle connections" + " for 0 ms (no limit)"));
				ping(context.getBean(MongoClient.class));
				assertThat(output).containsOnlyOnce("but the pool keeps idle connections");
			});
	}

	@Test
	void aNonPositiveIdleTimeoutFailsStartUpNamingTheProperty() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString(), PROPERTY + "=0s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessageContaining("must be a positive duration such as 350s"));
	}

	@Test
	void theDefaultIsFourFifthsOfTheIdleTimeout() {
		assertThat(LoadBalancedMongoClientSettingsBuilderCustomizer.defaultMaxConnectionIdleTime(Duration.ofHours(1)))
			.isEqualTo(Duration.ofMinutes(48));
		assertThat(LoadBalancedMongoClientSettingsBuilderCustomizer.defaultMaxConnectionIdleTime(Duration.ofMillis(1)))
			.isEqualTo(Duration.ofMillis(1));
	}

	private static void ping(MongoClient client) {
		client.getDatabase("admin").runCommand(new Document("ping", 1));
	}

	/**
	 * An application customizer that runs after the starter's and removes the maximum
	 * idle time.
	 */
	static class LateCustomizer implements MongoClientSettingsBuilderCustomizer, Ordered {

		@Override
		public void customize(MongoClientSettings.Builder builder) {
			builder.applyToConnectionPoolSettings((pool) -> pool.maxConnectionIdleTime(0, TimeUnit.MILLISECONDS));
		}

		@Override
		public int getOrder() {
			return LoadBalancedMongoClientSettingsBuilderCustomizer.ORDER + 100;
		}

	}

}
