package io.mongolb.autoconfigure.health;

import com.mongodb.client.MongoClient;
import io.mongolb.autoconfigure.LoadBalancedMode;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.LoadBalancedProperties;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code mongodbLoadBalancer} health contributor. It can be switched off with
 * {@code mongodb.load-balanced.health.enabled=false} or Spring Boot's
 * {@code management.health.mongodb-load-balancer.enabled=false}.
 * <p>
 * The contributor exists only when the {@link LoadBalancedMode} is active: for a client that is not load-balanced,
 * the bean method returns {@code null}, which Spring skips when it collects health contributors, so the health
 * endpoint stays as plain Spring Boot has it.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = LoadBalancedMongoAutoConfiguration.class)
@ConditionalOnClass({ MongoClient.class, HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean({ MongoClient.class, LoadBalancedMode.class, LoadBalancedTopology.class })
@ConditionalOnBooleanProperty(name = "mongodb.load-balanced.health.enabled", matchIfMissing = true)
@ConditionalOnEnabledHealthIndicator("mongodb-load-balancer")
public final class LoadBalancerHealthContributorAutoConfiguration {

	LoadBalancerHealthContributorAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean(name = "mongodbLoadBalancerHealthIndicator")
	@Nullable LoadBalancerHealthIndicator mongodbLoadBalancerHealthIndicator(MongoClient client,
			LoadBalancedTopology topology, LoadBalancedMode mode, LoadBalancedProperties properties) {
		if (!mode.active()) {
			return null;
		}
		return new LoadBalancerHealthIndicator(client, topology, mode, properties.getHealth().getTimeout());
	}

}
