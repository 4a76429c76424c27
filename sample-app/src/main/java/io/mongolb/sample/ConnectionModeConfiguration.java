package io.mongolb.sample;

import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.aot.AotDetector;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Tells the user what the sample is connected to: one log line when the application is
 * ready, and a {@code mongodb} section in {@code /actuator/info}. A warning follows when
 * {@code spring.mongodb.uri} or {@code spring.mongodb.host} is set but the embedded
 * cluster serves the application anyway (an AOT-processed run, whose bean definitions
 * were fixed for the embedded default at build time, or an explicit
 * {@code mongodb.load-balanced.embedded.enabled=true}).
 */
@Configuration(proxyBeanMethods = false)
class ConnectionModeConfiguration {

	private static final Log logger = LogFactory.getLog(ConnectionModeConfiguration.class);

	@Bean
	ConnectionMode connectionMode(ObjectProvider<LoadBalancedMode> mode,
			ObjectProvider<EmbeddedLoadBalancedMongo> embedded, ObjectProvider<MongoConnectionDetails> details) {
		MongoConnectionDetails connection = details.getIfAvailable();
		String host = (connection != null) ? connection.getConnectionString().getHosts().get(0) : null;
		return ConnectionMode.of(mode.getIfAvailable(), embedded.getIfAvailable(), host);
	}

	@Bean
	InfoContributor mongodbConnectionInfoContributor(ConnectionMode connectionMode) {
		return (builder) -> builder.withDetail("mongodb", connectionMode.toInfo());
	}

	@EventListener
	void logConnectionMode(ApplicationReadyEvent event) {
		ConnectionMode connectionMode = event.getApplicationContext().getBean(ConnectionMode.class);
		ConfigurableEnvironment environment = event.getApplicationContext().getEnvironment();
		String port = environment.getProperty("local.server.port", "?");
		String message = "mongolb sample ready on http://localhost:" + port + "/api/orders; "
				+ connectionMode.describe();
		if (connectionMode.loadBalanced()) {
			logger.info(message);
		}
		else {
			logger.warn(message);
		}
		if (connectionMode.embedded()
				&& ConnectionModeEnvironmentPostProcessor.externalConnectionConfigured(environment)) {
			logger.warn(ignoredConnectionMessage(AotDetector.useGeneratedArtifacts()));
		}
	}

	/*
	 * Names the properties only, never their values (a URI may hold a password).
	 */
	static String ignoredConnectionMessage(boolean aot) {
		String message = "spring.mongodb.uri or spring.mongodb.host is set, but the embedded load-balanced "
				+ "MongoDB serves the application and the given server is not used: ";
		if (aot) {
			return message + "this application runs with -Dspring.aot.enabled=true, and its AOT processing "
					+ "fixed the embedded default at build time (start it without -Dspring.aot.enabled=true, "
					+ "or run process-aot with spring.mongodb.uri set)";
		}
		return message + "mongodb.load-balanced.embedded.enabled=true takes precedence (remove it to connect to "
				+ "the given server)";
	}

}
