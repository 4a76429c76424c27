package io.mongolb.autoconfigure.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mongolb.autoconfigure.ConditionalOnBooleanSetting;
import io.mongolb.autoconfigure.LoadBalancedClient;
import io.mongolb.autoconfigure.LoadBalancedClients;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.LoadBalancedProperties;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.CompositeReactiveHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.ReactiveHealthContributor;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.health.registry.ReactiveHealthContributorRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

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
 * <p>
 * Either driver will do. A synchronous client gets a {@link LoadBalancerHealthIndicator};
 * a reactive one a {@link LoadBalancerReactiveHealthIndicator}, registered with Spring
 * Boot's {@link ReactiveHealthContributorRegistry} when there is one. With one
 * load-balanced client, {@code mongodbLoadBalancer} is that client's indicator, as it has
 * always been; with several, it is a composite with one member per client, named after
 * its bean ({@code mongo}, {@code reactiveStreamsMongoClient}, ...).
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = LoadBalancedMongoAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, HealthContributorRegistry.class,
		ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean({ LoadBalancedMode.class, LoadBalancedTopology.class })
@ConditionalOnBooleanSetting(name = "mongodb.load-balanced.health.enabled", matchIfMissing = true)
@ConditionalOnEnabledHealthIndicator("mongodb-load-balancer")
public final class LoadBalancerHealthContributorAutoConfiguration {

	private static final String SYNC_CLIENT = "com.mongodb.client.MongoClient";

	private static final String REACTIVE_CLIENT = "com.mongodb.reactivestreams.client.MongoClient";

	private static final String MONO = "reactor.core.publisher.Mono";

	private LoadBalancerHealthContributorAutoConfiguration() {
	}

	// Static and lazy (ObjectProvider): a post-processor must not pull the client in
	// before it is due.
	@Bean
	@ConditionalOnMissingBean(name = "mongodbLoadBalancerHealthIndicator")
	static LoadBalancerHealthContributorRegistrar mongodbLoadBalancerHealthContributorRegistrar(
			ObjectProvider<LoadBalancedMode> mode, ObjectProvider<LoadBalancedClients> clients,
			ObjectProvider<LoadBalancedTopology> topology, ObjectProvider<LoadBalancedProperties> properties) {
		return new LoadBalancerHealthContributorRegistrar(mode, clients, topology, properties);
	}

	/**
	 * Registers the contributor with the registry when it is created, if the decision is
	 * active.
	 */
	static final class LoadBalancerHealthContributorRegistrar
			implements BeanPostProcessor, BeanFactoryAware, BeanClassLoaderAware {

		static final String NAME = "mongodbLoadBalancer";

		private final ObjectProvider<LoadBalancedMode> mode;

		private final ObjectProvider<LoadBalancedClients> clients;

		private final ObjectProvider<LoadBalancedTopology> topology;

		private final ObjectProvider<LoadBalancedProperties> properties;

		private @Nullable ListableBeanFactory beanFactory;

		private boolean syncPresent;

		private boolean reactivePresent;

		private @Nullable Map<String, Object> indicators;

		LoadBalancerHealthContributorRegistrar(ObjectProvider<LoadBalancedMode> mode,
				ObjectProvider<LoadBalancedClients> clients, ObjectProvider<LoadBalancedTopology> topology,
				ObjectProvider<LoadBalancedProperties> properties) {
			this.mode = mode;
			this.clients = clients;
			this.topology = topology;
			this.properties = properties;
		}

		@Override
		public void setBeanFactory(BeanFactory beanFactory) {
			this.beanFactory = (beanFactory instanceof ListableBeanFactory listable) ? listable : null;
		}

		@Override
		public void setBeanClassLoader(ClassLoader classLoader) {
			this.syncPresent = ClassUtils.isPresent(SYNC_CLIENT, classLoader);
			this.reactivePresent = ClassUtils.isPresent(REACTIVE_CLIENT, classLoader)
					&& ClassUtils.isPresent(MONO, classLoader);
		}

		@Override
		public Object postProcessAfterInitialization(Object bean, String beanName) {
			if (bean instanceof HealthContributorRegistry registry && registry.getContributor(NAME) == null
					&& !toReactiveRegistry()) {
				HealthContributor contributor = blocking(indicators());
				if (contributor != null) {
					registry.registerContributor(NAME, contributor);
				}
			}
			else if (bean instanceof ReactiveHealthContributorRegistry registry && registry.getContributor(NAME) == null
					&& toReactiveRegistry()) {
				ReactiveHealthContributor contributor = ReactiveIndicators.reactive(indicators());
				if (contributor != null) {
					registry.registerContributor(NAME, contributor);
				}
			}
			return bean;
		}

		// A reactive client's indicator goes to the reactive registry, when Spring Boot
		// has one; everything else to the blocking one, as it always did.
		private boolean toReactiveRegistry() {
			if (!this.reactivePresent || this.beanFactory == null || this.beanFactory
				.getBeanNamesForType(ReactiveHealthContributorRegistry.class, true, false).length == 0) {
				return false;
			}
			return indicators().values().stream().anyMatch(ReactiveHealthIndicator.class::isInstance);
		}

		/**
		 * The indicator of each load-balanced client, by client name, created once.
		 * @return the indicators, {@link HealthIndicator} or
		 * {@link ReactiveHealthIndicator}; empty when the decision is not active
		 */
		private synchronized Map<String, Object> indicators() {
			if (this.indicators == null) {
				this.indicators = createIndicators();
			}
			return this.indicators;
		}

		private Map<String, Object> createIndicators() {
			LoadBalancedMode mode = this.mode.getObject();
			if (!mode.active()) {
				return Map.of();
			}
			Duration timeout = this.properties.getObject().getHealth().getTimeout();
			// Creating the clients customizes them: every client is then known.
			Map<String, Object> beans = clientBeans();
			LoadBalancedClients clients = this.clients.getIfAvailable();
			Map<String, Object> indicators = new LinkedHashMap<>();
			List<String> known = new ArrayList<>();
			if (clients != null) {
				for (LoadBalancedClient client : clients.getClients()) {
					known.add(client.getName());
					Object mongoClient = client.getMongoClient();
					LoadBalancedTopology topology = client.getTopology();
					if (client.isLoadBalanced() && mongoClient != null && topology != null) {
						Object indicator = indicator(mongoClient, topology, client.getMode(), timeout);
						if (indicator != null) {
							indicators.put(client.getName(), indicator);
						}
					}
				}
			}
			if (indicators.isEmpty()) {
				// A client built without Spring Boot's customizers: its health says so.
				beans.keySet().removeAll(known);
				if (beans.size() == 1) {
					Map.Entry<String, Object> only = beans.entrySet().iterator().next();
					Object indicator = indicator(only.getValue(), this.topology.getObject(), mode, timeout);
					if (indicator != null) {
						indicators.put(only.getKey(), indicator);
					}
				}
			}
			return indicators;
		}

		private Map<String, Object> clientBeans() {
			Map<String, Object> beans = new LinkedHashMap<>();
			if (this.beanFactory != null) {
				if (this.syncPresent) {
					beans.putAll(SyncIndicators.clients(this.beanFactory));
				}
				if (this.reactivePresent) {
					beans.putAll(ReactiveIndicators.clients(this.beanFactory));
				}
			}
			return beans;
		}

		private @Nullable Object indicator(Object mongoClient, LoadBalancedTopology topology, LoadBalancedMode mode,
				Duration timeout) {
			Object indicator = this.syncPresent ? SyncIndicators.indicator(mongoClient, topology, mode, timeout) : null;
			if (indicator == null && this.reactivePresent) {
				indicator = ReactiveIndicators.indicator(mongoClient, topology, mode, timeout);
			}
			return indicator;
		}

		private static @Nullable HealthContributor blocking(Map<String, Object> indicators) {
			if (indicators.isEmpty()) {
				return null;
			}
			if (indicators.size() == 1) {
				return blocking(indicators.values().iterator().next());
			}
			Map<String, HealthContributor> members = new LinkedHashMap<>();
			indicators.forEach((name, indicator) -> members.put(name, blocking(indicator)));
			return CompositeHealthContributor.fromMap(members);
		}

		private static HealthContributor blocking(Object indicator) {
			return (indicator instanceof HealthIndicator healthIndicator) ? healthIndicator
					: ReactiveIndicators.blocking(indicator);
		}

	}

	/**
	 * The synchronous driver's side: loaded only when it is on the class path.
	 */
	private static final class SyncIndicators {

		static Map<String, ?> clients(ListableBeanFactory beanFactory) {
			return beanFactory.getBeansOfType(com.mongodb.client.MongoClient.class);
		}

		static @Nullable Object indicator(Object client, LoadBalancedTopology topology, LoadBalancedMode mode,
				Duration timeout) {
			return (client instanceof com.mongodb.client.MongoClient sync)
					? new LoadBalancerHealthIndicator(sync, topology, mode, timeout) : null;
		}

	}

	/**
	 * The reactive driver's side: loaded only when it and Reactor are on the class path.
	 */
	private static final class ReactiveIndicators {

		static Map<String, ?> clients(ListableBeanFactory beanFactory) {
			return beanFactory.getBeansOfType(com.mongodb.reactivestreams.client.MongoClient.class);
		}

		static @Nullable Object indicator(Object client, LoadBalancedTopology topology, LoadBalancedMode mode,
				Duration timeout) {
			return (client instanceof com.mongodb.reactivestreams.client.MongoClient reactive)
					? new LoadBalancerReactiveHealthIndicator(reactive, topology, mode, timeout) : null;
		}

		static HealthContributor blocking(Object indicator) {
			return ((ReactiveHealthIndicator) indicator).asHealthContributor();
		}

		static @Nullable ReactiveHealthContributor reactive(Map<String, Object> indicators) {
			if (indicators.isEmpty()) {
				return null;
			}
			if (indicators.size() == 1) {
				return reactive(indicators.values().iterator().next());
			}
			Map<String, ReactiveHealthContributor> members = new LinkedHashMap<>();
			indicators.forEach((name, indicator) -> members.put(name, reactive(indicator)));
			return CompositeReactiveHealthContributor.fromMap(members);
		}

		private static ReactiveHealthContributor reactive(Object indicator) {
			return (indicator instanceof ReactiveHealthIndicator reactive) ? reactive
					: ReactiveHealthContributor.adapt((HealthIndicator) indicator);
		}

	}

}
