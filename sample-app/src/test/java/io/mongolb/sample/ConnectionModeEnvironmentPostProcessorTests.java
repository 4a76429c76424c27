package io.mongolb.sample;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The choice between the embedded default and a server given by the user.
 */
class ConnectionModeEnvironmentPostProcessorTests {

	private final ConnectionModeEnvironmentPostProcessor processor = new ConnectionModeEnvironmentPostProcessor();

	@Test
	void noConnectionConfiguredStartsTheEmbeddedServer() {
		StandardEnvironment environment = environment(Map.of(), Map.of());
		this.processor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("mongodb.load-balanced.embedded.enabled")).isEqualTo("true");
	}

	@Test
	void springMongodbUriSwitchesTheEmbeddedServerOff() {
		StandardEnvironment environment = environment(
				Map.of("spring.mongodb.uri", "mongodb://lb.example.net:27017/?loadBalanced=true"), Map.of());
		this.processor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("mongodb.load-balanced.embedded.enabled")).isNull();
		assertThat(
				environment.getPropertySources().contains(ConnectionModeEnvironmentPostProcessor.PROPERTY_SOURCE_NAME))
			.isFalse();
	}

	@Test
	void environmentVariableSwitchesTheEmbeddedServerOff() {
		StandardEnvironment environment = environment(Map.of(),
				Map.of("SPRING_MONGODB_URI", "mongodb://lb.example.net:27017/?loadBalanced=true"));
		this.processor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("mongodb.load-balanced.embedded.enabled")).isNull();
	}

	@Test
	void springMongodbHostSwitchesTheEmbeddedServerOff() {
		StandardEnvironment environment = environment(Map.of("spring.mongodb.host", "lb.example.net"), Map.of());
		this.processor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("mongodb.load-balanced.embedded.enabled")).isNull();
	}

	@Test
	void blankUriCountsAsUnset() {
		StandardEnvironment environment = environment(Map.of(), Map.of("SPRING_MONGODB_URI", " "));
		this.processor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("mongodb.load-balanced.embedded.enabled")).isEqualTo("true");
	}

	@Test
	void explicitEmbeddedSettingWins() {
		StandardEnvironment environment = environment(Map.of("mongodb.load-balanced.embedded.enabled", "false"),
				Map.of());
		this.processor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("mongodb.load-balanced.embedded.enabled")).isEqualTo("false");
	}

	private static StandardEnvironment environment(Map<String, Object> properties, Map<String, Object> variables) {
		StandardEnvironment environment = new StandardEnvironment();
		// Replace the real system environment, so a SPRING_MONGODB_URI of the machine
		// cannot change the outcome.
		environment.getPropertySources()
			.replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new SystemEnvironmentPropertySource(
					StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
		environment.getPropertySources().addFirst(new MapPropertySource("test", properties));
		return environment;
	}

}
