package io.mongolb.autoconfigure;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.uri.LoadBalancedModeResolver;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.boot.mongodb.autoconfigure.MongoProperties;
import org.springframework.boot.mongodb.autoconfigure.PropertiesMongoConnectionDetails;
import org.springframework.boot.mongodb.autoconfigure.StandardMongoClientSettingsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration for MongoDB's load-balanced mode.
 * <p>
 * Off entirely with {@code mongodb.load-balanced.enabled=false}. Otherwise, whether load-balanced mode applies is
 * decided once, from that property and the effective connection string of Spring Boot's
 * {@link MongoConnectionDetails} (so {@code spring.mongodb.*}, a user-defined details bean and the embedded server are
 * treated alike): that decision is the {@link LoadBalancedMode} bean, and it enforces the load-balanced rules before
 * any client exists. When it is not active, every bean here stays inert and the application behaves as plain Spring
 * Boot. When the application defines its own {@code MongoClientSettings} bean (Spring Boot then ignores
 * {@code spring.mongodb.*}), the decision is taken from those settings instead.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = MongoAutoConfiguration.class,
		afterName = "org.springframework.boot.mongodb.autoconfigure.MongoReactiveAutoConfiguration")
@ConditionalOnClass({ ConnectionString.class, MongoConnectionDetails.class })
@ConditionalOnBooleanProperty(name = "mongodb.load-balanced.enabled", matchIfMissing = true)
@ConditionalOnBean(MongoConnectionDetails.class)
@EnableConfigurationProperties(LoadBalancedProperties.class)
public final class LoadBalancedMongoAutoConfiguration {

	LoadBalancedMongoAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean
	LoadBalancedMode loadBalancedMode(LoadBalancedProperties properties, Environment environment,
			MongoConnectionDetails connectionDetails, ObjectProvider<MongoProperties> mongoProperties,
			ObjectProvider<StandardMongoClientSettingsBuilderCustomizer> standardCustomizer,
			ObjectProvider<MongoClientSettings> settings, ListableBeanFactory beanFactory) {
		LoadBalancedModeResolver resolver = new LoadBalancedModeResolver(properties, environment);
		MongoClientSettings userSettings = settings.getIfUnique();
		if (standardCustomizer.getIfAvailable() == null && userSettings != null) {
			// Spring Boot applies neither spring.mongodb.* nor the connection details to an application's own
			// MongoClientSettings: the client starts from those settings, so decide from them.
			return resolver.resolve(userSettings, describe(MongoClientSettings.class, userSettings, beanFactory));
		}
		return resolver.resolve(connectionDetails, describe(connectionDetails, beanFactory),
				mongoProperties.getIfAvailable());
	}

	@Bean
	@ConditionalOnMissingBean
	LoadBalancedTopology loadBalancedTopology(LoadBalancedProperties properties) {
		return new LoadBalancedTopology(properties.getMetrics().getMaxServices(),
				properties.getPinning().getLeakThreshold(), properties.getEvents().getCapacity(),
				new LoadBalancedTopology.Hints(
						"raise mongodb.load-balanced.metrics.max-services above the number of mongos"));
	}

	@Bean
	@ConditionalOnMissingBean
	LoadBalancedMongoClientSettingsBuilderCustomizer loadBalancedMongoClientSettingsBuilderCustomizer(
			LoadBalancedMode mode, LoadBalancedTopology topology) {
		return new LoadBalancedMongoClientSettingsBuilderCustomizer(mode, topology);
	}

	private static String describe(MongoConnectionDetails connectionDetails, ListableBeanFactory beanFactory) {
		if (connectionDetails instanceof PropertiesMongoConnectionDetails) {
			return "spring.mongodb.* properties";
		}
		return describe(MongoConnectionDetails.class, connectionDetails, beanFactory);
	}

	private static String describe(Class<?> type, Object bean, ListableBeanFactory beanFactory) {
		String[] names = beanFactory.getBeanNamesForType(type);
		String name = (names.length == 1) ? "'" + names[0] + "' " : "";
		return "the " + type.getSimpleName() + " bean " + name + "(" + bean.getClass().getName() + ")";
	}

}
