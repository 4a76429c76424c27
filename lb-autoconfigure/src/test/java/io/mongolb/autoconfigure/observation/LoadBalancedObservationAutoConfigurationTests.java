package io.mongolb.autoconfigure.observation;

import com.mongodb.MongoClientSettings;
import com.mongodb.observability.ObservabilitySettings;
import com.mongodb.observability.micrometer.MicrometerObservabilitySettings;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.LoadBalancedMongoClientSettingsBuilderCustomizer;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the driver's observations are wired, and what is said when they cannot be, in real
 * Spring contexts with Spring Boot's MongoDB auto-configuration and the real driver
 * (which opens no connection in load-balanced mode until an operation runs, so no server
 * is needed).
 */
@ExtendWith(OutputCaptureExtension.class)
class LoadBalancedObservationAutoConfigurationTests {

	private static final String LB_URI = "spring.mongodb.uri=mongodb://127.0.0.1:27017/app?loadBalanced=true";

	private static final String ENABLED = "mongodb.load-balanced.observations.enabled=true";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MongoAutoConfiguration.class, LoadBalancedMongoAutoConfiguration.class,
				LoadBalancedObservationAutoConfiguration.class));

	@Test
	void setsTheDriversObservabilityToTheApplicationsRegistry() {
		TestObservationRegistry registry = TestObservationRegistry.create();
		this.runner.withBean(ObservationRegistry.class, () -> registry)
			.withPropertyValues(LB_URI, ENABLED)
			.run((context) -> {
				MicrometerObservabilitySettings settings = observabilitySettings(context);
				assertThat(settings.getObservationRegistry()).isSameAs(registry);
				assertThat(settings.getObservationConvention()).isInstanceOf(ServiceIdObservationConvention.class);
				assertThat(settings.isEnableCommandPayloadTracing()).isFalse();
			});
	}

	@Test
	void springBootsRegistryIsUsedWhenTheApplicationHasNone() {
		this.runner.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class))
			.withPropertyValues(LB_URI, ENABLED)
			.run((context) -> assertThat(observabilitySettings(context).getObservationRegistry())
				.isSameAs(context.getBean(ObservationRegistry.class)));
	}

	@Test
	void theSwitchIsReadAsTheBinderReadsABoolean() {
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.withPropertyValues(LB_URI, "mongodb.load-balanced.observations.enabled=ON")
			.run((context) -> assertThat(context).hasSingleBean(LoadBalancedObservabilityCustomizer.class));
	}

	@Test
	void offByDefault(CapturedOutput output) {
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.withPropertyValues(LB_URI)
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(LoadBalancedObservabilityCustomizer.class);
				assertThat(settings(context).getObservabilitySettings()).isNull();
			});
		assertThat(output).doesNotContain("MongoDB driver observations");
	}

	@Test
	void offWhenTheModeIsNotActive() {
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.withPropertyValues("spring.mongodb.uri=mongodb://127.0.0.1:27017/app", ENABLED)
			.run((context) -> {
				assertThat(context.getBean(LoadBalancedMode.class).active()).isFalse();
				assertThat(settings(context).getObservabilitySettings()).isNull();
			});
	}

	@Test
	void nothingWhenTheStarterIsOff(CapturedOutput output) {
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.withPropertyValues(LB_URI, ENABLED, "mongodb.load-balanced.enabled=false")
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(LoadBalancedObservabilityCustomizer.class);
				assertThat(settings(context).getObservabilitySettings()).isNull();
			});
		assertThat(output).doesNotContain("MongoDB driver observations");
	}

	@Test
	void withoutARegistryAWarningSaysWhatIsMissing(CapturedOutput output) {
		this.runner.withPropertyValues(LB_URI, ENABLED).run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(LoadBalancedObservabilityCustomizer.class);
			assertThat(settings(context).getObservabilitySettings()).isNull();
		});
		assertThat(output).containsOnlyOnce(
				"MongoDB driver observations are not wired (mongodb.load-balanced.observations.enabled=true):"
						+ " there is no ObservationRegistry bean. Add spring-boot-starter-actuator");
	}

	@Test
	void withoutMicrometerObservationAWarningSaysWhatIsMissing(CapturedOutput output) {
		this.runner.withClassLoader(new FilteredClassLoader("io.micrometer.observation"))
			.withPropertyValues(LB_URI, ENABLED)
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(LoadBalancedObservabilityCustomizer.class);
				assertThat(context).hasSingleBean(LoadBalancedTopology.class);
			});
		assertThat(output).containsOnlyOnce(
				"MongoDB driver observations are not wired (mongodb.load-balanced.observations.enabled=true):"
						+ " io.micrometer:micrometer-observation is not on the class path.");
	}

	@Test
	void anUnorderedApplicationCustomizerRunsLaterAndWins() {
		assertThat(LoadBalancedObservabilityCustomizer.ORDER)
			.isGreaterThan(LoadBalancedMongoClientSettingsBuilderCustomizer.ORDER);
		ObservationRegistry own = TestObservationRegistry.create();
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.withBean(MongoClientSettingsBuilderCustomizer.class,
					() -> (builder) -> builder.observabilitySettings(
							MicrometerObservabilitySettings.builder().observationRegistry(own).build()))
			.withPropertyValues(LB_URI, ENABLED)
			.run((context) -> {
				MicrometerObservabilitySettings settings = observabilitySettings(context);
				assertThat(settings.getObservationRegistry()).isSameAs(own);
				assertThat(settings.getObservationConvention()).isNull();
			});
	}

	@Test
	void theDriversEnvironmentSwitchIsNamedWhenItTurnsTheObservationsOff(CapturedOutput output) {
		this.runner.withBean(ObservationRegistry.class, TestObservationRegistry::create)
			.withPropertyValues(LB_URI)
			.run((context) -> {
				LoadBalancedObservabilityCustomizer customizer = new LoadBalancedObservabilityCustomizer(
						context.getBean(LoadBalancedMode.class), context.getBean(LoadBalancedTopology.class),
						context.getBean(ObservationRegistry.class),
						(name) -> "OBSERVABILITY_MONGODB_ENABLED".equals(name) ? "no" : null);
				MongoClientSettings.Builder builder = MongoClientSettings.builder();
				customizer.customize(builder);
				assertThat(builder.build().getObservabilitySettings())
					.isInstanceOf(MicrometerObservabilitySettings.class);
			});
		assertThat(output)
			.contains("the environment variable OBSERVABILITY_MONGODB_ENABLED=no turns them off"
					+ " in the driver: unset it or set it to true.")
			.doesNotContain("MongoDB driver observations wired");
	}

	private static MicrometerObservabilitySettings observabilitySettings(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed().hasSingleBean(LoadBalancedObservabilityCustomizer.class);
		ObservabilitySettings settings = settings(context).getObservabilitySettings();
		assertThat(settings).isInstanceOf(MicrometerObservabilitySettings.class);
		return (MicrometerObservabilitySettings) settings;
	}

	// The settings Spring Boot builds the client from: its customizers, in order.
	private static MongoClientSettings settings(AssertableApplicationContext context) {
		MongoClientSettings.Builder builder = MongoClientSettings.builder();
		context.getBeanProvider(MongoClientSettingsBuilderCustomizer.class)
			.orderedStream()
			.forEach((customizer) -> customizer.customize(builder));
		return builder.build();
	}

}
