package io.mongolb.autoconfigure.health;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.mongodb.connection.ClusterType;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.actuate.endpoint.HealthEndpointAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.health.MongoHealthContributorAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code mongodbLoadBalancer} contributor in a real context with Spring Boot's health
 * registry. The DOWN paths use real sockets on 127.0.0.1 (a closed port; a port that
 * accepts and never answers); the UP path needs a load-balanced server and is tested with
 * the embedded one.
 */
class LoadBalancerHealthIndicatorTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MongoAutoConfiguration.class, LoadBalancedMongoAutoConfiguration.class,
				LoadBalancerHealthContributorAutoConfiguration.class, MongoHealthContributorAutoConfiguration.class,
				HealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class));

	@Test
	void registeredNextToSpringBootsOwnMongoContributorInLoadBalancedMode() {
		this.runner.withPropertyValues("spring.mongodb.uri=mongodb://127.0.0.1:27017/?loadBalanced=true")
			.run((context) -> {
				HealthContributorRegistry registry = context.getBean(HealthContributorRegistry.class);
				assertThat(registry.getContributor("mongodbLoadBalancer"))
					.isInstanceOf(LoadBalancerHealthIndicator.class);
				assertThat(registry.getContributor("mongo")).isNotNull();
			});
	}

	@Test
	void absentWhenTheClientIsNotLoadBalanced() {
		this.runner.withPropertyValues("spring.mongodb.uri=mongodb://127.0.0.1:27017/").run((context) -> {
			HealthContributorRegistry registry = context.getBean(HealthContributorRegistry.class);
			assertThat(registry.getContributor("mongodbLoadBalancer")).isNull();
			assertThat(registry.getContributor("mongo")).isNotNull();
		});
	}

	@Test
	void absentWhenSwitchedOffEitherWay() {
		String uri = "spring.mongodb.uri=mongodb://127.0.0.1:27017/?loadBalanced=true";
		this.runner.withPropertyValues(uri, "mongodb.load-balanced.health.enabled=false")
			.run((context) -> assertThat(registry(context).getContributor("mongodbLoadBalancer")).isNull());
		this.runner.withPropertyValues(uri, "management.health.mongodb-load-balancer.enabled=false")
			.run((context) -> assertThat(registry(context).getContributor("mongodbLoadBalancer")).isNull());
	}

	@Test
	void aHealthGroupCanIncludeTheContributor() {
		// Spring Boot checks group members once every singleton exists: the contributor
		// must be registered by then.
		ApplicationContextRunner withEndpoint = this.runner
			.withConfiguration(AutoConfigurations.of(HealthEndpointAutoConfiguration.class))
			.withPropertyValues("spring.mongodb.uri=mongodb://127.0.0.1:27017/?loadBalanced=true");
		withEndpoint.withPropertyValues("management.endpoint.health.group.lb.include=mongodbLoadBalancer")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(registry(context).getContributor("mongodbLoadBalancer"))
					.isInstanceOf(LoadBalancerHealthIndicator.class);
			});
		// The control: the same check does reject a member that does not exist.
		withEndpoint.withPropertyValues("management.endpoint.health.group.lb.include=noSuchContributor")
			.run((context) -> assertThat(context).hasFailed());
	}

	@Test
	void anApplicationBeanWithTheIndicatorsNameReplacesIt() {
		HealthIndicator own = () -> Health.up().withDetail("own", true).build();
		this.runner.withPropertyValues("spring.mongodb.uri=mongodb://127.0.0.1:27017/?loadBalanced=true")
			.withBean("mongodbLoadBalancerHealthIndicator", HealthIndicator.class, () -> own)
			.run((context) -> assertThat(registry(context).getContributor("mongodbLoadBalancer")).isSameAs(own));
	}

	@Test
	void noHealthBeanOfTheStarterWhenTheClientIsNotLoadBalanced() {
		this.runner.withPropertyValues("spring.mongodb.uri=mongodb://127.0.0.1:27017/")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(LoadBalancerHealthIndicator.class));
	}

	@Test
	void everyBooleanSpellingOfTheSwitchIsReadAsTheBinderReadsIt() {
		String uri = "spring.mongodb.uri=mongodb://127.0.0.1:27017/?loadBalanced=true";
		this.runner.withPropertyValues(uri, "mongodb.load-balanced.health.enabled=no")
			.run((context) -> assertThat(registry(context).getContributor("mongodbLoadBalancer")).isNull());
		this.runner.withPropertyValues(uri, "mongodb.load-balanced.health.enabled=on")
			.run((context) -> assertThat(registry(context).getContributor("mongodbLoadBalancer"))
				.isInstanceOf(LoadBalancerHealthIndicator.class));
	}

	@Test
	void downWithACauseWhenNothingListensAtTheBalancerAddress() throws IOException {
		int port = freePort();
		this.runner
			.withPropertyValues("spring.mongodb.uri=mongodb://app:Sup3rS3cret@127.0.0.1:" + port
					+ "/?loadBalanced=true&authSource=admin", "mongodb.load-balanced.health.timeout=1s")
			.run((context) -> {
				// The driver publishes the topology's SDAM events asynchronously: wait
				// until
				// the model has heard them, so the details name the topology type.
				LoadBalancedTopology topology = context.getBean(LoadBalancedTopology.class);
				await().until(() -> topology.snapshot().topologyType() == ClusterType.LOAD_BALANCED);
				Health health = indicator(context).health();
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
				Map<String, Object> details = health.getDetails();
				assertThat(details).containsEntry("topologyType", "LoadBalanced")
					.containsEntry("serverType", "LoadBalancer")
					.containsEntry("loadBalancer", "127.0.0.1:" + port)
					.containsEntry("servicesSeen", 0);
				assertThat(details)
					.containsEntry("cause",
							"No connection could be opened to 127.0.0.1:" + port
									+ ": check the address and that the load balancer is listening.")
					.containsEntry("error", "com.mongodb.MongoSocketOpenException: Exception opening socket");
				assertThat(details.toString()).doesNotContain("Sup3rS3cret");
			});
	}

	@Test
	void downWithinTheTimeoutWhenTheBalancerNeverAnswers() throws Exception {
		try (SilentServer silent = new SilentServer()) {
			this.runner
				.withPropertyValues("spring.mongodb.uri=mongodb://127.0.0.1:" + silent.port() + "/?loadBalanced=true",
						"mongodb.load-balanced.health.timeout=300ms")
				.run((context) -> {
					long start = System.nanoTime();
					Health health = indicator(context).health();
					long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
					assertThat(health.getStatus()).isEqualTo(Status.DOWN);
					assertThat((String) health.getDetails().get("cause"))
						.startsWith("No answer to ping through 127.0.0.1:" + silent.port() + " within 300 ms");
					// Bounded by the timeout, not by the driver's 30 s defaults (generous
					// margin for slow machines).
					assertThat(elapsedMillis).isLessThan(10_000);
					assertThat(silent.accepted()).isPositive();
				});
		}
	}

	private static HealthContributorRegistry registry(AssertableApplicationContext context) {
		return context.getBean(HealthContributorRegistry.class);
	}

	private static HealthIndicator indicator(AssertableApplicationContext context) {
		return (HealthIndicator) registry(context).getContributor("mongodbLoadBalancer");
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	/**
	 * Accepts connections on 127.0.0.1 and never answers, like a balancer with nothing
	 * healthy behind it that holds connections open.
	 */
	static final class SilentServer implements AutoCloseable {

		private final ServerSocket server;

		private final List<Socket> accepted = new CopyOnWriteArrayList<>();

		private final Thread acceptor;

		SilentServer() throws IOException {
			this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
			this.acceptor = new Thread(() -> {
				while (!this.server.isClosed()) {
					try {
						this.accepted.add(this.server.accept());
					}
					catch (IOException ex) {
						return;
					}
				}
			}, "silent-server");
			this.acceptor.setDaemon(true);
			this.acceptor.start();
		}

		int port() {
			return this.server.getLocalPort();
		}

		int accepted() {
			return this.accepted.size();
		}

		@Override
		public void close() throws Exception {
			this.server.close();
			for (Socket socket : this.accepted) {
				socket.close();
			}
			this.acceptor.join(5_000);
		}

	}

}
