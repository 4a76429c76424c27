package io.mongolb.autoconfigure;

import java.time.Duration;
import java.util.List;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.ServerAddress;
import com.mongodb.client.MongoClient;
import com.mongodb.connection.ClusterConnectionMode;
import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ClusterType;
import com.mongodb.connection.ConnectionDescription;
import com.mongodb.connection.ConnectionId;
import com.mongodb.connection.ServerId;
import com.mongodb.connection.ServerType;
import com.mongodb.event.CommandSucceededEvent;
import com.mongodb.event.ConnectionCreatedEvent;
import io.mongolb.autoconfigure.health.LoadBalancerHealthContributorAutoConfiguration;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.mode.StarterFailureAnalyzers;
import io.mongolb.autoconfigure.topology.LoadBalancedEvent;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Activation, back-off, properties and the load-balanced rules, in real Spring contexts
 * with Spring Boot's own MongoDB auto-configuration and the real driver. In load-balanced
 * mode the driver opens no connection until an operation runs, so no server is needed;
 * SRV and TXT look-ups go to {@link FakeDnsClientProvider} (DNS is mocked).
 */
@ExtendWith(OutputCaptureExtension.class)
class LoadBalancedMongoAutoConfigurationTests {

	private static final String LB_URI = "mongodb://127.0.0.1:27017/app?loadBalanced=true";

	private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(MongoAutoConfiguration.class, LoadBalancedMongoAutoConfiguration.class));

	// Activation

	@Test
	void loadBalancedTrueInTheUriActivatesTheMode() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + LB_URI).run((context) -> {
			assertThat(context).hasNotFailed();
			LoadBalancedMode mode = context.getBean(LoadBalancedMode.class);
			assertThat(mode.active()).isTrue();
			assertThat(mode.requestedBy()).startsWith("loadBalanced=true in spring.mongodb.uri");
			assertThat(mode.loadBalancerAddress()).isEqualTo("127.0.0.1:27017");
			assertLoadBalancedClient(context);
		});
	}

	@Test
	void enabledTrueAddsTheModeToAUriWithoutIt() {
		this.runner
			.withPropertyValues("spring.mongodb.uri=mongodb://127.0.0.1:27017/app",
					"mongodb.load-balanced.enabled=true")
			.run((context) -> {
				assertThat(context.getBean(LoadBalancedMode.class).requestedBy())
					.isEqualTo("mongodb.load-balanced.enabled=true");
				assertLoadBalancedClient(context);
			});
	}

	@Test
	void enabledTrueAppliesTheModeToHostAndPortProperties() {
		this.runner
			.withPropertyValues("spring.mongodb.host=127.0.0.1", "spring.mongodb.port=27999",
					"mongodb.load-balanced.enabled=true")
			.run((context) -> {
				assertThat(context.getBean(LoadBalancedMode.class).loadBalancerAddress()).isEqualTo("127.0.0.1:27999");
				assertLoadBalancedClient(context);
			});
	}

	@Test
	void withoutLoadBalancedModeTheStarterStaysInert() {
		this.runner.withPropertyValues("spring.mongodb.uri=mongodb://127.0.0.1:27017/app").run((context) -> {
			LoadBalancedMode mode = context.getBean(LoadBalancedMode.class);
			assertThat(mode.active()).isFalse();
			assertThat(mode.reason()).contains("Neither mongodb.load-balanced.enabled nor the connection string");
			MongoClient client = context.getBean(MongoClient.class);
			assertThat(client.getClusterDescription().getConnectionMode())
				.isNotEqualTo(ClusterConnectionMode.LOAD_BALANCED);
			// No listener was registered: the topology model never hears of this client.
			assertThat(context.getBean(LoadBalancedTopology.class).snapshot().recentEvents()).isEmpty();
		});
	}

	@Test
	void enabledFalseContributesNothingAtAll() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + LB_URI, "mongodb.load-balanced.enabled=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(LoadBalancedMode.class)
					.doesNotHaveBean(LoadBalancedTopology.class)
					.doesNotHaveBean(LoadBalancedMongoClientSettingsBuilderCustomizer.class)
					.doesNotHaveBean(LoadBalancedProperties.class);
				// The driver still honours the URI on its own: plain Spring Boot
				// behaviour.
				assertThat(context.getBean(MongoClient.class).getClusterDescription().getType())
					.isEqualTo(ClusterType.LOAD_BALANCED);
			});
	}

	@Test
	void enabledFalseAlsoSkipsTheRules() {
		this.runner
			.withPropertyValues("spring.mongodb.uri=mongodb://a.example.net,b.example.net/app",
					"mongodb.load-balanced.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(LoadBalancedMode.class));
	}

	@Test
	void everySpellingTheBinderReadsAsABooleanMeansTheSameToTheConditionAndTheProperties() {
		// Spring Boot's binder reads true/on/yes/1 and false/off/no/0 in any case: the
		// starter's switch must agree.
		for (String yes : new String[] { "true", "yes", "on", "1", "YES" }) {
			this.runner
				.withPropertyValues("spring.mongodb.uri=mongodb://127.0.0.1:27017/app",
						"mongodb.load-balanced.enabled=" + yes)
				.run((context) -> {
					assertThat(context).as(yes).hasSingleBean(LoadBalancedMode.class);
					assertThat(context.getBean(LoadBalancedProperties.class).getEnabled()).as(yes).isTrue();
					assertThat(context.getBean(LoadBalancedMode.class).requestedBy()).as(yes)
						.isEqualTo("mongodb.load-balanced.enabled=true");
					assertLoadBalancedClient(context);
				});
		}
		for (String no : new String[] { "false", "no", "off", "0", "No" }) {
			this.runner.withPropertyValues("spring.mongodb.uri=" + LB_URI, "mongodb.load-balanced.enabled=" + no)
				.run((context) -> assertThat(context).as(no)
					.hasNotFailed()
					.doesNotHaveBean(LoadBalancedMode.class)
					.doesNotHaveBean(LoadBalancedProperties.class));
		}
	}

	@Test
	void aValueTheBinderCannotReadAsABooleanFailsNamingTheProperty() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + LB_URI, "mongodb.load-balanced.enabled=maybe")
			.run((context) -> {
				assertThat(context).hasFailed();
				BindException bind = bindException(context);
				assertThat(bind.getProperty().getName()).hasToString("mongodb.load-balanced.enabled");
				assertThat(bind.getProperty().getValue()).hasToString("maybe");
			});
	}

	@Test
	void noBeanOfTheStarterIsNullWhetherOrNotTheModeIsActive() {
		// With the health contributor's auto-configuration too: its registration depends
		// on the decision.
		ApplicationContextRunner withHealth = this.runner
			.withConfiguration(AutoConfigurations.of(LoadBalancerHealthContributorAutoConfiguration.class,
					HealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class));
		for (String uri : new String[] { LB_URI, "mongodb://127.0.0.1:27017/app" }) {
			withHealth.withPropertyValues("spring.mongodb.uri=" + uri).run((context) -> {
				assertThat(context).hasNotFailed();
				for (String name : context.getBeanDefinitionNames()) {
					Object singleton = context.getBeanFactory().getSingleton(name);
					assertThat((singleton != null) ? singleton.getClass().getName() : "")
						.as("bean '%s' with %s", name, uri)
						.isNotEqualTo("org.springframework.beans.factory.support.NullBean");
				}
			});
		}
	}

	@Test
	void backsOffWithoutMongoConnectionDetails() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(LoadBalancedMongoAutoConfiguration.class))
			.run((context) -> assertThat(context).doesNotHaveBean(LoadBalancedMode.class));
	}

	@Test
	void backsOffWithoutTheDriver() {
		this.runner.withClassLoader(new FilteredClassLoader(ConnectionString.class))
			.run((context) -> assertThat(context).doesNotHaveBean(LoadBalancedMode.class));
	}

	@Test
	void userBeansReplaceTheStartersBeans() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + LB_URI)
			.withUserConfiguration(UserTopologyConfiguration.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(LoadBalancedTopology.class);
				assertThat(context.getBean(LoadBalancedTopology.class))
					.isSameAs(context.getBean(UserTopologyConfiguration.class).topology);
				await().atMost(Duration.ofSeconds(5))
					.until(() -> context.getBean(LoadBalancedTopology.class).snapshot().topologyType(),
							(type) -> type == ClusterType.LOAD_BALANCED);
			});
	}

	@Test
	void aUserConnectionDetailsBeanIsTheConnectionSource() {
		this.runner.withBean("customDetails", MongoConnectionDetails.class, () -> () -> new ConnectionString(LB_URI))
			.run((context) -> {
				LoadBalancedMode mode = context.getBean(LoadBalancedMode.class);
				assertThat(mode.active()).isTrue();
				assertThat(mode.source()).startsWith("the MongoConnectionDetails bean 'customDetails'");
				assertLoadBalancedClient(context);
			});
	}

	@Test
	void anApplicationsOwnMongoClientSettingsAreTheConnectionSource() {
		this.runner
			.withBean("userSettings", MongoClientSettings.class,
					() -> MongoClientSettings.builder().applyConnectionString(new ConnectionString(LB_URI)).build())
			.run((context) -> {
				LoadBalancedMode mode = context.getBean(LoadBalancedMode.class);
				assertThat(mode.active()).isTrue();
				assertThat(mode.source()).startsWith("the MongoClientSettings bean 'userSettings'");
				assertThat(mode.loadBalancerAddress()).isEqualTo("127.0.0.1:27017");
				assertLoadBalancedClient(context);
			});
	}

	@Test
	void aBrokenRuleInAnApplicationsOwnMongoClientSettingsNamesTheBean() {
		this.runner
			.withBean("userSettings", MongoClientSettings.class,
					() -> MongoClientSettings.builder()
						.applyConnectionString(
								new ConnectionString("mongodb://a.example.net,b.example.net/?replicaSet=rs0"))
						.build())
			.withPropertyValues("mongodb.load-balanced.enabled=true")
			.run((context) -> {
				FailureAnalysis analysis = analyze(context);
				assertThat(analysis.getDescription()).contains("Source: the MongoClientSettings bean 'userSettings'")
					.contains("hosts=a.example.net:27017,b.example.net:27017")
					.contains("requiredReplicaSetName=rs0");
			});
	}

	@Test
	void aDirectConnectionInAnApplicationsOwnMongoClientSettingsIsNamedAsTheDriverSetsIt() {
		this.runner
			.withBean("userSettings", MongoClientSettings.class,
					() -> MongoClientSettings.builder()
						.applyConnectionString(new ConnectionString("mongodb://lb.example.net/?directConnection=true"))
						.build())
			.withPropertyValues("mongodb.load-balanced.enabled=true")
			.run((context) -> {
				FailureAnalysis analysis = analyze(context);
				assertThat(analysis.getDescription()).contains(
						"directConnection=true (ClusterConnectionMode.SINGLE): load-balanced mode always connects");
				assertThat(analysis.getAction()).contains("Remove directConnection=true (ClusterConnectionMode.SINGLE)"
						+ " from the MongoClientSettings bean 'userSettings'");
			});
	}

	@Test
	void theModeOfAnApplicationsOwnMongoClientSettingsIsWhatRequestsIt() {
		this.runner
			.withBean("userSettings", MongoClientSettings.class,
					() -> MongoClientSettings.builder().applyConnectionString(new ConnectionString(LB_URI)).build())
			.run((context) -> assertThat(context.getBean(LoadBalancedMode.class).requestedBy())
				.startsWith("mode=LOAD_BALANCED in the MongoClientSettings bean 'userSettings'"));
	}

	@Test
	void anApplicationsOwnMongoClientSettingsWithoutTheModeLeaveTheStarterInert() {
		// Spring Boot ignores spring.mongodb.uri when the application has its own
		// settings, and so does the starter.
		this.runner.withPropertyValues("spring.mongodb.uri=" + LB_URI)
			.withBean("userSettings", MongoClientSettings.class,
					() -> MongoClientSettings.builder()
						.applyConnectionString(new ConnectionString("mongodb://127.0.0.1:27017/"))
						.build())
			.run((context) -> {
				assertThat(context.getBean(LoadBalancedMode.class).active()).isFalse();
				assertThat(context.getBean(MongoClient.class).getClusterDescription().getConnectionMode())
					.isNotEqualTo(ClusterConnectionMode.LOAD_BALANCED);
			});
	}

	// Properties

	@Test
	void propertiesAreBoundAndApplied() {
		this.runner
			.withPropertyValues("spring.mongodb.uri=" + LB_URI, "mongodb.load-balanced.fail-fast=false",
					"mongodb.load-balanced.health.enabled=false", "mongodb.load-balanced.health.timeout=750ms",
					"mongodb.load-balanced.metrics.max-services=4", "mongodb.load-balanced.pinning.leak-threshold=1m",
					"mongodb.load-balanced.events.capacity=3")
			.run((context) -> {
				LoadBalancedProperties properties = context.getBean(LoadBalancedProperties.class);
				assertThat(properties.isFailFast()).isFalse();
				assertThat(properties.getHealth().isEnabled()).isFalse();
				assertThat(properties.getHealth().getTimeout()).isEqualTo(Duration.ofMillis(750));
				assertThat(properties.getMetrics().getMaxServices()).isEqualTo(4);
				assertThat(properties.getPinning().getLeakThreshold()).isEqualTo(Duration.ofMinutes(1));
				assertThat(properties.getEvents().getCapacity()).isEqualTo(3);
				// The client opened: more than three events happened, three are kept.
				await().atMost(Duration.ofSeconds(5))
					.until(() -> context.getBean(LoadBalancedTopology.class).snapshot().recentEvents().size(),
							(size) -> size == 3);
			});
	}

	@Test
	void theUntrackedServiceEventNamesTheMaxServicesProperty() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + LB_URI, "mongodb.load-balanced.metrics.max-services=1")
			.run((context) -> {
				LoadBalancedTopology topology = context.getBean(LoadBalancedTopology.class);
				ServerId server = new ServerId(new ClusterId(), new ServerAddress());
				for (int connection = 1; connection <= 2; connection++) {
					ConnectionId id = new ConnectionId(server, connection, null);
					topology.connectionPoolListener().connectionCreated(new ConnectionCreatedEvent(id));
					topology.commandListener()
						.commandSucceeded(new CommandSucceededEvent(null, 1, 1,
								new ConnectionDescription(new ObjectId(), id, 21, ServerType.LOAD_BALANCER, 1000,
										16_000_000, 48_000_000, List.of(), new BsonArray()),
								"app", "find", new BsonDocument(), 1));
				}
				assertThat(topology.snapshot().recentEvents()).extracting(LoadBalancedEvent::description)
					.anySatisfy((text) -> assertThat(text)
						.endsWith("(raise mongodb.load-balanced.metrics.max-services above the number of mongos)"));
			});
	}

	@Test
	void defaultsMatchTheDocumentation() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + LB_URI).run((context) -> {
			LoadBalancedProperties properties = context.getBean(LoadBalancedProperties.class);
			assertThat(properties.getEnabled()).isNull();
			assertThat(properties.isFailFast()).isTrue();
			assertThat(properties.getHealth().isEnabled()).isTrue();
			assertThat(properties.getHealth().getTimeout()).isEqualTo(Duration.ofSeconds(2));
			assertThat(properties.getMetrics().getMaxServices()).isEqualTo(32);
			assertThat(properties.getPinning().getLeakThreshold()).isEqualTo(Duration.ofSeconds(30));
			assertThat(properties.getEvents().getCapacity()).isEqualTo(256);
		});
	}

	@Test
	void invalidPropertyValuesFailWithTheirName() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + LB_URI, "mongodb.load-balanced.metrics.max-services=0")
			.run((context) -> assertBindFailure(context, "mongodb.load-balanced.metrics.max-services", "0",
					"must be at least 1, was 0"));
		this.runner.withPropertyValues("spring.mongodb.uri=" + LB_URI, "mongodb.load-balanced.health.timeout=0s")
			.run((context) -> assertBindFailure(context, "mongodb.load-balanced.health.timeout", "0s",
					"must be a positive duration such as 2s, was PT0S"));
		this.runner.withPropertyValues("spring.mongodb.uri=" + LB_URI, "mongodb.load-balanced.metrics.expire-after=30s")
			.run((context) -> assertBindFailure(context, "mongodb.load-balanced.metrics.expire-after", "30s",
					"must be at least 1m (a shorter time would drop the meters of services between two bursts of "
							+ "traffic), was PT30S"));
	}

	private static void assertBindFailure(AssertableApplicationContext context, String name, String value,
			String reason) {
		assertThat(context).hasFailed();
		BindException bind = bindException(context);
		assertThat(bind.getProperty().getName()).hasToString(name);
		assertThat(bind.getProperty().getValue()).hasToString(value);
		assertThat(bind).rootCause().hasMessage(reason);
	}

	private static BindException bindException(AssertableApplicationContext context) {
		BindException bind = null;
		for (Throwable cause = context.getStartupFailure(); cause != null; cause = cause.getCause()) {
			if (cause instanceof BindException found) {
				bind = found;
			}
		}
		assertThat(bind).isNotNull();
		assertThat(bind.getProperty()).isNotNull();
		return bind;
	}

	// Rules

	@Test
	void multipleHostsInTheUriFail() {
		assertFailure("spring.mongodb.uri=mongodb://a.example.net:27017,b.example.net:27017/app?loadBalanced=true",
				"hosts=a.example.net:27017,b.example.net:27017: 2 hosts are listed",
				"Point spring.mongodb.uri at the load balancer's single address");
	}

	@Test
	void additionalHostsFailWhenEnabled() {
		this.runner
			.withPropertyValues("spring.mongodb.host=lb.example.net", "spring.mongodb.additional-hosts=b.example.net",
					"mongodb.load-balanced.enabled=true")
			.run((context) -> assertThat(analyze(context).getDescription())
				.contains("spring.mongodb.additional-hosts=b.example.net: 2 hosts are listed"));
	}

	@Test
	void replicaSetFails() {
		assertFailure("spring.mongodb.uri=mongodb://lb.example.net/app?loadBalanced=true&replicaSet=rs0",
				"replicaSet=rs0: a load-balanced connection cannot name a replica set",
				"Remove replicaSet from spring.mongodb.uri.");
	}

	@Test
	void replicaSetNamePropertyFailsWhenEnabled() {
		this.runner
			.withPropertyValues("spring.mongodb.host=lb.example.net", "spring.mongodb.replica-set-name=rs0",
					"mongodb.load-balanced.enabled=true")
			.run((context) -> assertThat(analyze(context).getAction()).contains(
					"Remove spring.mongodb.replica-set-name from \"spring.mongodb.replica-set-name\" from property"
							+ " source \"test\"."));
	}

	@Test
	void directConnectionTrueFailsAndFalseIsAccepted() {
		assertFailure("spring.mongodb.uri=mongodb://lb.example.net/?loadBalanced=true&directConnection=true",
				"directConnection=true: load-balanced mode always connects through the balancer",
				"Remove directConnection=true from spring.mongodb.uri (directConnection=false is accepted).");
		this.runner
			.withPropertyValues("spring.mongodb.uri=mongodb://127.0.0.1/?loadBalanced=true&directConnection=false")
			.run(LoadBalancedMongoAutoConfigurationTests::assertLoadBalancedClient);
	}

	@Test
	void srvMaxHostsAboveZeroFailsBeforeAnyDnsLookUp() {
		assertFailure("spring.mongodb.uri=mongodb+srv://cluster0.example.net/?loadBalanced=true&srvMaxHosts=2",
				"srvMaxHosts=2: in load-balanced mode the SRV record must resolve to the load balancer alone",
				"Remove srvMaxHosts from spring.mongodb.uri, or set it to 0.");
	}

	@Test
	void loadBalancedFromATxtRecordActivatesTheModeAndSrvMaxHostsZeroIsAccepted() {
		FakeDnsClientProvider.publish("lbtxt.mongolb.test", "loadBalanced=true", "lb.mongolb.test:27017");
		this.runner.withPropertyValues("spring.mongodb.uri=mongodb+srv://lbtxt.mongolb.test/app?srvMaxHosts=0")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				LoadBalancedMode mode = context.getBean(LoadBalancedMode.class);
				assertThat(mode.active()).isTrue();
				assertThat(mode.requestedBy())
					.startsWith("loadBalanced=true in the DNS TXT record of lbtxt.mongolb.test");
				assertThat(mode.loadBalancerAddress()).isEqualTo("lbtxt.mongolb.test (SRV)");
				assertThat(context.getBean(MongoClient.class).getClusterDescription().getConnectionMode())
					.isEqualTo(ClusterConnectionMode.LOAD_BALANCED);
			});
	}

	@Test
	void srvMaxHostsWithLoadBalancedFromATxtRecordFails() {
		FakeDnsClientProvider.publish("maxhosts.mongolb.test", "loadBalanced=true", "lb.mongolb.test:27017");
		this.runner.withPropertyValues("spring.mongodb.uri=mongodb+srv://maxhosts.mongolb.test/app?srvMaxHosts=2")
			.run((context) -> {
				FailureAnalysis analysis = analyze(context);
				assertThat(analysis.getDescription()).contains("srvMaxHosts=2")
					.contains("requested by: loadBalanced=true in the DNS TXT record of maxhosts.mongolb.test");
				assertThat(analysis.getAction()).contains("Remove srvMaxHosts from spring.mongodb.uri");
			});
	}

	@Test
	void replicaSetFromATxtRecordFailsNamingTheRecord() {
		FakeDnsClientProvider.publish("rstxt.mongolb.test", "loadBalanced=true&replicaSet=rs0",
				"lb.mongolb.test:27017");
		this.runner.withPropertyValues("spring.mongodb.uri=mongodb+srv://rstxt.mongolb.test/app").run((context) -> {
			FailureAnalysis analysis = analyze(context);
			assertThat(analysis.getDescription()).contains("replicaSet=");
			assertThat(analysis.getAction())
				.contains("Remove replicaSet from the DNS TXT record of rstxt.mongolb.test");
		});
	}

	@Test
	void enabledConflictsWithLoadBalancedFalse() {
		this.runner
			.withPropertyValues("spring.mongodb.uri=mongodb://lb.example.net/app?loadBalanced=false",
					"mongodb.load-balanced.enabled=true")
			.run((context) -> {
				FailureAnalysis analysis = analyze(context);
				assertThat(analysis.getDescription())
					.contains("loadBalanced=false: mongodb.load-balanced.enabled=true requires load-balanced mode, but"
							+ " spring.mongodb.uri turns it off.");
				assertThat(analysis.getAction()).contains("Remove loadBalanced=false from spring.mongodb.uri");
			});
	}

	@Test
	void enabledConflictsWithLoadBalancedFalseFromATxtRecord() {
		FakeDnsClientProvider.publish("offtxt.mongolb.test", "loadBalanced=false", "lb.mongolb.test:27017");
		this.runner
			.withPropertyValues("spring.mongodb.uri=mongodb+srv://offtxt.mongolb.test/app",
					"mongodb.load-balanced.enabled=true")
			.run((context) -> assertThat(analyze(context).getAction())
				.contains("Remove loadBalanced=false from the DNS TXT record of offtxt.mongolb.test"));
	}

	@Test
	void aBrokenRuleInAUserConnectionDetailsBeanNamesTheBean() {
		this.runner
			.withBean("customDetails", MongoConnectionDetails.class,
					() -> () -> new ConnectionString("mongodb://a.example.net,b.example.net/?replicaSet=rs0"))
			.withPropertyValues("mongodb.load-balanced.enabled=true")
			.run((context) -> {
				FailureAnalysis analysis = analyze(context);
				assertThat(analysis.getDescription())
					.contains("Source: the MongoConnectionDetails bean 'customDetails'")
					.contains("hosts=a.example.net,b.example.net")
					.contains("replicaSet=rs0");
			});
	}

	@Test
	void theDriversOwnErrorFromAUserBeanIsTranslated() {
		this.runner
			.withBean("customDetails", MongoConnectionDetails.class,
					() -> () -> new ConnectionString("mongodb://a.example.net/?loadBalanced=true&replicaSet=rs0"))
			.run((context) -> {
				FailureAnalysis analysis = analyze(context);
				assertThat(analysis.getDescription()).contains("the MongoConnectionDetails bean 'customDetails'");
				assertThat(analysis.getAction()).contains("Remove replicaSet from the MongoConnectionDetails bean");
			});
	}

	@Test
	void noCredentialAppearsInTheFailure() {
		this.runner
			.withPropertyValues("spring.mongodb.uri=mongodb://app:Sup3rS3cret@a.example.net,b.example.net/app"
					+ "?loadBalanced=true&tlsCertificateKeyFilePassword=KeyPa55")
			.run((context) -> {
				FailureAnalysis analysis = analyze(context);
				assertThat(analysis.getDescription()).contains("mongodb://****@a.example.net,b.example.net/app");
				String everything = analysis.getDescription() + analysis.getAction()
						+ stackTrace(context.getStartupFailure());
				assertThat(everything).doesNotContain("Sup3rS3cret").doesNotContain("KeyPa55");
			});
	}

	@Test
	void noPartOfAPasswordWithReservedCharactersAppearsInAnyFailure() {
		for (String password : new String[] { "Zq7x?Wk9v", "Zq7x/Wk9v", "Zq7x#Wk9v", "Zq7x=Wk9v" }) {
			this.runner
				.withPropertyValues("spring.mongodb.uri=mongodb://app:" + password + "@lb.example.net:27017/app"
						+ "?replicaSet=rs0&directConnection=true", "mongodb.load-balanced.enabled=true")
				.run((context) -> {
					assertThat(context).hasFailed();
					String everything = stackTrace(context.getStartupFailure());
					for (String fragment : password.split("[?/#=]")) {
						assertThat(everything).as(password).doesNotContain(fragment);
					}
				});
		}
	}

	@Test
	void aPasswordTheDriverWouldReadAsHostsOrOptionsIsNeverReportedAsOne() {
		// An unencoded ',' or '?' in a password: read as the driver reads the string,
		// part of it looks like a host
		// or a replicaSet option. The report must not show it as one.
		for (String password : new String[] { "Qx7,Vb9/Zr4", "Jk8x?replicaSet=Secret99&Wq5y" }) {
			this.runner
				.withPropertyValues("spring.mongodb.uri=mongodb://app:" + password + "@lb.example.net:27017/",
						"mongodb.load-balanced.enabled=true")
				.run((context) -> {
					assertThat(context).hasFailed();
					String everything = stackTrace(context.getStartupFailure());
					assertThat(everything).as(password).contains("mongodb://****@lb.example.net:27017/");
					for (String fragment : new String[] { "Qx7", "Vb9", "Zr4", "Jk8x", "Secret99", "Wq5y" }) {
						assertThat(everything).as(password).doesNotContain(fragment);
					}
				});
		}
	}

	@Test
	void maskingHidesThePasswordButNotTheWordsOfTheDriversHint() {
		// An unencoded '?' makes the driver misread the password as a port; its hint
		// contains "password", and
		// "ssword" is also part of this password: only the password itself may be masked.
		this.runner.withPropertyValues("spring.mongodb.uri=mongodb://app:ssword?x9@lb.example.net:27017/app")
			.run((context) -> {
				assertThat(context).hasFailed();
				String everything = stackTrace(context.getStartupFailure());
				assertThat(everything).contains("Hint: username and password must be escaped according to RFC 3986")
					.doesNotContain("ssword?x9")
					.doesNotContain(":ssword");
			});
	}

	@Test
	void failFastFalseLogsAndLetsTheDriverDecide(CapturedOutput output) {
		this.runner
			.withPropertyValues("spring.mongodb.uri=mongodb://app:Sup3rS3cret@127.0.0.1:27017,127.0.0.1:27018/app",
					"mongodb.load-balanced.enabled=true", "mongodb.load-balanced.fail-fast=false")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(LoadBalancedMode.class).active()).isFalse();
				assertThat(context.getBean(MongoClient.class).getClusterDescription().getConnectionMode())
					.isNotEqualTo(ClusterConnectionMode.LOAD_BALANCED);
			});
		assertThat(output).contains("The MongoDB connection is not valid for load-balanced mode")
			.contains("mongodb.load-balanced.fail-fast=false")
			.doesNotContain("Sup3rS3cret");
	}

	@Test
	void failFastFalseStillExplainsTheDriversOwnRefusal() {
		this.runner
			.withPropertyValues("spring.mongodb.uri=mongodb://lb.example.net/app?loadBalanced=true&replicaSet=rs0",
					"mongodb.load-balanced.fail-fast=false")
			.run((context) -> {
				assertThat(context).hasFailed();
				FailureAnalysis analysis = analyze(context);
				assertThat(analysis.getDescription())
					.contains("The MongoDB driver rejected the connection string for load-balanced mode:"
							+ " replicaSet can not be specified with loadBalanced=true");
				assertThat(analysis.getAction()).contains("Remove replicaSet");
			});
	}

	@Test
	void deprecatedSpellingIsAcceptedWithAWarning(CapturedOutput output) {
		this.runner.withPropertyValues("spring.mongodb.uri=mongodb://127.0.0.1:27017/app?loadBalanced=yes")
			.run(LoadBalancedMongoAutoConfigurationTests::assertLoadBalancedClient);
		assertThat(output).contains("spring.mongodb.uri sets loadBalanced=yes")
			.contains("write loadBalanced=true instead");
	}

	private void assertFailure(String uriProperty, String description, String action) {
		this.runner.withPropertyValues(uriProperty).run((context) -> {
			FailureAnalysis analysis = analyze(context);
			assertThat(analysis.getDescription()).contains("Source: spring.mongodb.uri (from ").contains(description);
			assertThat(analysis.getAction()).contains(action);
		});
	}

	private static FailureAnalysis analyze(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		Throwable failure = context.getStartupFailure();
		FailureAnalysis analysis = StarterFailureAnalyzers.analyze(failure);
		assertThat(analysis).as("failure analysis of %s", failure).isNotNull();
		return analysis;
	}

	private static String stackTrace(Throwable failure) {
		java.io.StringWriter writer = new java.io.StringWriter();
		failure.printStackTrace(new java.io.PrintWriter(writer));
		return writer.toString();
	}

	private static void assertLoadBalancedClient(AssertableApplicationContext context) {
		assertThat(context).hasNotFailed();
		assertThat(context.getBean(LoadBalancedMode.class).active()).isTrue();
		MongoClient client = context.getBean(MongoClient.class);
		assertThat(client.getClusterDescription().getConnectionMode()).isEqualTo(ClusterConnectionMode.LOAD_BALANCED);
		await().atMost(Duration.ofSeconds(5))
			.until(() -> context.getBean(LoadBalancedTopology.class).snapshot().topologyType(),
					(type) -> type == ClusterType.LOAD_BALANCED);
	}

	@Configuration(proxyBeanMethods = false)
	static class UserTopologyConfiguration {

		final LoadBalancedTopology topology = new LoadBalancedTopology(2, Duration.ofSeconds(1), 8);

		@Bean
		LoadBalancedTopology userTopology() {
			return this.topology;
		}

	}

}
