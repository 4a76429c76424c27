package io.mongolb.sample;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * On the embedded default, for the live view's failover demonstration: each pooled
 * connection is renewed after {@link #CONNECTION_LIFETIME}, so that a front started again
 * wins back its share of the commands within seconds (the balancer spreads the new
 * connections over the running fronts). Without it, the pool would keep the connections
 * it opened to the other front while that one was stopped for as long as they stay busy.
 * <p>
 * Against your own balancer the sample leaves the pool alone: a maximum lifetime
 * ({@code maxLifeTimeMS} in the connection string) is a choice to make for your own
 * deployment.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "mongodb.load-balanced.embedded.enabled", havingValue = "true")
class LiveViewConfiguration {

	static final Duration CONNECTION_LIFETIME = Duration.ofSeconds(5);

	@Bean
	MongoClientSettingsBuilderCustomizer liveViewConnectionLifetime() {
		return (builder) -> builder.applyToConnectionPoolSettings(
				(pool) -> pool.maxConnectionLifeTime(CONNECTION_LIFETIME.toMillis(), TimeUnit.MILLISECONDS));
	}

}
