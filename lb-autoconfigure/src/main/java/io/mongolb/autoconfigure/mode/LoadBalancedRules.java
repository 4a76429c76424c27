package io.mongolb.autoconfigure.mode;

import java.util.ArrayList;
import java.util.List;

import io.mongolb.autoconfigure.mode.ConnectionSettings.Option;
import io.mongolb.autoconfigure.mode.LoadBalancedMode.Requirement;
import org.jspecify.annotations.Nullable;

/**
 * The one checker of the rules of load-balanced mode: exactly one host, no replica set,
 * no {@code directConnection=true}, no {@code srvMaxHosts} above 0, and no
 * {@code loadBalanced=false} when {@code mongodb.load-balanced.enabled=true} requires the
 * mode. Every source of connection settings is first read into
 * {@link ConnectionSettings}; each broken rule comes back as a
 * {@link LoadBalancedRuleViolation} worded here, and only here, naming the option, its
 * value and the fix. Credentials never appear.
 */
final class LoadBalancedRules {

	static final String ENABLED_PROPERTY = "mongodb.load-balanced.enabled";

	private static final String VALUE_NOT_SHOWN = "(set, value not shown by the driver)";

	private LoadBalancedRules() {
	}

	/**
	 * Whether load-balanced mode is asked for, by the requirement or by the settings
	 * themselves.
	 * @param settings the settings
	 * @param requirement what {@code mongodb.load-balanced.enabled} says
	 * @return whether the rules apply
	 */
	static boolean requested(ConnectionSettings settings, Requirement requirement) {
		Option<Boolean> loadBalanced = settings.loadBalanced();
		return requirement == Requirement.REQUIRED
				|| (requirement != Requirement.OFF && loadBalanced != null && loadBalanced.value());
	}

	/**
	 * Check the settings of one source.
	 * @param settings the settings
	 * @param requirement what {@code mongodb.load-balanced.enabled} says
	 * @return the broken rules, empty when load-balanced mode is not requested or every
	 * rule holds
	 */
	static List<LoadBalancedRuleViolation> check(ConnectionSettings settings, Requirement requirement) {
		List<LoadBalancedRuleViolation> violations = new ArrayList<>();
		Option<Boolean> loadBalanced = settings.loadBalanced();
		if (requirement == Requirement.REQUIRED && loadBalanced != null && !loadBalanced.value()) {
			violations.add(conflict(loadBalanced));
		}
		if (!requested(settings, requirement)) {
			return violations;
		}
		Option<List<String>> hosts = settings.hosts();
		if (hosts != null && hosts.value().size() > 1) {
			violations.add(multipleHosts(hosts));
		}
		if (settings.replicaSet() != null) {
			violations.add(replicaSet(settings.replicaSet()));
		}
		Option<Boolean> directConnection = settings.directConnection();
		if (directConnection != null && directConnection.value()) {
			violations.add(directConnection(directConnection));
		}
		Option<Integer> srvMaxHosts = settings.srvMaxHosts();
		if (srvMaxHosts != null && srvMaxHosts.value() > 0) {
			violations.add(srvMaxHosts(srvMaxHosts));
		}
		return violations;
	}

	/**
	 * Translate the driver's terse {@link IllegalArgumentException} for a load-balanced
	 * rule into a violation.
	 * @param ex the driver's exception
	 * @param raw the raw connection string, when known, to report the offending value
	 * @param uriOrigin where the connection string comes from
	 * @param txtOrigin the DNS TXT record, for {@code mongodb+srv} strings
	 * @return the violation, or {@code null} when the exception is not about a
	 * load-balanced rule
	 */
	static @Nullable LoadBalancedRuleViolation translate(IllegalArgumentException ex, @Nullable RawConnectionString raw,
			String uriOrigin, @Nullable String txtOrigin) {
		DriverRule rule = DriverRule.of(ex);
		if (rule == null) {
			return null;
		}
		return switch (rule) {
			case DIRECT_CONNECTION -> directConnection(new Option<>("directConnection", true, "true", uriOrigin));
			case REPLICA_SET -> {
				String value = (raw != null) ? raw.option("replicaSet") : null;
				// Absent from the string itself: it came from the TXT record of the SRV
				// host.
				String origin = (value == null && raw != null && raw.srv() && txtOrigin != null) ? txtOrigin
						: uriOrigin;
				String shown = (value != null) ? value : VALUE_NOT_SHOWN;
				yield replicaSet(new Option<>("replicaSet", shown, shown, origin));
			}
			case ONE_HOST, SETTINGS_ONE_HOST -> {
				List<String> hosts = (raw != null) ? raw.hosts() : List.of();
				yield multipleHosts(new Option<>("hosts", hosts,
						hosts.isEmpty() ? VALUE_NOT_SHOWN : String.join(",", hosts), uriOrigin));
			}
			case SRV_MAX_HOSTS -> {
				String value = (raw != null) ? raw.option("srvMaxHosts") : null;
				yield srvMaxHosts(new Option<>("srvMaxHosts", 1, (value != null) ? value : VALUE_NOT_SHOWN, uriOrigin));
			}
		};
	}

	private static LoadBalancedRuleViolation conflict(Option<Boolean> loadBalanced) {
		String origin = loadBalanced.origin();
		return violation(loadBalanced,
				ENABLED_PROPERTY + "=true requires load-balanced mode, but " + origin + " turns it off.",
				"Remove " + loadBalanced.name() + "=" + loadBalanced.shown() + " from " + origin
						+ " (the starter then applies load-balanced mode), or unset " + ENABLED_PROPERTY
						+ " to follow the connection string.");
	}

	private static LoadBalancedRuleViolation multipleHosts(Option<List<String>> hosts) {
		// The driver's message does not say how many: at least two.
		int count = Math.max(2, hosts.value().size());
		return violation(hosts,
				count + " hosts are listed, but a load-balanced connection names exactly one host: the load balancer.",
				"Point " + hosts.origin() + " at the load balancer's single address (one host:port, for example"
						+ " lb.example.net:27017); to reach these hosts directly instead, turn load-balanced mode off"
						+ " (remove loadBalanced=true and " + ENABLED_PROPERTY + "=true where they are set).");
	}

	private static LoadBalancedRuleViolation replicaSet(Option<String> replicaSet) {
		return violation(replicaSet,
				"a load-balanced connection cannot name a replica set: the balancer hides the mongos instances"
						+ " behind it.",
				"Remove " + replicaSet.name() + " from " + replicaSet.origin() + ".");
	}

	private static LoadBalancedRuleViolation directConnection(Option<Boolean> directConnection) {
		String name = directConnection.name();
		return violation(directConnection,
				"load-balanced mode always connects through the balancer, never directly to one server.",
				"Remove " + name + "=" + directConnection.shown() + " from " + directConnection.origin() + " (" + name
						+ "=false is accepted).");
	}

	private static LoadBalancedRuleViolation srvMaxHosts(Option<Integer> srvMaxHosts) {
		return violation(srvMaxHosts,
				"in load-balanced mode the SRV record must resolve to the load balancer alone, so no host can be"
						+ " picked among several.",
				"Remove " + srvMaxHosts.name() + " from " + srvMaxHosts.origin() + ", or set it to 0.");
	}

	private static LoadBalancedRuleViolation violation(Option<?> option, String problem, String action) {
		return new LoadBalancedRuleViolation(option.name(), option.shown(), problem, action);
	}

	/**
	 * The driver's own messages for the load-balanced rules (MongoDB Java driver 5.x).
	 */
	enum DriverRule {

		DIRECT_CONNECTION("directConnection=true can not be specified with loadBalanced=true"),

		REPLICA_SET("replicaSet can not be specified with loadBalanced=true"),

		ONE_HOST("Only one host can be specified with loadBalanced=true"),

		SETTINGS_ONE_HOST("Multiple hosts cannot be specified when in load balancing mode"),

		SRV_MAX_HOSTS("srvMaxHosts can not be specified with loadBalanced=true");

		private final String message;

		DriverRule(String message) {
			this.message = message;
		}

		static @Nullable DriverRule of(Throwable ex) {
			String message = ex.getMessage();
			if (message != null) {
				for (DriverRule rule : values()) {
					if (message.contains(rule.message)) {
						return rule;
					}
				}
			}
			return null;
		}

	}

}
