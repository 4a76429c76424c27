package io.mongolb.autoconfigure;

import java.time.Duration;

import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for MongoDB's load-balanced mode, bound from
 * {@code mongodb.load-balanced.*}.
 * <p>
 * The connection itself is still configured with Spring Boot's {@code spring.mongodb.*}
 * properties (or any {@code MongoConnectionDetails} bean); these properties only say
 * whether load-balanced mode is required and how the starter watches it.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("mongodb.load-balanced")
public class LoadBalancedProperties {

	/**
	 * Whether load-balanced mode is required. Unset: follow the connection string
	 * (loadBalanced=true in the URI or in the DNS TXT record of a mongodb+srv URI). true:
	 * load-balanced mode is required; it is added when the connection string does not set
	 * it, and start-up fails when the connection string says loadBalanced=false. false:
	 * the starter contributes nothing.
	 */
	private @Nullable Boolean enabled;

	/**
	 * Whether to fail start-up when the connection string breaks a load-balanced rule
	 * (more than one host, replicaSet, directConnection=true, srvMaxHosts > 0). When
	 * false, the problem is logged as a warning, the starter does not apply load-balanced
	 * mode itself, and the MongoDB driver decides.
	 */
	private boolean failFast = true;

	private final Health health = new Health();

	private final Metrics metrics = new Metrics();

	private final Pinning pinning = new Pinning();

	private final Events events = new Events();

	private final Observations observations = new Observations();

	private final Mdc mdc = new Mdc();

	private final Balancer balancer = new Balancer();

	public @Nullable Boolean getEnabled() {
		return this.enabled;
	}

	public void setEnabled(@Nullable Boolean enabled) {
		this.enabled = enabled;
	}

	/**
	 * What {@link #getEnabled() enabled} asks of the load-balanced decision.
	 * @return the requirement for its three states
	 */
	public LoadBalancedMode.Requirement requirement() {
		return LoadBalancedMode.Requirement.of(this.enabled);
	}

	public boolean isFailFast() {
		return this.failFast;
	}

	public void setFailFast(boolean failFast) {
		this.failFast = failFast;
	}

	public Health getHealth() {
		return this.health;
	}

	public Metrics getMetrics() {
		return this.metrics;
	}

	public Pinning getPinning() {
		return this.pinning;
	}

	public Events getEvents() {
		return this.events;
	}

	public Observations getObservations() {
		return this.observations;
	}

	public Mdc getMdc() {
		return this.mdc;
	}

	public Balancer getBalancer() {
		return this.balancer;
	}

	// Binding reports these messages together with the property name, the value and its
	// origin.
	private static void requirePositive(Duration value, String expected) {
		if (value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException("must be " + expected + ", was " + value);
		}
	}

	private static void requireAtLeastOne(int value) {
		if (value < 1) {
			throw new IllegalArgumentException("must be at least 1, was " + value);
		}
	}

	/**
	 * Health contributor settings.
	 */
	public static class Health {

		/**
		 * Whether to register the 'mongodbLoadBalancer' health contributor.
		 */
		private boolean enabled = true;

		/**
		 * Upper bound on the health probe: one ping through the load balancer, connection
		 * check-out included.
		 */
		private Duration timeout = Duration.ofSeconds(2);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			requirePositive(timeout, "a positive duration such as 2s");
			this.timeout = timeout;
		}

	}

	/**
	 * Per-service meters and the bounds of the per-service state.
	 */
	public static class Metrics {

		/**
		 * The shortest accepted expire-after.
		 */
		static final Duration MIN_EXPIRE_AFTER = Duration.ofMinutes(1);

		/**
		 * Whether to bind the per-service meters (mongodb.lb.*) when a MeterRegistry bean
		 * exists.
		 */
		private boolean enabled = true;

		/**
		 * Maximum number of serviceIds (mongos instances behind the balancer) tracked at
		 * once, and so of service.id values per meter. When a new service appears at the
		 * bound, the one idle longest with no open connection is evicted and its meters
		 * are removed; when every tracked service has open connections, the newcomer is
		 * counted as untracked.
		 */
		private int maxServices = 32;

		/**
		 * How long a service may have no open connection and serve no command before it
		 * stops being tracked: its meters are removed and its snapshot entry goes. At
		 * least 1m.
		 */
		private Duration expireAfter = Duration.ofHours(1);

		/**
		 * Whether to add a service.id tag to Micrometer's mongodb.driver.commands meters
		 * (Spring Boot's MongoDB command metrics). Their meters of a service are removed
		 * when it stops being tracked.
		 */
		private boolean driverCommandsServiceTag;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getMaxServices() {
			return this.maxServices;
		}

		public void setMaxServices(int maxServices) {
			requireAtLeastOne(maxServices);
			this.maxServices = maxServices;
		}

		public Duration getExpireAfter() {
			return this.expireAfter;
		}

		public void setExpireAfter(Duration expireAfter) {
			if (expireAfter.compareTo(MIN_EXPIRE_AFTER) < 0) {
				throw new IllegalArgumentException("must be at least 1m (a shorter time would drop the meters "
						+ "of services between two bursts of traffic), was " + expireAfter);
			}
			this.expireAfter = expireAfter;
		}

		public boolean isDriverCommandsServiceTag() {
			return this.driverCommandsServiceTag;
		}

		public void setDriverCommandsServiceTag(boolean driverCommandsServiceTag) {
			this.driverCommandsServiceTag = driverCommandsServiceTag;
		}

	}

	/**
	 * Pinned-connection settings.
	 */
	public static class Pinning {

		/**
		 * How long a connection may stay checked out (pinned by a cursor or a
		 * transaction, or running a long operation) before it is reported as a possible
		 * leak.
		 */
		private Duration leakThreshold = Duration.ofSeconds(30);

		public Duration getLeakThreshold() {
			return this.leakThreshold;
		}

		public void setLeakThreshold(Duration leakThreshold) {
			requirePositive(leakThreshold, "a positive duration such as 30s");
			this.leakThreshold = leakThreshold;
		}

	}

	/**
	 * Recent-events settings.
	 */
	public static class Events {

		/**
		 * Number of recent topology, service and connection-pool events kept in memory.
		 */
		private int capacity = 256;

		public int getCapacity() {
			return this.capacity;
		}

		public void setCapacity(int capacity) {
			requireAtLeastOne(capacity);
			this.capacity = capacity;
		}

		/**
		 * Number of events (services discovered, evicted or expired, pool clears,
		 * pinned-connection leaks and their release) that may wait to be published as
		 * Spring application events while listeners are busy; beyond it, new events are
		 * dropped and counted, so that a slow listener never holds up a command.
		 */
		private int publishCapacity = 256;

		public int getPublishCapacity() {
			return this.publishCapacity;
		}

		public void setPublishCapacity(int publishCapacity) {
			requireAtLeastOne(publishCapacity);
			this.publishCapacity = publishCapacity;
		}

	}

	/**
	 * Tracing with the MongoDB driver's own Micrometer observations (experimental: the
	 * driver's observability API is alpha).
	 */
	public static class Observations {

		/**
		 * Whether to wire the MongoDB driver's own Micrometer observations (operation and
		 * command spans, driver 5.7 or later) to the application's ObservationRegistry,
		 * adding the serviceId of the mongos that served each command as the
		 * high-cardinality key 'mongodb.service.id'. Applies only in load-balanced mode.
		 * Experimental, as the driver's observability API is alpha.
		 */
		private boolean enabled;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * Logging MDC settings.
	 */
	public static class Mdc {

		/**
		 * Whether to put the serviceId of the mongos that served the last command in the
		 * logging MDC, under the key 'mongodb.serviceId', for the duration of each
		 * servlet request. The key is written when the serviceId changes and removed when
		 * the request ends.
		 */
		private boolean enabled;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * What the starter knows of the load balancer in front of mongos.
	 */
	public static class Balancer {

		/**
		 * Idle timeout of the load balancer: how long it keeps a connection with no
		 * traffic before closing it (HAProxy: the lower of 'timeout client' and 'timeout
		 * server'; Envoy tcp_proxy: 'idle_timeout', 1h by default; AWS NLB: 350s by
		 * default). When set and the pool's maximum idle time (maxIdleTimeMS) is unset,
		 * the starter sets it to 80% of this timeout; when the pool's final maximum idle
		 * time is unset or not below it, a warning says so at start-up. Unset by default:
		 * nothing is checked.
		 */
		private @Nullable Duration idleTimeout;

		public @Nullable Duration getIdleTimeout() {
			return this.idleTimeout;
		}

		public void setIdleTimeout(@Nullable Duration idleTimeout) {
			if (idleTimeout != null) {
				requirePositive(idleTimeout, "a positive duration such as 350s (an AWS NLB's default)");
			}
			this.idleTimeout = idleTimeout;
		}

	}

}
