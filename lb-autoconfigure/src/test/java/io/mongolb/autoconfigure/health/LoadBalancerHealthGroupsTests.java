package io.mongolb.autoconfigure.health;

import java.time.Duration;
import java.util.Map;

import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.actuate.endpoint.CompositeHealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroup;
import org.springframework.boot.health.actuate.endpoint.HealthEndpointGroups;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The recommended health groups for Kubernetes, in a real {@link SpringApplication} start
 * (which publishes the liveness and readiness states as a deployed application does),
 * with the real driver and the embedded load balancer: {@code mongodbLoadBalancer} in the
 * readiness group, never in liveness, so that a balancer outage takes the pods out of the
 * service instead of having Kubernetes restart every one of them. Closing the embedded
 * server is the outage.
 */
class LoadBalancerHealthGroupsTests {

	private EmbeddedLoadBalancedMongo mongo;

	@BeforeEach
	void start() {
		this.mongo = EmbeddedLoadBalancedMongo.builder().fronts(1).start();
	}

	@AfterEach
	void stop() {
		this.mongo.close();
	}

	@Test
	void readinessGoesDownWithTheBalancerWhileLivenessStaysUp() {
		try (ConfigurableApplicationContext context = startApplication(
				"--management.endpoint.health.group.readiness.include=readinessState,mongodbLoadBalancer")) {
			HealthEndpoint health = context.getBean(HealthEndpoint.class);
			HealthEndpointGroups groups = context.getBean(HealthEndpointGroups.class);
			HealthEndpointGroup liveness = groups.get("liveness");
			HealthEndpointGroup readiness = groups.get("readiness");
			assertThat(liveness.isMember("mongodbLoadBalancer")).isFalse();
			assertThat(readiness.isMember("mongodbLoadBalancer")).isTrue();

			assertThat(components(health, "readiness")).containsOnlyKeys("readinessState", "mongodbLoadBalancer");
			// The first check opens the first connection (TCP, PROXY header, handshake):
			// on a busy machine that can outlast the health timeout once.
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(health.healthForPath("readiness").getStatus()).isEqualTo(Status.UP));
			assertThat(health.healthForPath("liveness").getStatus()).isEqualTo(Status.UP);

			this.mongo.close();

			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(health.healthForPath("readiness").getStatus()).isEqualTo(Status.DOWN));
			Map<String, HealthDescriptor> readinessComponents = components(health, "readiness");
			assertThat(readinessComponents.get("mongodbLoadBalancer").getStatus()).isEqualTo(Status.DOWN);
			assertThat(readinessComponents.get("readinessState").getStatus()).isEqualTo(Status.UP);
			// What the probe gets over HTTP: 503 for readiness, 200 for liveness.
			assertThat(readiness.getHttpCodeStatusMapper().getStatusCode(Status.DOWN)).isEqualTo(503);
			HealthDescriptor livenessNow = health.healthForPath("liveness");
			assertThat(livenessNow.getStatus()).isEqualTo(Status.UP);
			assertThat(liveness.getHttpCodeStatusMapper().getStatusCode(livenessNow.getStatus())).isEqualTo(200);
			assertThat(components(health, "liveness")).containsOnlyKeys("livenessState");
			// The contributor on its own path, for a look at its cause.
			assertThat(health.healthForPath("mongodbLoadBalancer").getStatus()).isEqualTo(Status.DOWN);
		}
	}

	@Test
	void withoutTheIncludeReadinessIgnoresTheBalancer() {
		// Spring Boot's default probe groups: the outage shows on /actuator/health only.
		try (ConfigurableApplicationContext context = startApplication()) {
			HealthEndpoint health = context.getBean(HealthEndpoint.class);
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(
						() -> assertThat(health.healthForPath("mongodbLoadBalancer").getStatus()).isEqualTo(Status.UP));

			this.mongo.close();

			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(health.health().getStatus()).isEqualTo(Status.DOWN));
			assertThat(health.healthForPath("mongodbLoadBalancer").getStatus()).isEqualTo(Status.DOWN);
			assertThat(health.healthForPath("readiness").getStatus()).isEqualTo(Status.UP);
			assertThat(health.healthForPath("liveness").getStatus()).isEqualTo(Status.UP);
			assertThat(components(health, "readiness")).containsOnlyKeys("readinessState");
		}
	}

	private ConfigurableApplicationContext startApplication(String... more) {
		SpringApplication application = new SpringApplication(App.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		// Short time-outs; the health timeout leaves room for the first connection's
		// set-up on a busy machine (the outage itself is a refused connection, at once).
		String[] args = {
				"--spring.mongodb.uri=" + this.mongo.getConnectionString()
						+ "&serverSelectionTimeoutMS=500&connectTimeoutMS=500",
				"--mongodb.load-balanced.health.timeout=2s", "--management.endpoint.health.probes.enabled=true",
				// Only to read the components through the Java API; not part of the
				// recommended configuration.
				"--management.endpoint.health.show-details=always", "--spring.main.banner-mode=off" };
		String[] all = new String[args.length + more.length];
		System.arraycopy(args, 0, all, 0, args.length);
		System.arraycopy(more, 0, all, args.length, more.length);
		return application.run(all);
	}

	private static Map<String, HealthDescriptor> components(HealthEndpoint health, String group) {
		HealthDescriptor descriptor = health.healthForPath(group);
		assertThat(descriptor).isInstanceOf(CompositeHealthDescriptor.class);
		return ((CompositeHealthDescriptor) descriptor).getComponents();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class App {

	}

}
