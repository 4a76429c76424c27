package io.mongolb.embedded.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.jayway.jsonpath.JsonPath;
import com.mongodb.ConnectionString;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.mongolb.embedded.proxy.ProxyProtocolVersion;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongoSettings;
import io.mongolb.embedded.support.LoopbackPorts;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.data.mongodb.autoconfigure.DataMongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.boot.mongodb.autoconfigure.PropertiesMongoConnectionDetails;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.core.MongoTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The auto-configuration: off unless asked, then a started cluster, connection details to
 * its balancer in load-balanced mode that Boot's MongoClient uses, and a cluster closed
 * with the context.
 */
class EmbeddedLoadBalancedMongoAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(EmbeddedLoadBalancedMongoAutoConfiguration.class, MongoAutoConfiguration.class));

	@Test
	void offByDefault() {
		this.runner.run((context) -> {
			assertThat(context).doesNotHaveBean(EmbeddedLoadBalancedMongo.class);
			assertThat(context).getBean(MongoConnectionDetails.class)
				.isInstanceOf(PropertiesMongoConnectionDetails.class);
		});
	}

	@Test
	void offWhenExplicitlyDisabled() {
		this.runner.withPropertyValues("mongodb.load-balanced.embedded.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(EmbeddedLoadBalancedMongo.class);
			assertThat(context).doesNotHaveBean(EmbeddedMongoConnectionDetails.class);
		});
	}

	@Test
	void everyBooleanSpellingOfTheSwitchMeansWhatTheBinderReads() {
		// Spring Boot's binder reads yes/on/1 as true and no/off/0 as false: the
		// condition must agree with it.
		for (String yes : new String[] { "yes", "on", "1", "TRUE" }) {
			this.runner.withPropertyValues("mongodb.load-balanced.embedded.enabled=" + yes).run((context) -> {
				assertThat(context).as(yes).hasSingleBean(EmbeddedLoadBalancedMongo.class);
				assertThat(context.getBean(EmbeddedLoadBalancedMongoProperties.class).isEnabled()).as(yes).isTrue();
			});
		}
		for (String no : new String[] { "no", "off", "0" }) {
			this.runner.withPropertyValues("mongodb.load-balanced.embedded.enabled=" + no)
				.run((context) -> assertThat(context).as(no)
					.hasNotFailed()
					.doesNotHaveBean(EmbeddedLoadBalancedMongo.class));
		}
	}

	@Test
	void aSwitchValueThatIsNotABooleanFailsNamingTheProperty() {
		this.runner.withPropertyValues("mongodb.load-balanced.embedded.enabled=maybe").run((context) -> {
			assertThat(context).hasFailed();
			BindException bind = bindExceptionIn(context.getStartupFailure());
			assertThat(bind).isNotNull();
			assertThat(bind.getProperty().getName()).hasToString("mongodb.load-balanced.embedded.enabled");
			assertThat(bind.getProperty().getValue()).hasToString("maybe");
		});
	}

	@Test
	void startsTheClusterAndSuppliesLoadBalancedConnectionDetails() {
		AtomicReference<EmbeddedLoadBalancedMongo> started = new AtomicReference<>();
		this.runner
			.withPropertyValues("mongodb.load-balanced.embedded.enabled=true",
					"mongodb.load-balanced.embedded.fronts=3", "mongodb.load-balanced.embedded.proxy-protocol=v1",
					"mongodb.load-balanced.embedded.database=orders",
					"spring.mongodb.uri=mongodb://ignored.example:27017/ignored")
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(EmbeddedLoadBalancedMongo.class);
				EmbeddedLoadBalancedMongo mongo = context.getBean(EmbeddedLoadBalancedMongo.class);
				started.set(mongo);
				assertThat(mongo.isRunning()).isTrue();
				assertThat(mongo.getFrontCount()).isEqualTo(3);
				assertThat(mongo.getProxyProtocol()).isEqualTo(ProxyProtocolVersion.V1);

				assertThat(context).getBean(MongoConnectionDetails.class)
					.isInstanceOf(EmbeddedMongoConnectionDetails.class);
				ConnectionString connectionString = context.getBean(MongoConnectionDetails.class).getConnectionString();
				assertThat(connectionString.isLoadBalanced()).isTrue();
				assertThat(connectionString.getHosts()).containsExactly("127.0.0.1:" + mongo.getBalancerPort());
				assertThat(connectionString.getDatabase()).isEqualTo("orders");

				MongoClient client = context.getBean(MongoClient.class);
				client.getDatabase("orders").getCollection("items").insertOne(new Document("_id", 1));
				assertThat(client.getDatabase("orders").getCollection("items").countDocuments()).isEqualTo(1);
				assertThat(client.getClusterDescription().getType())
					.isEqualTo(com.mongodb.connection.ClusterType.LOAD_BALANCED);
			});
		EmbeddedLoadBalancedMongo mongo = started.get();
		assertThat(mongo).isNotNull();
		assertThat(mongo.isRunning()).isFalse();
		assertThat(LoopbackPorts.accepts(mongo.getLoadBalancerPort(0))).isFalse();
	}

	@Test
	void springDataMongoDbApplicationGetsBootsDefaultDatabaseWhenNoneIsSet() {
		this.runner.withConfiguration(AutoConfigurations.of(DataMongoAutoConfiguration.class))
			.withPropertyValues("mongodb.load-balanced.embedded.enabled=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(MongoConnectionDetails.class).getConnectionString().getDatabase())
					.isEqualTo("test");
				MongoTemplate template = context.getBean(MongoTemplate.class);
				assertThat(template.getDb().getName()).isEqualTo("test");
				template.insert(new Document("_id", "spring-data"), "items");
				assertThat(context.getBean(MongoClient.class)
					.getDatabase("test")
					.getCollection("items")
					.countDocuments(new Document("_id", "spring-data"))).isEqualTo(1);
			});
	}

	@Test
	void springMongodbDatabaseStillWinsForSpringDataMongoDb() {
		this.runner.withConfiguration(AutoConfigurations.of(DataMongoAutoConfiguration.class))
			.withPropertyValues("mongodb.load-balanced.embedded.enabled=true", "spring.mongodb.database=orders")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(MongoTemplate.class).getDb().getName()).isEqualTo("orders");
			});
	}

	@Test
	void fixedBalancerPortIsUsed() throws IOException {
		int port;
		try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
				java.net.InetAddress.getByName("127.0.0.1"))) {
			port = socket.getLocalPort();
		}
		this.runner.withPropertyValues("mongodb.load-balanced.embedded.enabled=true",
				"mongodb.load-balanced.embedded.port=" + port, "mongodb.load-balanced.embedded.proxy-header-timeout=3s")
			.run((context) -> {
				assertThat(context.getBean(EmbeddedLoadBalancedMongo.class).getBalancerPort()).isEqualTo(port);
				try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + port + "/?loadBalanced=true")) {
					assertThat(client.getDatabase("admin")
						.runCommand(new Document("ping", 1))
						.get("ok", Number.class)
						.intValue()).isEqualTo(1);
				}
			});
	}

	@Test
	void userConnectionDetailsTakePrecedence() {
		this.runner.withPropertyValues("mongodb.load-balanced.embedded.enabled=true")
			.withUserConfiguration(UserConnectionDetails.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(MongoConnectionDetails.class);
				assertThat(context.getBean(MongoConnectionDetails.class).getConnectionString().getHosts())
					.containsExactly("user.example:27017");
			});
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "fronts|0|fronts must be at least 1, was 0",
			"max-wire-version|12|maxWireVersion must be at least 13 (MongoDB 5.0, the first version with load-balancer support), was 12",
			"port|70000|balancerPort must be between 0 and 65535 (0 picks a free port), was 70000",
			"proxy-header-timeout|0s|proxyHeaderTimeout must be positive, was PT0S" })
	void invalidPropertyFailsTheBindingNamingTheProperty(String property, String value, String reason) {
		assertBindingFails(property, value, reason);
	}

	@Test
	void invalidDatabaseFailsTheBindingNamingTheProperty() {
		assertBindingFails("database", "orders/2024", "database must be a MongoDB database name: 1 to 63 characters, "
				+ "none of / \\ . space \" $ * < > : | ? or NUL, was 'orders/2024'");
	}

	private void assertBindingFails(String property, String value, String reason) {
		String name = "mongodb.load-balanced.embedded." + property;
		this.runner.withPropertyValues("mongodb.load-balanced.embedded.enabled=true", name + "=" + value)
			.run((context) -> {
				assertThat(context).hasFailed();
				BindException bind = bindExceptionIn(context.getStartupFailure());
				assertThat(bind).as("BindException in the cause chain of %s", context.getStartupFailure()).isNotNull();
				assertThat(bind.getProperty()).isNotNull();
				assertThat(bind.getProperty().getName()).hasToString(name);
				assertThat(bind.getProperty().getValue()).hasToString(value);
				// Boot's failure report gives the root cause as the reason.
				assertThat(bind).rootCause().isInstanceOf(IllegalArgumentException.class).hasMessage(reason);
			});
	}

	private static BindException bindExceptionIn(Throwable failure) {
		for (Throwable current = failure; current != null; current = current.getCause()) {
			if (current instanceof BindException bind) {
				return bind;
			}
		}
		return null;
	}

	@Test
	void propertyDefaultsMatchTheBuilderDefaults() {
		EmbeddedLoadBalancedMongoProperties properties = new EmbeddedLoadBalancedMongoProperties();
		assertThat(properties.isEnabled()).isFalse();
		assertThat(properties.getFronts()).isEqualTo(EmbeddedLoadBalancedMongoSettings.DEFAULT_FRONTS);
		assertThat(properties.getMaxWireVersion())
			.isEqualTo(EmbeddedLoadBalancedMongoSettings.DEFAULT_MAX_WIRE_VERSION);
		assertThat(properties.getProxyHeaderTimeout())
			.isEqualTo(EmbeddedLoadBalancedMongoSettings.DEFAULT_PROXY_HEADER_TIMEOUT);
		assertThat(properties.getProxyProtocol()).isEqualTo(ProxyProtocolVersion.V2);
		assertThat(properties.getPort()).isZero();
		assertThat(properties.getDatabase()).isEqualTo(EmbeddedLoadBalancedMongoSettings.DEFAULT_DATABASE);
		assertThat(properties.getProxyHeaderTimeout()).isEqualTo(Duration.ofSeconds(10));
		// Unbound properties describe exactly the default settings.
		assertThat(properties.toSettings()).isEqualTo(EmbeddedLoadBalancedMongoSettings.defaults());
	}

	@Test
	void metadataDescribesTheDatabaseDefault() throws IOException {
		try (InputStream metadata = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(metadata).isNotNull();
			List<Map<String, Object>> database = JsonPath.parse(metadata)
				.read("$.properties[?(@.name == 'mongodb.load-balanced.embedded.database')]");
			assertThat(database).singleElement().satisfies((property) -> {
				assertThat(property).containsEntry("defaultValue", "test");
				assertThat(property.get("description")).asString().contains("\"test\" as in Boot's own default");
			});
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class UserConnectionDetails {

		@Bean
		MongoConnectionDetails userMongoConnectionDetails() {
			return () -> new ConnectionString("mongodb://user.example:27017/?loadBalanced=true");
		}

	}

}
