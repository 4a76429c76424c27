package io.mongolb.sample;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * What the sample is connected to, for the start-up log line and {@code /actuator/info}:
 * never a credential (the address comes from
 * {@link LoadBalancedMode#loadBalancerAddress()}, which has none).
 *
 * @param embedded whether the embedded load-balanced MongoDB serves the application
 * @param loadBalanced whether the {@code MongoClient} is in load-balanced mode
 * @param loadBalancer the LoadBalancer's address, or {@code null} when not load-balanced
 * @param source where the connection comes from
 * @param reason why load-balanced mode is (not) active
 * @param serviceIds the embedded fronts' serviceIds (empty for an external server, whose
 * mongos are only known once they served a command)
 * @param proxyProtocol the PROXY protocol version of the embedded balancer, or
 * {@code null}
 */
record ConnectionMode(boolean embedded, boolean loadBalanced, @Nullable String loadBalancer, String source,
		String reason, List<String> serviceIds, @Nullable String proxyProtocol) {

	/**
	 * Describe the connection in use.
	 * @param mode the starter's decision, or {@code null} when the starter is switched
	 * off
	 * @param embedded the embedded cluster, if one was started
	 * @param connectionHost the first host of the effective connection string
	 * ({@code host:port})
	 * @return the description
	 */
	static ConnectionMode of(@Nullable LoadBalancedMode mode, @Nullable EmbeddedLoadBalancedMongo embedded,
			@Nullable String connectionHost) {
		// The embedded cluster may run while the application talks elsewhere (a
		// MongoConnectionDetails or MongoClientSettings bean of its own): it is in use
		// only when the connection points at its balancer.
		boolean inUse = embedded != null && connectionHost != null
				&& connectionHost.equals(embedded.getHost() + ":" + embedded.getBalancerPort());
		List<String> serviceIds = inUse ? embedded.getServiceIds().stream().map(ObjectId::toHexString).toList()
				: List.of();
		String proxyProtocol = inUse ? embedded.getProxyProtocol().name().toLowerCase(Locale.ROOT) : null;
		if (mode == null) {
			return new ConnectionMode(inUse, false, null, "spring.mongodb.*",
					"the starter is switched off (mongodb.load-balanced.enabled=false)", serviceIds, proxyProtocol);
		}
		String source = inUse ? "the embedded load-balanced MongoDB" : mode.source();
		return new ConnectionMode(inUse, mode.active(), mode.loadBalancerAddress(), source, mode.reason(), serviceIds,
				proxyProtocol);
	}

	String describe() {
		StringBuilder line = new StringBuilder();
		if (this.embedded) {
			line.append("mode: embedded (")
				.append(this.serviceIds.size())
				.append(" mongos-like fronts behind the in-process PROXY ")
				.append(this.proxyProtocol)
				.append(" balancer)");
		}
		else {
			line.append("mode: external, from ").append(this.source);
		}
		if (this.loadBalanced) {
			line.append(", LoadBalancer ").append(this.loadBalancer);
		}
		else {
			line.append(", NOT load-balanced: ").append(this.reason);
		}
		if (this.embedded) {
			line.append(", serviceIds ").append(String.join(", ", this.serviceIds));
		}
		return line.toString();
	}

	Map<String, Object> toInfo() {
		Map<String, Object> info = new LinkedHashMap<>();
		info.put("mode", this.embedded ? "embedded" : "external");
		info.put("loadBalanced", this.loadBalanced);
		if (this.loadBalancer != null) {
			info.put("loadBalancer", this.loadBalancer);
		}
		info.put("source", this.source);
		if (this.embedded) {
			info.put("proxyProtocol", this.proxyProtocol);
			info.put("serviceIds", this.serviceIds);
		}
		return info;
	}

}
