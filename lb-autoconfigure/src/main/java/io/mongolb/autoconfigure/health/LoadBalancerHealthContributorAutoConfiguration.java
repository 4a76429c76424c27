package io.mongolb.autoconfigure.health;

import java.util.function.Supplier;

import com.mongodb.client.MongoClient;
import io.mongolb.autoconfigure.ConditionalOnBooleanSetting;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.LoadBalancedProperties;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code mongodbLoadBalancer} health contributor. It can be
 * switched off with {@code mongodb.load-balanced.health.enabled=false} or Spring Boot's
 * {@code management.health.mongodb-load-balancer.enabled=false}.
 * <p>
 * The contributor exists only when the {@link LoadBalancedMode} is active, which is known
 * only once the connection details exist, so no condition can decide it: instead of a
 * health bean, a registrar adds the contributor to Spring Boot's
 * {@link HealthContributorRegistry} as that registry is created (before health groups are
 * checked), and only for an active decision. For a client that is not load-balanced, the
 * health endpoint stays as plain Spring Boot has it. An application bean named
 * {@code mongodbLoadBalancerHealthIndicator} replaces the contributor.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = LoadBalancedMongoAutoConfiguration.class)
@ConditionalOnClass({ MongoClient.class, HealthIndicator.class, HealthContributorRegistry.class,
		ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean({ MongoClient.class, LoadBalancedMode.class, LoadBalancedTopology.class })
@ConditionalOnBooleanSetting(name = "mongodb.load-balanced.health.enabled", matchIfMissing = true)
@ConditionalOnEnabledHealthIndicator("mongodb-load-balancer")
public final class LoadBalancerHealthContributorAutoConfiguration {

	private LoadBalancerHealthContributorAutoConfiguration() {
	}

	// Static and lazy (ObjectProvider): a post-processor must not pull the client in
	// before it is due.
	@Bean
	@ConditionalOnMissingBean(name = "mongodbLoadBalancerHealthIndicator")
	static LoadBalancerHealthContributorRegistrar mongodbLoadBalancerHealthContributorRegistrar(
			ObjectProvider<LoadBalancedMode> mode, ObjectProvider<MongoClient> client,
			ObjectProvider<LoadBalancedTopology> topology, ObjectProvider<LoadBalancedProperties> properties) {
		return new LoadBalancerHealthContributorRegistrar(() -> {
			if (!mode.getObject().active()) {
				return null;
			}
			return new LoadBalancerHealthIndicator(client.getObject(), topology.getObject(), mode.getObject(),
					properties.getObject().getHealth().getTimeout());
		});
	}

	/**
	 * Registers the contributor with the registry when it is created, if the decision is
	 * active.
	 */
	static final class LoadBalancerHealthContributorRegistrar implements BeanPostProcessor {

		static final String NAME = "mongodbLoadBalancer";

		private final Supplier<@Nullable LoadBalancerHealthIndicator> indicator;

		LoadBalancerHealthContributorRegistrar(Supplier<@Nullable LoadBalancerHealthIndicator> indicator) {
			this.indicator = indicator;
		}

		@Override
		public Object postProcessAfterInitialization(Object bean, String beanName) {
			if (bean instanceof HealthContributorRegistry registry && registry.getContributor(NAME) == null) {
				LoadBalancerHealthIndicator contributor = this.indicator.get();
				if (contributor != null) {
					registry.registerContributor(NAME, contributor);
				}
			}
			return bean;
		}

	}

}
