package io.mongolb.embedded.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.connection.ClusterType;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import io.mongolb.embedded.support.TestCertificates;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS on the load-balancer ports from a Spring SSL bundle
 * ({@code mongodb.load-balanced.embedded.tls.bundle}) and the mongod-style proxy port
 * property, in a real application context with Boot's MongoClient.
 */
@ExtendWith(OutputCaptureExtension.class)
class EmbeddedTlsAutoConfigurationTests {

	private static final String[] BUNDLE = {
			"spring.ssl.bundle.jks.embedded.keystore.location=classpath:tls/server.p12",
			"spring.ssl.bundle.jks.embedded.keystore.password=" + TestCertificates.PASSWORD,
			"spring.ssl.bundle.jks.embedded.keystore.type=PKCS12",
			"spring.ssl.bundle.jks.embedded.truststore.location=classpath:tls/trust.p12",
			"spring.ssl.bundle.jks.embedded.truststore.password=" + TestCertificates.PASSWORD,
			"spring.ssl.bundle.jks.embedded.truststore.type=PKCS12", "mongodb.load-balanced.embedded.enabled=true" };

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class,
				EmbeddedLoadBalancedMongoAutoConfiguration.class, MongoAutoConfiguration.class))
		.withPropertyValues(BUNDLE);

	@Test
	void bootsMongoClientUsesTheTlsLoadBalancerPortsOfTheBundle(CapturedOutput output) {
		this.runner.withPropertyValues("mongodb.load-balanced.embedded.tls.bundle=embedded").run((context) -> {
			assertThat(context).hasNotFailed();
			EmbeddedLoadBalancedMongo mongo = context.getBean(EmbeddedLoadBalancedMongo.class);
			assertThat(mongo.isTls()).isTrue();
			MongoConnectionDetails details = context.getBean(MongoConnectionDetails.class);
			assertThat(details.getConnectionString().getSslEnabled()).isTrue();
			assertThat(details.getConnectionString().isLoadBalanced()).isTrue();
			assertThat(details.getSslBundle()).isNotNull();
			MongoClient client = context.getBean(MongoClient.class);
			MongoCollection<Document> items = client.getDatabase("test").getCollection("items");
			items.insertOne(new Document("_id", 1).append("over", "tls"));
			assertThat(items.find().first()).containsEntry("over", "tls");
			assertThat(client.getClusterDescription().getType()).isEqualTo(ClusterType.LOAD_BALANCED);
		});
		assertThat(output.getOut())
			.contains("Embedded load-balanced MongoDB: TLS on the load-balancer ports with SSL bundle 'embedded'")
			.doesNotContain(TestCertificates.PASSWORD);
	}

	@Test
	void unknownBundleFailsNamingThePropertyAndTheFix() {
		this.runner.withPropertyValues("mongodb.load-balanced.embedded.tls.bundle=missing").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("SSL bundle name 'missing' cannot be found");
			assertThat(context.getStartupFailure()).hasStackTraceContaining(
					"mongodb.load-balanced.embedded.tls.bundle=missing: no SSL bundle of that name; define it under "
							+ "spring.ssl.bundle.jks.missing or spring.ssl.bundle.pem.missing");
		});
	}

	@Test
	void bundleWithoutSslBundlesFailsNamingTheProperty() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(EmbeddedLoadBalancedMongoAutoConfiguration.class,
					MongoAutoConfiguration.class))
			.withPropertyValues("mongodb.load-balanced.embedded.enabled=true",
					"mongodb.load-balanced.embedded.tls.bundle=embedded")
			.run((context) -> assertThat(context.getStartupFailure()).hasStackTraceContaining(
					"mongodb.load-balanced.embedded.tls.bundle=embedded: there are no SSL bundles in this application"));
	}

	@Test
	void plainTextAndNoProxyPortByDefault() {
		this.runner.run((context) -> {
			EmbeddedLoadBalancedMongo mongo = context.getBean(EmbeddedLoadBalancedMongo.class);
			assertThat(mongo.isTls()).isFalse();
			assertThat(context.getBean(MongoConnectionDetails.class).getSslBundle()).isNull();
			assertThat(context.getBean(MongoConnectionDetails.class).getConnectionString().getSslEnabled()).isNull();
		});
	}

	@Test
	void mongodProxyPortProperty() {
		this.runner.withPropertyValues("mongodb.load-balanced.embedded.mongod-proxy-port=true").run((context) -> {
			EmbeddedLoadBalancedMongo mongo = context.getBean(EmbeddedLoadBalancedMongo.class);
			assertThat(mongo.getProxyPort(0)).isPositive().isNotEqualTo(mongo.getLoadBalancerPort(0));
		});
	}

	@Test
	void metadataDescribesTheNewProperties() throws IOException {
		for (String name : List.of("mongodb.load-balanced.embedded.tls.bundle",
				"mongodb.load-balanced.embedded.mongod-proxy-port")) {
			try (InputStream metadata = getClass()
				.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
				List<Map<String, Object>> property = JsonPath.parse(metadata)
					.read("$.properties[?(@.name == '" + name + "')]");
				assertThat(property).as(name)
					.singleElement()
					.satisfies((entry) -> assertThat(entry.get("description")).asString().isNotBlank());
			}
		}
	}

}
