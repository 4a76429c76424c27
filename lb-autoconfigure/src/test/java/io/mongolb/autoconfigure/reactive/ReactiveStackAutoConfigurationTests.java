package io.mongolb.autoconfigure.reactive;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.connection.ClusterConnectionMode;
import com.mongodb.connection.ClusterSettings;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import io.micrometer.core.instrument.MeterRegistry;
import io.mongolb.autoconfigure.LoadBalancedClient;
import io.mongolb.autoconfigure.LoadBalancedClients;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.endpoint.LoadBalancedEndpoint;
import io.mongolb.autoconfigure.endpoint.LoadBalancedEndpointAutoConfiguration;
import io.mongolb.autoconfigure.health.LoadBalancerHealthContributorAutoConfiguration;
import io.mongolb.autoconfigure.health.LoadBalancerHealthIndicator;
import io.mongolb.autoconfigure.health.LoadBalancerReactiveHealthIndicator;
import io.mongolb.autoconfigure.metrics.LoadBalancedMetricsAutoConfiguration;
import io.mongolb.autoconfigure.mode.InvalidLoadBalancedConfigurationException;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import io.mongolb.embedded.autoconfigure.EmbeddedLoadBalancedMongoAutoConfiguration;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeReactiveHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthContributor;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.health.registry.ReactiveHealthContributorRegistry;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.boot.mongodb.autoconfigure.MongoReactiveAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.StandardMongoClientSettingsBuilderCustomizer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter's auto-configuration on the reactive stack: with Spring Boot's reactive
 * MongoDB auto-configuration alone (the synchronous driver filtered out of the context's
 * class loader), with both stacks, and with a second client of the application's own. The
 * embedded server, started by its auto-configuration, is the connection.
 */
class ReactiveStackAutoConfigurationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EmbeddedLoadBalancedMongoAutoConfiguration.class,
				MongoReactiveAutoConfiguration.class, LoadBalancedMongoAutoConfiguration.class,
				LoadBalancerHealthContributorAutoConfiguration.class, HealthContributorAutoConfiguration.class,
				HealthContributorRegistryAutoConfiguration.class, LoadBalancedEndpointAutoConfiguration.class))
		.withPropertyValues("mongodb.load-balanced.embedded.enabled=true", "mongodb.load-balanced.embedded.fronts=2",
				"management.endpoints.web.exposure.include=mongodblb");

	@Test
	void theReactiveDriverAloneIsLoadBalancedOnTheEmbeddedServerWithAReactiveHealthIndicator() {
		this.runner.withClassLoader(new FilteredClassLoader(com.mongodb.client.MongoClient.class)).run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean("mongo").hasSingleBean(MongoClient.class);
			// The embedded server was started before the reactive client was built: its
			// balancer is the connection, not localhost:27017.
			EmbeddedLoadBalancedMongo mongo = context.getBean(EmbeddedLoadBalancedMongo.class);
			LoadBalancedMode mode = context.getBean(LoadBalancedMode.class);
			assertThat(mode.active()).isTrue();
			assertThat(mode.loadBalancerAddress()).isEqualTo("127.0.0.1:" + mongo.getBalancerPort());
			MongoClient client = context.getBean(MongoClient.class);
			assertThat(Mono.from(client.getDatabase("admin").runCommand(new Document("ping", 1))).block(WAIT))
				.containsEntry("ok", 1.0);
			LoadBalancedClients clients = context.getBean(LoadBalancedClients.class);
			assertThat(clients.getClients()).singleElement().satisfies((entry) -> {
				assertThat(entry.getName()).isEqualTo("reactiveStreamsMongoClient");
				assertThat(entry.isLoadBalanced()).isTrue();
				assertThat(entry.getTopology()).isSameAs(context.getBean(LoadBalancedTopology.class));
				assertThat(entry.getMongoClient()).isSameAs(client);
			});
			assertThat(context.getBean(LoadBalancedTopology.class).snapshot().services())
				.extracting(ServiceSnapshot::commandsSucceeded)
				.isNotEmpty()
				.allSatisfy((succeeded) -> assertThat(succeeded).isPositive());
			// One indicator, reactive, in the reactive registry only.
			ReactiveHealthContributor contributor = context.getBean(ReactiveHealthContributorRegistry.class)
				.getContributor("mongodbLoadBalancer");
			assertThat(contributor).isInstanceOf(LoadBalancerReactiveHealthIndicator.class);
			assertThat(context.getBean(HealthContributorRegistry.class).getContributor("mongodbLoadBalancer")).isNull();
			Health health = ((ReactiveHealthIndicator) contributor).health().block(WAIT);
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("loadBalancer", "127.0.0.1:" + mongo.getBalancerPort());
			// The endpoint names the client by its bean name, as for the synchronous one.
			assertThat(clientsOf(context)).containsOnlyKeys("reactiveStreamsMongoClient")
				.hasEntrySatisfying("reactiveStreamsMongoClient",
						(entry) -> assertThat(entry).containsEntry("loadBalanced", true)
							.containsEntry("topologyType", "LoadBalanced"));
		});
	}

	@Test
	void theReactiveDriverAloneGetsTheSameFailureReportAndMeters() {
		ApplicationContextRunner reactiveOnly = this.runner
			.withClassLoader(new FilteredClassLoader(com.mongodb.client.MongoClient.class))
			.withConfiguration(
					AutoConfigurations.of(LoadBalancedMetricsAutoConfiguration.class, MetricsAutoConfiguration.class,
							SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class));
		reactiveOnly
			.withPropertyValues("mongodb.load-balanced.embedded.enabled=false",
					"spring.mongodb.uri=mongodb://lb.example.com:27017/?loadBalanced=true&replicaSet=rs0")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidLoadBalancedConfigurationException.class)
					.hasMessageContaining("The MongoDB connection is not valid for load-balanced mode.")
					.hasMessageContaining("replicaSet=rs0: a load-balanced connection cannot name a replica set");
			});
		reactiveOnly.run((context) -> {
			assertThat(context).hasNotFailed();
			Mono.from(context.getBean(MongoClient.class).getDatabase("admin").runCommand(new Document("ping", 1)))
				.block(WAIT);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("mongodb.lb.services").tag("state", "tracked").gauge().value()).isOne();
			assertThat(meters.get("mongodb.lb.commands").tag("status", "success").timers()).singleElement()
				.satisfies((timer) -> assertThat(timer.count()).isPositive());
		});
	}

	@Test
	void withBothDriversEachClientHasItsOwnTopologyAndHealthShowsEachByName() {
		this.runner.withConfiguration(AutoConfigurations.of(MongoAutoConfiguration.class)).run((context) -> {
			assertThat(context).hasNotFailed();
			LoadBalancedClients clients = context.getBean(LoadBalancedClients.class);
			assertThat(clients.getLoadBalancedClients()).extracting(LoadBalancedClient::getName)
				.containsExactlyInAnyOrder("mongo", "reactiveStreamsMongoClient");
			LoadBalancedTopology sync = clients.getClient("mongo").getTopology();
			LoadBalancedTopology reactive = clients.getClient("reactiveStreamsMongoClient").getTopology();
			assertThat(sync).isNotNull().isNotSameAs(reactive);
			assertThat(List.of(sync, reactive)).contains(context.getBean(LoadBalancedTopology.class));
			// Commands through the synchronous client reach its model only.
			context.getBean(com.mongodb.client.MongoClient.class)
				.getDatabase("admin")
				.runCommand(new Document("ping", 1));
			assertThat(commands(sync)).isPositive();
			assertThat(commands(reactive)).isZero();
			Mono.from(context.getBean(MongoClient.class).getDatabase("admin").runCommand(new Document("ping", 1)))
				.block(WAIT);
			assertThat(commands(reactive)).isOne();
			// mongodbLoadBalancer: one member per client, by bean name, each UP.
			ReactiveHealthContributor contributor = context.getBean(ReactiveHealthContributorRegistry.class)
				.getContributor("mongodbLoadBalancer");
			assertThat(contributor).isInstanceOf(CompositeReactiveHealthContributor.class);
			CompositeReactiveHealthContributor composite = (CompositeReactiveHealthContributor) contributor;
			assertThat(composite.stream().map((entry) -> entry.name())).containsExactlyInAnyOrder("mongo",
					"reactiveStreamsMongoClient");
			for (String name : List.of("mongo", "reactiveStreamsMongoClient")) {
				Health health = ((ReactiveHealthIndicator) composite.getContributor(name)).health().block(WAIT);
				assertThat(health.getStatus()).as(name).isEqualTo(Status.UP);
				assertThat(health.getDetails()).as(name).containsEntry("topologyType", "LoadBalanced");
			}
			assertThat(clientsOf(context)).containsOnlyKeys("mongo", "reactiveStreamsMongoClient")
				.allSatisfy((name, entry) -> assertThat(entry).containsEntry("loadBalanced", true));
		});
	}

	@Test
	void aSecondClientPointedAtAReplicaSetStaysAsItIs() {
		this.runner.withConfiguration(AutoConfigurations.of(MongoAutoConfiguration.class))
			.withUserConfiguration(ReplicaSetClientConfiguration.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				LoadBalancedClients clients = context.getBean(LoadBalancedClients.class);
				assertThat(clients.getClients()).extracting(LoadBalancedClient::getName)
					.containsExactlyInAnyOrder("mongo", "replicaSetClient");
				LoadBalancedClient replicaSet = clients.getClient("replicaSetClient");
				assertThat(replicaSet.isLoadBalanced()).isFalse();
				assertThat(replicaSet.getTopology()).isNull();
				assertThat(replicaSet.getMode().reason()).contains("replica set rs0")
					.contains("the starter leaves this client as it is");
				ClusterSettings settings = context.getBean("replicaSetClient", MongoClient.class)
					.getClusterDescription()
					.getClusterSettings();
				assertThat(settings.getMode()).isEqualTo(ClusterConnectionMode.MULTIPLE);
				assertThat(settings.getRequiredReplicaSetName()).isEqualTo("rs0");
				assertThat(clients.getClient("mongo").isLoadBalanced()).isTrue();
				assertThat(clients.getClient("mongo").getTopology())
					.isSameAs(context.getBean(LoadBalancedTopology.class));
				// Health: the one load-balanced client, as simple as with one client.
				assertThat(context.getBean(HealthContributorRegistry.class).getContributor("mongodbLoadBalancer"))
					.isInstanceOf(LoadBalancerHealthIndicator.class);
				assertThat(clientsOf(context)).containsOnlyKeys("mongo", "replicaSetClient")
					.hasEntrySatisfying("mongo", (entry) -> assertThat(entry).containsEntry("loadBalanced", true))
					.hasEntrySatisfying("replicaSetClient",
							(entry) -> assertThat(entry).containsEntry("loadBalanced", false)
								.hasEntrySatisfying("reason", (reason) -> assertThat((String) reason).contains("rs0")));
			});
	}

	@Test
	void aSecondClientWhoseOwnSettingsAreLoadBalancedGetsAModelOfItsOwn() {
		try (EmbeddedLoadBalancedMongo other = EmbeddedLoadBalancedMongo.builder().fronts(1).start()) {
			this.runner.withConfiguration(AutoConfigurations.of(MongoAutoConfiguration.class))
				.withUserConfiguration(OwnLoadBalancedClientConfiguration.class)
				.withPropertyValues("other.uri=" + other.getConnectionString())
				.run((context) -> {
					assertThat(context).hasNotFailed();
					LoadBalancedClients clients = context.getBean(LoadBalancedClients.class);
					assertThat(clients.getLoadBalancedClients()).extracting(LoadBalancedClient::getName)
						.containsExactlyInAnyOrder("mongo", "otherClient");
					LoadBalancedClient own = clients.getClient("otherClient");
					assertThat(own.getMode().loadBalancerAddress()).isEqualTo("127.0.0.1:" + other.getBalancerPort());
					assertThat(own.getMode().requestedBy()).isEqualTo("loadBalanced=true in the client's own settings");
					assertThat(own.getTopology()).isNotNull().isNotSameAs(clients.getClient("mongo").getTopology());
					Mono.from(context.getBean("otherClient", MongoClient.class)
						.getDatabase("admin")
						.runCommand(new Document("ping", 1))).block(WAIT);
					assertThat(own.getTopology().snapshot().services()).extracting(ServiceSnapshot::serviceId)
						.containsExactlyElementsOf(other.getServiceIds());
					CompositeReactiveHealthContributor composite = (CompositeReactiveHealthContributor) context
						.getBean(ReactiveHealthContributorRegistry.class)
						.getContributor("mongodbLoadBalancer");
					Health health = ((ReactiveHealthIndicator) composite.getContributor("otherClient")).health()
						.block(WAIT);
					assertThat(health.getStatus()).isEqualTo(Status.UP);
					assertThat(health.getDetails()).containsEntry("loadBalancer",
							"127.0.0.1:" + other.getBalancerPort());
					assertThat(((ReactiveHealthIndicator) composite.getContributor("mongo")).health()
						.block(WAIT)
						.getStatus()).isEqualTo(Status.UP);
				});
		}
	}

	private static long commands(LoadBalancedTopology topology) {
		return topology.snapshot()
			.services()
			.stream()
			.mapToLong((service) -> service.commandsSucceeded() + service.commandsFailed())
			.sum();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Map<String, Object>> clientsOf(AssertableApplicationContext context) {
		return (Map<String, Map<String, Object>>) context.getBean(LoadBalancedEndpoint.class).topology().get("clients");
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnLoadBalancedClientConfiguration {

		// A second client on another balancer, its own connection string saying
		// loadBalanced=true.
		@Bean
		MongoClient otherClient(ObjectProvider<MongoClientSettingsBuilderCustomizer> customizers,
				Environment environment) {
			MongoClientSettings.Builder builder = MongoClientSettings.builder()
				.applyConnectionString(new ConnectionString(environment.getRequiredProperty("other.uri")));
			customizers.orderedStream()
				.filter((customizer) -> !(customizer instanceof StandardMongoClientSettingsBuilderCustomizer))
				.forEach((customizer) -> customizer.customize(builder));
			return MongoClients.create(builder.build());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ReplicaSetClientConfiguration {

		// A second client of the application's own, built through Spring Boot's
		// customizers but on its own connection string (Boot's standard customizer would
		// replace it with the application's connection).
		@Bean
		MongoClient replicaSetClient(ObjectProvider<MongoClientSettingsBuilderCustomizer> customizers) {
			MongoClientSettings.Builder builder = MongoClientSettings.builder()
				.applyConnectionString(new ConnectionString(
						"mongodb://127.0.0.1:1,127.0.0.1:2/?replicaSet=rs0&serverSelectionTimeoutMS=200"));
			customizers.orderedStream()
				.filter((customizer) -> !(customizer instanceof StandardMongoClientSettingsBuilderCustomizer))
				.forEach((customizer) -> customizer.customize(builder));
			return MongoClients.create(builder.build());
		}

	}

}
