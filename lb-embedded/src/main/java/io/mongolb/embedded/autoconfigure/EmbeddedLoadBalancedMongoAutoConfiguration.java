package io.mongolb.embedded.autoconfigure;

import com.mongodb.ConnectionString;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * Starts an {@link EmbeddedLoadBalancedMongo} when
 * {@code mongodb.load-balanced.embedded.enabled=true} and supplies a
 * {@link MongoConnectionDetails} pointing at its balancer with {@code loadBalanced=true}.
 * <p>
 * Activation is only that explicit property, read as Spring Boot's binder reads a boolean
 * ({@code yes} and {@code on} are true). Ordered before Boot's
 * {@link MongoAutoConfiguration} and its reactive {@code MongoReactiveAutoConfiguration}
 * (either driver, or both), so Boot's properties-based connection details back off and no
 * client of either stack connects anywhere else first: {@code spring.mongodb.uri},
 * {@code host} and {@code port} are then ignored (other {@code spring.mongodb.*} client
 * settings still apply through Boot's customizers). A {@link MongoConnectionDetails} bean
 * defined by the application takes precedence over this one. The cluster is closed with
 * the application context.
 *
 * @since 0.1.0
 */
@AutoConfiguration(before = MongoAutoConfiguration.class,
		beforeName = "org.springframework.boot.mongodb.autoconfigure.MongoReactiveAutoConfiguration")
@ConditionalOnClass({ MongoConnectionDetails.class, ConnectionString.class })
@Conditional(OnEmbeddedEnabledCondition.class)
@EnableConfigurationProperties(EmbeddedLoadBalancedMongoProperties.class)
public final class EmbeddedLoadBalancedMongoAutoConfiguration {

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	EmbeddedLoadBalancedMongo embeddedLoadBalancedMongo(EmbeddedLoadBalancedMongoProperties properties) {
		return EmbeddedLoadBalancedMongo.builder().settings(properties.toSettings()).start();
	}

	@Bean
	@ConditionalOnMissingBean(MongoConnectionDetails.class)
	EmbeddedMongoConnectionDetails embeddedLoadBalancedMongoConnectionDetails(EmbeddedLoadBalancedMongo mongo) {
		return new EmbeddedMongoConnectionDetails(mongo);
	}

}
