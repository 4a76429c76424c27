package io.mongolb.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A real {@link SpringApplication} start, as a user runs one: the auto-configuration is
 * found through its imports file, and Spring Boot's failure report comes from the
 * analyzer registered in {@code spring.factories}.
 */
@ExtendWith(OutputCaptureExtension.class)
class FailureReportTests {

	@Test
	void aBrokenRuleStopsStartUpWithSpringBootsReport(CapturedOutput output) {
		SpringApplication application = new SpringApplication(App.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		assertThatException().isThrownBy(() -> application
			.run("--spring.mongodb.uri=mongodb://app:Sup3rS3cret@mongos1.example.net:27017,mongos2.example.net:27017"
					+ "/orders?loadBalanced=true&replicaSet=rs0"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("The MongoDB connection is not valid for load-balanced mode.")
			.contains(
					"Source: spring.mongodb.uri (from \"spring.mongodb.uri\" from property source \"commandLineArgs\")")
			.contains("Connection string: mongodb://****@mongos1.example.net:27017,mongos2.example.net:27017/orders"
					+ "?loadBalanced=true&replicaSet=rs0")
			.contains("hosts=mongos1.example.net:27017,mongos2.example.net:27017: 2 hosts are listed")
			.contains("replicaSet=rs0: a load-balanced connection cannot name a replica set")
			.contains("Action:")
			.contains("Remove replicaSet from spring.mongodb.uri.")
			.doesNotContain("Sup3rS3cret");
	}

	@Test
	void everyPropertyHasADescriptionInTheGeneratedMetadata() throws IOException {
		List<String> expected = List.of("mongodb.load-balanced.enabled", "mongodb.load-balanced.fail-fast",
				"mongodb.load-balanced.health.enabled", "mongodb.load-balanced.health.timeout",
				"mongodb.load-balanced.metrics.max-services", "mongodb.load-balanced.metrics.enabled",
				"mongodb.load-balanced.metrics.expire-after",
				"mongodb.load-balanced.metrics.driver-commands-service-tag",
				"mongodb.load-balanced.pinning.leak-threshold", "mongodb.load-balanced.events.capacity",
				"mongodb.load-balanced.events.publish-capacity", "management.health.mongodb-load-balancer.enabled",
				"management.endpoint.mongodblb.access", "management.endpoint.mongodblb.cache.time-to-live",
				"mongodb.load-balanced.observations.enabled", "mongodb.load-balanced.mdc.enabled",
				"mongodb.load-balanced.balancer.idle-timeout");
		// The metadata generated for this module, next to its classes (other jars carry a
		// file of the same name): in its classes directory, or in its jar when the
		// driver-compat module runs this test.
		URL location = LoadBalancedProperties.class.getProtectionDomain().getCodeSource().getLocation();
		String path = "META-INF/spring-configuration-metadata.json";
		URL file = location.getPath().endsWith(".jar") ? new URL("jar:" + location + "!/" + path)
				: new URL(location, path);
		String json;
		try (InputStream metadata = file.openStream()) {
			json = new String(metadata.readAllBytes(), StandardCharsets.UTF_8);
		}
		List<String> described = JsonPath.read(json, "$.properties[*].name");
		List<String> descriptions = JsonPath.read(json, "$.properties[*].description");
		assertThat(descriptions).hasSameSizeAs(described).allSatisfy((text) -> assertThat(text).isNotBlank());
		assertThat(described).containsExactlyInAnyOrderElementsOf(expected);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class App {

	}

}
