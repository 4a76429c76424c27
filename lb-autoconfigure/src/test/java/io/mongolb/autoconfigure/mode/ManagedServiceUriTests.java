package io.mongolb.autoconfigure.mode;

import java.util.concurrent.atomic.AtomicReference;

import com.mongodb.AuthenticationMechanism;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCredential;
import com.mongodb.connection.ClusterConnectionMode;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connection strings of the managed services that require load-balanced mode, through
 * the real auto-configuration (Spring Boot's and the starter's) and the real driver:
 * Firestore with MongoDB compatibility and Oracle Autonomous Database's MongoDB API.
 * Nothing connects: in load-balanced mode the driver monitors no server and opens a
 * connection only for an operation, and none is run (the host names do not resolve here).
 * What is checked is what the application would send: load-balanced mode, TLS on,
 * retryable writes off, the service's authentication mechanism, and a password that shows
 * nowhere.
 */
@ExtendWith(OutputCaptureExtension.class)
class ManagedServiceUriTests {

	private static final String PASSWORD = "Zq9-s3cret-Xw7";

	private static final String FIRESTORE_URI = "mongodb://app:" + PASSWORD
			+ "@0d5b2c1e-7f43-4a8e-9c61-3b2a9e8d4f10.nam5.firestore.goog:443/orders"
			+ "?loadBalanced=true&tls=true&authMechanism=SCRAM-SHA-256&retryWrites=false";

	private static final String ORACLE_URI = "mongodb://app:" + PASSWORD
			+ "@ab1cd2ef3gh4ij5-orders.adb.eu-frankfurt-1.oraclecloudapps.com:27017/app"
			+ "?authMechanism=PLAIN&authSource=$external&ssl=true&retryWrites=false&loadBalanced=true";

	private final AtomicReference<MongoClientSettings.Builder> builder = new AtomicReference<>();

	// The builder Spring Boot's customizers fill: built after start-up it holds every
	// customizer's work, the starter's included.
	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(MongoAutoConfiguration.class, LoadBalancedMongoAutoConfiguration.class))
		.withBean("recordingCustomizer", MongoClientSettingsBuilderCustomizer.class, () -> this.builder::set);

	@Test
	void firestoreUriIsLoadBalancedOverTlsWithoutRetryableWrites(CapturedOutput output) {
		this.runner.withPropertyValues("spring.mongodb.uri=" + FIRESTORE_URI).run((context) -> {
			assertAccepted(context, "0d5b2c1e-7f43-4a8e-9c61-3b2a9e8d4f10.nam5.firestore.goog:443");
			MongoCredential credential = settings().getCredential();
			assertThat(credential.getAuthenticationMechanism()).isEqualTo(AuthenticationMechanism.SCRAM_SHA_256);
			assertThat(credential.getUserName()).isEqualTo("app");
			assertThat(credential.getSource()).isEqualTo("orders");
		});
		assertNoPassword(output);
	}

	@Test
	void oracleAutonomousDatabaseUriIsLoadBalancedOverTlsWithoutRetryableWrites(CapturedOutput output) {
		this.runner.withPropertyValues("spring.mongodb.uri=" + ORACLE_URI).run((context) -> {
			assertAccepted(context, "ab1cd2ef3gh4ij5-orders.adb.eu-frankfurt-1.oraclecloudapps.com:27017");
			MongoCredential credential = settings().getCredential();
			// The database user, checked by Oracle (LDAP-style PLAIN against $external):
			// the password travels in clear inside TLS.
			assertThat(credential.getAuthenticationMechanism()).isEqualTo(AuthenticationMechanism.PLAIN);
			assertThat(credential.getSource()).isEqualTo("$external");
			assertThat(credential.getUserName()).isEqualTo("app");
		});
		assertNoPassword(output);
	}

	private void assertAccepted(AssertableApplicationContext context, String address) {
		assertThat(context).hasNotFailed();
		LoadBalancedMode mode = context.getBean(LoadBalancedMode.class);
		assertThat(mode.active()).isTrue();
		assertThat(mode.requestedBy()).startsWith("loadBalanced=true in spring.mongodb.uri");
		assertThat(mode.loadBalancerAddress()).isEqualTo(address);
		assertThat(mode.connectionString()).doesNotContain(PASSWORD);
		assertThat(mode.toString()).doesNotContain(PASSWORD);
		MongoClientSettings settings = settings();
		assertThat(settings.getClusterSettings().getMode()).isEqualTo(ClusterConnectionMode.LOAD_BALANCED);
		assertThat(settings.getClusterSettings().getHosts()).singleElement().hasToString(address);
		assertThat(settings.getSslSettings().isEnabled()).isTrue();
		assertThat(settings.getSslSettings().isInvalidHostNameAllowed()).isFalse();
		assertThat(settings.getRetryWrites()).isFalse();
		assertThat(settings.getRetryReads()).isTrue();
		assertThat(context.getBean(com.mongodb.client.MongoClient.class).getClusterDescription().getConnectionMode())
			.isEqualTo(ClusterConnectionMode.LOAD_BALANCED);
	}

	private MongoClientSettings settings() {
		MongoClientSettings.Builder recorded = this.builder.get();
		assertThat(recorded).as("Spring Boot called the customizers").isNotNull();
		return recorded.build();
	}

	private static void assertNoPassword(CapturedOutput output) {
		assertThat(output.getOut()).contains("MongoDB load-balanced mode is active").doesNotContain(PASSWORD);
		assertThat(output.getErr()).doesNotContain(PASSWORD);
	}

}
