package io.mongolb.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * Whether the application's {@code MongoClient} runs in load-balanced mode, and why: the decision taken once at
 * start-up from {@code mongodb.load-balanced.enabled} and the effective connection string (Spring Boot's
 * {@code MongoConnectionDetails}, including a {@code loadBalanced} option from the DNS TXT record of a
 * {@code mongodb+srv} string).
 *
 * @param active whether load-balanced mode is applied
 * @param source where the connection string comes from, e.g. {@code spring.mongodb.uri}
 * @param requestedBy what asked for load-balanced mode, or {@code null} when nothing did
 * @param loadBalancerAddress the load balancer's address ({@code host:port}, or the SRV host name), without
 * credentials; {@code null} when not active
 * @param connectionString the effective connection string with credentials masked
 * @param reason a sentence that explains the decision
 * @since 0.1.0
 */
public record LoadBalancedMode(boolean active, String source, @Nullable String requestedBy,
		@Nullable String loadBalancerAddress, @Nullable String connectionString, String reason) {

}
