package io.mongolb.autoconfigure.endpoint;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.mongolb.autoconfigure.LoadBalancedClient;
import io.mongolb.autoconfigure.LoadBalancedClients;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.events.LoadBalancedEventPublisher;
import io.mongolb.autoconfigure.events.LoadBalancedEventsAutoConfiguration;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * Auto-configuration of the {@code mongodblb} Actuator endpoint
 * ({@link LoadBalancedEndpoint}).
 * <p>
 * The endpoint follows Spring Boot's rules: it exists only when it is available, that is
 * enabled ({@code management.endpoint.mongodblb.access}) and exposed, over HTTP with
 * {@code management.endpoints.web.exposure.include=mongodblb} (Spring Boot exposes only
 * {@code health} by default). Whether load-balanced mode is active is known only at run
 * time, so the endpoint exists either way and says {@code "loadBalanced": false} when it
 * is not.
 * <p>
 * Each client (synchronous or reactive) that the starter's customizer built is shown
 * under its {@code MongoClient} bean name, with its own topology model, or with
 * {@code "loadBalanced": false} and the reason when its own settings are not
 * load-balanced. Before any client exists, or when load-balanced mode is not active, a
 * client is shown under its {@code MongoClient} bean name when the application has
 * exactly one client and one topology, and under the {@link LoadBalancedTopology} bean
 * names otherwise.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = { LoadBalancedMongoAutoConfiguration.class, LoadBalancedEventsAutoConfiguration.class })
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean({ LoadBalancedTopology.class, LoadBalancedMode.class })
public final class LoadBalancedEndpointAutoConfiguration {

	private static final String[] CLIENT_TYPES = { "com.mongodb.client.MongoClient",
			"com.mongodb.reactivestreams.client.MongoClient" };

	LoadBalancedEndpointAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	LoadBalancedEndpoint loadBalancedEndpoint(ListableBeanFactory beanFactory, LoadBalancedMode mode,
			ObjectProvider<LoadBalancedClients> registry, ObjectProvider<LoadBalancedEventPublisher> publishers) {
		return new LoadBalancedEndpoint(() -> {
			LoadBalancedClients known = registry.getIfAvailable();
			if (known != null && !known.getClients().isEmpty()) {
				// Each client the customizer saw, by bean name, with its own decision.
				return known.getClients();
			}
			List<LoadBalancedClient> clients = new ArrayList<>();
			Map<String, LoadBalancedTopology> topologies = beanFactory.getBeansOfType(LoadBalancedTopology.class);
			List<String> clientNames = clientNames(beanFactory);
			if (topologies.size() == 1 && clientNames.size() == 1) {
				clients
					.add(new LoadBalancedClient(clientNames.get(0), mode, topologies.values().iterator().next(), null));
			}
			else {
				topologies.forEach((name, topology) -> clients.add(new LoadBalancedClient(name, mode, topology, null)));
			}
			return clients;
		}, mode, publishers.orderedStream().toList());
	}

	private static List<String> clientNames(ListableBeanFactory beanFactory) {
		List<String> names = new ArrayList<>();
		ClassLoader classLoader = LoadBalancedEndpointAutoConfiguration.class.getClassLoader();
		for (String type : CLIENT_TYPES) {
			if (ClassUtils.isPresent(type, classLoader)) {
				// Without initialising anything: the names are enough.
				names.addAll(List
					.of(beanFactory.getBeanNamesForType(ClassUtils.resolveClassName(type, classLoader), true, false)));
			}
		}
		return names;
	}

}
