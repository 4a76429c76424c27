package io.mongolb.autoconfigure.events;

import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.LoadBalancedProperties;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@link LoadBalancedEventPublisher}: the topology's service,
 * pool-clear and leak events become Spring application events, published on the
 * {@value LoadBalancedEventPublisher#THREAD_NAME} thread through a queue of at most
 * {@code mongodb.load-balanced.events.publish-capacity} events (256 by default).
 * <p>
 * The publisher bean exists whenever the starter's beans do, but it listens and runs its
 * thread only when the {@link LoadBalancedMode} is active, which is known only at run
 * time. To publish nothing, exclude this auto-configuration, or define a
 * {@link LoadBalancedEventPublisher} bean of your own.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = LoadBalancedMongoAutoConfiguration.class)
@ConditionalOnBean({ LoadBalancedTopology.class, LoadBalancedMode.class })
public final class LoadBalancedEventsAutoConfiguration {

	LoadBalancedEventsAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean
	LoadBalancedEventPublisher loadBalancedEventPublisher(LoadBalancedTopology topology, LoadBalancedMode mode,
			LoadBalancedProperties properties, ApplicationEventPublisher applicationEventPublisher) {
		return new LoadBalancedEventPublisher(topology, applicationEventPublisher,
				properties.getEvents().getPublishCapacity(), mode.active());
	}

}
