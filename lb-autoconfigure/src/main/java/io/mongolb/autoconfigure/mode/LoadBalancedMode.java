package io.mongolb.autoconfigure.mode;

import org.jspecify.annotations.Nullable;

/**
 * Whether the application's {@code MongoClient} runs in load-balanced mode, and why: the
 * decision taken once at start-up from {@code mongodb.load-balanced.enabled} and the
 * effective connection string (Spring Boot's {@code MongoConnectionDetails}, including a
 * {@code loadBalanced} option from the DNS TXT record of a {@code mongodb+srv} string, or
 * the application's own {@code MongoClientSettings}).
 *
 * @param active whether load-balanced mode is applied
 * @param source where the connection string comes from, e.g. {@code spring.mongodb.uri}
 * @param requestedBy what asked for load-balanced mode, or {@code null} when nothing did
 * @param loadBalancerAddress the load balancer's address ({@code host:port}, or the SRV
 * host name), without credentials; {@code null} when not active
 * @param connectionString the effective connection string with credentials masked
 * @param reason a sentence that explains the decision
 * @since 0.1.0
 */
public record LoadBalancedMode(boolean active, String source, @Nullable String requestedBy,
		@Nullable String loadBalancerAddress, @Nullable String connectionString, String reason) {

	/**
	 * What {@code mongodb.load-balanced.enabled} asks of the decision: the property's
	 * three states.
	 *
	 * @since 0.1.0
	 */
	public enum Requirement {

		/**
		 * {@code true}: load-balanced mode is required; it is added when the connection
		 * string lacks it, and a connection string that says {@code loadBalanced=false}
		 * is an error.
		 */
		REQUIRED,

		/**
		 * Unset: follow the connection string.
		 */
		FOLLOW_CONNECTION_STRING,

		/**
		 * {@code false}: the starter stays out of the way entirely.
		 */
		OFF;

		/**
		 * The requirement that a value of {@code mongodb.load-balanced.enabled} stands
		 * for.
		 * @param enabled the bound value, {@code null} when unset
		 * @return the requirement
		 */
		public static Requirement of(@Nullable Boolean enabled) {
			if (enabled == null) {
				return FOLLOW_CONNECTION_STRING;
			}
			return enabled ? REQUIRED : OFF;
		}

	}

}
