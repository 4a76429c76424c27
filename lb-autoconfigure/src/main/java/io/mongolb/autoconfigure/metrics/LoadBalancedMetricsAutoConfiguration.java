package io.mongolb.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.mongodb.MongoCommandTagsProvider;
import io.mongolb.autoconfigure.ConditionalOnBooleanSetting;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of the per-service meters ({@code mongodb.lb.*}) when a
 * {@link MeterRegistry} bean exists and {@code mongodb.load-balanced.metrics.enabled} is
 * not false. The meters are bound only when load-balanced mode is active.
 * <p>
 * With {@code mongodb.load-balanced.metrics.driver-commands-service-tag=true}, the
 * {@link MongoCommandTagsProvider} bean that Micrometer's command listener uses (Spring
 * Boot's default or the application's own) is wrapped by a
 * {@link ServiceIdCommandTagsProvider}, and the {@code mongodb.driver.commands} meters of
 * a service leave the registry when it is no longer tracked.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = LoadBalancedMongoAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, LoadBalancedTopology.class, LoadBalancedMode.class })
@ConditionalOnBooleanSetting(name = "mongodb.load-balanced.metrics.enabled", matchIfMissing = true)
public final class LoadBalancedMetricsAutoConfiguration {

	LoadBalancedMetricsAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean
	LoadBalancedMeterBinder loadBalancedMeterBinder(LoadBalancedTopology topology, LoadBalancedMode mode) {
		return new ModeAwareMeterBinder(topology, mode);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MongoCommandTagsProvider.class)
	@ConditionalOnBooleanSetting(name = "mongodb.load-balanced.metrics.driver-commands-service-tag")
	static final class DriverCommandsServiceTagConfiguration {

		@Bean
		static BeanPostProcessor loadBalancedCommandTagsProviderWrapper(ObjectProvider<LoadBalancedTopology> topology,
				ObjectProvider<LoadBalancedMode> mode) {
			return new BeanPostProcessor() {

				@Override
				public Object postProcessAfterInitialization(Object bean, String beanName) {
					if (bean instanceof MongoCommandTagsProvider provider
							&& !(bean instanceof ServiceIdCommandTagsProvider) && mode.getObject().active()) {
						return new ServiceIdCommandTagsProvider(provider, topology.getObject());
					}
					return bean;
				}

			};
		}

		@Bean
		MeterBinder loadBalancedDriverCommandMetersBinder(LoadBalancedTopology topology, LoadBalancedMode mode) {
			DriverCommandMetersBinder binder = new DriverCommandMetersBinder(topology);
			return (registry) -> {
				if (mode.active()) {
					binder.bindTo(registry);
				}
			};
		}

	}

	/**
	 * Binds the meters only when load-balanced mode is active: otherwise the topology
	 * hears nothing and its meters would be noise.
	 */
	private static final class ModeAwareMeterBinder extends LoadBalancedMeterBinder {

		private final LoadBalancedMode mode;

		ModeAwareMeterBinder(LoadBalancedTopology topology, LoadBalancedMode mode) {
			super(topology);
			this.mode = mode;
		}

		@Override
		public void bindTo(MeterRegistry registry) {
			if (this.mode.active()) {
				super.bindTo(registry);
			}
		}

	}

}
