package io.mongolb.autoconfigure.e2e;

import java.io.InputStream;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.endpoint.LoadBalancedEndpoint;
import io.mongolb.autoconfigure.endpoint.LoadBalancedEndpointAutoConfiguration;
import io.mongolb.autoconfigure.health.LoadBalancerHealthContributorAutoConfiguration;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.json.JsonWriter;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Boot's SSL bundles in load-balanced mode, end to end: the embedded fronts speak
 * TLS on their load-balancer ports (after the PROXY header, as behind a TCP balancer in
 * passthrough mode), and the application configures TLS only with Spring Boot's own
 * properties ({@code spring.mongodb.ssl.*} naming a {@code spring.ssl.bundle.jks.*}
 * bundle that trusts the test certificate, {@code src/test/resources/tls}). The starter
 * changes nothing about TLS: the client reaches both fronts through the balancer, health
 * is UP with both serviceIds, and the key store's password shows nowhere.
 */
@ExtendWith(OutputCaptureExtension.class)
class TlsEndToEndTests {

	private static final String PASSWORD = "mongolb-test";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, MongoAutoConfiguration.class,
				LoadBalancedMongoAutoConfiguration.class, LoadBalancerHealthContributorAutoConfiguration.class,
				HealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class,
				LoadBalancedEndpointAutoConfiguration.class))
		.withPropertyValues("spring.ssl.bundle.jks.mongo.truststore.location=classpath:tls/trust.p12",
				"spring.ssl.bundle.jks.mongo.truststore.password=" + PASSWORD,
				"spring.ssl.bundle.jks.mongo.truststore.type=PKCS12", "spring.mongodb.ssl.bundle=mongo",
				"management.endpoints.web.exposure.include=mongodblb");

	/**
	 * Both spellings a user has: {@code spring.mongodb.ssl.enabled=true} with a plain
	 * URI, and {@code tls=true} in the URI with only the bundle named.
	 * @param tlsInUri whether the URI carries {@code tls=true}
	 */
	@ParameterizedTest(name = "tls=true in the URI: {0}")
	@ValueSource(booleans = { false, true })
	void theClientConnectsOverTlsThroughTheBalancerToBothFronts(boolean tlsInUri, CapturedOutput output)
			throws Exception {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder()
			.fronts(2)
			.tls(serverContext())
			.start()) {
			assertThat(mongo.isTls()).isTrue();
			String uri = "mongodb://127.0.0.1:" + mongo.getBalancerPort() + "/tls?loadBalanced=true"
					+ (tlsInUri ? "&tls=true" : "");
			ApplicationContextRunner runner = this.runner.withPropertyValues("spring.mongodb.uri=" + uri);
			if (!tlsInUri) {
				runner = runner.withPropertyValues("spring.mongodb.ssl.enabled=true");
			}
			runner.run((context) -> {
				assertThat(context).hasNotFailed();
				LoadBalancedMode mode = context.getBean(LoadBalancedMode.class);
				assertThat(mode.active()).isTrue();
				assertThat(mode.loadBalancerAddress()).isEqualTo("127.0.0.1:" + mongo.getBalancerPort());
				MongoCollection<Document> items = context.getBean(MongoClient.class)
					.getDatabase("tls")
					.getCollection("items");
				items.insertMany(List.of(new Document("_id", 1), new Document("_id", 2), new Document("_id", 3)));
				assertThat(items.countDocuments()).isEqualTo(3);
				TwoFronts.openCursorsUntilBothServicesAreSeen(context.getBean(LoadBalancedTopology.class), items);

				Health health = ((HealthIndicator) context.getBean(HealthContributorRegistry.class)
					.getContributor("mongodbLoadBalancer")).health();
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				assertThat(health.getDetails()).containsEntry("topologyType", "LoadBalanced")
					.containsEntry("servicesSeen", 2);
				@SuppressWarnings("unchecked")
				List<Map<String, Object>> services = (List<Map<String, Object>>) health.getDetails().get("services");
				assertThat(services).extracting((service) -> service.get("serviceId"))
					.containsExactlyInAnyOrderElementsOf(
							mongo.getServiceIds().stream().map(ObjectId::toHexString).toList());

				String healthJson = JsonWriter.standard()
					.writeToString(Map.of("status", health.getStatus().getCode(), "details", health.getDetails()));
				String endpointJson = JsonWriter.standard()
					.writeToString(context.getBean(LoadBalancedEndpoint.class).topology());
				assertThat(endpointJson).contains(mongo.getServiceId(0).toHexString(),
						mongo.getServiceId(1).toHexString());
				assertThat(healthJson).doesNotContain(PASSWORD);
				assertThat(endpointJson).doesNotContain(PASSWORD);
			});
		}
		// The driver's settings line: TLS on, from Spring Boot's bundle.
		assertThat(output.getOut()).contains("sslSettings=SslSettings{enabled=true")
			.contains("MongoDB load-balanced mode is active")
			.doesNotContain(PASSWORD);
		assertThat(output.getOut().lines().filter((line) -> line.contains(" WARN ") || line.contains(" ERROR ")))
			.as("warnings and errors logged")
			.isEmpty();
	}

	// The fronts' side: the key and certificate of server.p12, for 127.0.0.1.
	private static SSLContext serverContext() throws Exception {
		KeyStore keyStore = KeyStore.getInstance("PKCS12");
		try (InputStream in = TlsEndToEndTests.class.getResourceAsStream("/tls/server.p12")) {
			keyStore.load(in, PASSWORD.toCharArray());
		}
		KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
		keyManagers.init(keyStore, PASSWORD.toCharArray());
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(keyManagers.getKeyManagers(), null, null);
		return context;
	}

}
