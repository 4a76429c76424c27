package io.mongolb.sample;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.util.StringUtils;

/**
 * Chooses where the sample's MongoDB is: the embedded load-balanced MongoDB unless the
 * user points Spring Boot at a server of their own.
 * <p>
 * When neither {@code spring.mongodb.uri} nor {@code spring.mongodb.host} is set (from
 * any source: command line, {@code SPRING_MONGODB_URI} in the environment, an
 * {@code application.yml} of the user's), it adds
 * {@code mongodb.load-balanced.embedded.enabled=true} as the lowest-precedence property,
 * which starts the embedded cluster and points Spring Boot at its balancer. When one of
 * them is set, it adds nothing: the embedded cluster stays off and Spring Boot connects
 * to the given address. An explicit {@code mongodb.load-balanced.embedded.enabled} is
 * always respected, since this source comes last.
 * <p>
 * Runs after Spring Boot's config data processing, so {@code application.yml} and profile
 * files are visible.
 */
public class ConnectionModeEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** Name of the property source this adds. */
	public static final String PROPERTY_SOURCE_NAME = "mongolbSampleConnectionMode";

	/** The property that switches the embedded load-balanced MongoDB on. */
	public static final String EMBEDDED_ENABLED = "mongodb.load-balanced.embedded.enabled";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (externalConnectionConfigured(environment)) {
			return;
		}
		environment.getPropertySources()
			.addLast(new MapPropertySource(PROPERTY_SOURCE_NAME, Map.of(EMBEDDED_ENABLED, "true")));
	}

	static boolean externalConnectionConfigured(ConfigurableEnvironment environment) {
		return StringUtils.hasText(environment.getProperty("spring.mongodb.uri"))
				|| StringUtils.hasText(environment.getProperty("spring.mongodb.host"));
	}

	@Override
	public int getOrder() {
		// After ConfigDataEnvironmentPostProcessor (HIGHEST_PRECEDENCE + 10):
		// application.yml is loaded by then.
		return Ordered.LOWEST_PRECEDENCE;
	}

}
