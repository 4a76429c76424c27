package io.mongolb.autoconfigure.uri;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

import com.mongodb.ConnectionString;
import org.jspecify.annotations.Nullable;

/**
 * Checks a connection string against the rules of load-balanced mode: exactly one host, no {@code replicaSet}, no
 * {@code directConnection=true}, no {@code srvMaxHosts} above 0, and no {@code loadBalanced=false} when
 * {@code mongodb.load-balanced.enabled=true} requires the mode. Each broken rule comes back as a
 * {@link LoadBalancedRuleViolation} that names the option, its value and the fix; credentials never appear.
 *
 * @since 0.1.0
 */
public final class LoadBalancedUriValidator {

	static final String ENABLED_PROPERTY = "mongodb.load-balanced.enabled";

	/**
	 * Check a raw connection string, before the driver parses it.
	 * @param connectionString the connection string
	 * @param source where it comes from, used in the fixes (e.g. {@code spring.mongodb.uri})
	 * @param enabled the value of {@code mongodb.load-balanced.enabled}
	 * @return the broken rules, empty when load-balanced mode is not requested or every rule holds
	 */
	public List<LoadBalancedRuleViolation> validate(String connectionString, String source,
			@Nullable Boolean enabled) {
		RawConnectionString raw = RawConnectionString.parse(connectionString);
		return (raw != null) ? validate(raw, source, enabled) : List.of();
	}

	/**
	 * Check a connection string the driver has parsed (for {@code mongodb+srv}, after its TXT record was read).
	 * @param connectionString the parsed connection string
	 * @param source where it comes from, used in the fixes
	 * @param enabled the value of {@code mongodb.load-balanced.enabled}
	 * @return the broken rules, empty when load-balanced mode is not requested or every rule holds
	 */
	public List<LoadBalancedRuleViolation> validate(ConnectionString connectionString, String source,
			@Nullable Boolean enabled) {
		return check(Settings.of(connectionString), (option) -> source, enabled);
	}

	List<LoadBalancedRuleViolation> validate(RawConnectionString raw, String source, @Nullable Boolean enabled) {
		Settings settings = new Settings(raw.srv() ? List.of() : raw.hosts(), raw.option("replicaSet"),
				parseBoolean(raw.option("directConnection")), parseInteger(raw.option("srvMaxHosts")),
				parseBoolean(raw.option("loadBalanced")));
		return check(settings, (option) -> source, enabled);
	}

	/**
	 * Check the options that the driver read, naming for each option where it was found.
	 * @param settings the options
	 * @param targets where an option comes from (the connection string, or the DNS TXT record of an SRV host)
	 * @param enabled the value of {@code mongodb.load-balanced.enabled}
	 * @return the broken rules
	 */
	List<LoadBalancedRuleViolation> check(Settings settings, UnaryOperator<String> targets, @Nullable Boolean enabled) {
		List<LoadBalancedRuleViolation> violations = new ArrayList<>();
		if (Boolean.TRUE.equals(enabled) && Boolean.FALSE.equals(settings.loadBalanced())) {
			violations.add(conflict(targets.apply("loadBalanced")));
		}
		boolean requested = Boolean.TRUE.equals(enabled) || Boolean.TRUE.equals(settings.loadBalanced());
		if (!requested) {
			return violations;
		}
		if (settings.hosts().size() > 1) {
			violations.add(multipleHosts("hosts", String.join(",", settings.hosts()), settings.hosts().size(),
					targets.apply("hosts")));
		}
		if (settings.replicaSet() != null) {
			violations.add(replicaSet("replicaSet", settings.replicaSet(), targets.apply("replicaSet")));
		}
		if (Boolean.TRUE.equals(settings.directConnection())) {
			violations.add(directConnection(targets.apply("directConnection")));
		}
		Integer srvMaxHosts = settings.srvMaxHosts();
		if (srvMaxHosts != null && srvMaxHosts > 0) {
			violations.add(srvMaxHosts(srvMaxHosts.toString(), targets.apply("srvMaxHosts")));
		}
		return violations;
	}

	static LoadBalancedRuleViolation multipleHosts(String option, String value, int count, String target) {
		return new LoadBalancedRuleViolation(option, value,
				count + " hosts are listed, but a load-balanced connection names exactly one host: the load balancer.",
				"Point " + target + " at the load balancer's single address (for example"
						+ " mongodb://lb.example.net:27017/?loadBalanced=true); to reach these hosts directly instead,"
						+ " turn load-balanced mode off (remove loadBalanced=true, and " + ENABLED_PROPERTY
						+ " if set).");
	}

	static LoadBalancedRuleViolation replicaSet(String option, String value, String target) {
		return new LoadBalancedRuleViolation(option, value,
				"a load-balanced connection cannot name a replica set: the balancer hides the mongos instances"
						+ " behind it.",
				"Remove " + option + " from " + target + ".");
	}

	static LoadBalancedRuleViolation directConnection(String target) {
		return new LoadBalancedRuleViolation("directConnection", "true",
				"load-balanced mode always connects through the balancer, never directly to one server.",
				"Remove directConnection=true from " + target + " (directConnection=false is accepted).");
	}

	static LoadBalancedRuleViolation srvMaxHosts(String value, String target) {
		return new LoadBalancedRuleViolation("srvMaxHosts", value,
				"in load-balanced mode the SRV record must resolve to the load balancer alone, so no host can be"
						+ " picked among several.",
				"Remove srvMaxHosts from " + target + ", or set it to 0.");
	}

	static LoadBalancedRuleViolation conflict(String target) {
		return new LoadBalancedRuleViolation("loadBalanced", "false",
				ENABLED_PROPERTY + "=true requires load-balanced mode, but " + target + " turns it off.",
				"Remove loadBalanced=false from " + target + " (the starter then applies load-balanced mode), or"
						+ " unset " + ENABLED_PROPERTY + " to follow the connection string.");
	}

	/**
	 * Translate the driver's terse {@link IllegalArgumentException} for a load-balanced rule into a violation.
	 * @param ex the driver's exception
	 * @param raw the raw connection string, when known, to report the offending value
	 * @param uriTarget where the connection string comes from
	 * @param txtTarget the DNS TXT record, for {@code mongodb+srv} strings
	 * @return the violation, or {@code null} when the exception is not about a load-balanced rule
	 */
	@Nullable LoadBalancedRuleViolation translate(IllegalArgumentException ex, @Nullable RawConnectionString raw,
			String uriTarget, @Nullable String txtTarget) {
		DriverRule rule = DriverRule.of(ex);
		if (rule == null) {
			return null;
		}
		boolean srv = raw != null && raw.srv();
		String valueUnknown = "(set, value not shown by the driver)";
		return switch (rule) {
			case DIRECT_CONNECTION -> directConnection(uriTarget);
			case REPLICA_SET -> {
				String value = (raw != null) ? raw.option("replicaSet") : null;
				String target = (value == null && srv && txtTarget != null) ? txtTarget : uriTarget;
				yield replicaSet("replicaSet", (value != null) ? value : valueUnknown, target);
			}
			case ONE_HOST, SETTINGS_ONE_HOST -> {
				List<String> hosts = (raw != null) ? raw.hosts() : List.of();
				yield multipleHosts("hosts", hosts.isEmpty() ? valueUnknown : String.join(",", hosts),
						Math.max(hosts.size(), 2), uriTarget);
			}
			case SRV_MAX_HOSTS -> {
				String value = (raw != null) ? raw.option("srvMaxHosts") : null;
				yield srvMaxHosts((value != null) ? value : valueUnknown, uriTarget);
			}
		};
	}

	/**
	 * Read a boolean option the way the driver does: {@code true}, {@code yes} and {@code 1} are true;
	 * {@code false}, {@code no} and {@code 0} are false; anything else is ignored.
	 * @param value the raw value
	 * @return the value, or {@code null} when absent or not recognised
	 */
	static @Nullable Boolean parseBoolean(@Nullable String value) {
		if (value == null) {
			return null;
		}
		return switch (value.trim().toLowerCase(Locale.ROOT)) {
			case "true", "yes", "1" -> Boolean.TRUE;
			case "false", "no", "0" -> Boolean.FALSE;
			default -> null;
		};
	}

	static @Nullable Integer parseInteger(@Nullable String value) {
		if (value == null) {
			return null;
		}
		try {
			return Integer.valueOf(value.trim());
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	/**
	 * The options that the load-balanced rules look at.
	 */
	record Settings(List<String> hosts, @Nullable String replicaSet, @Nullable Boolean directConnection,
			@Nullable Integer srvMaxHosts, @Nullable Boolean loadBalanced) {

		static Settings of(ConnectionString connectionString) {
			return new Settings(connectionString.getHosts(), connectionString.getRequiredReplicaSetName(),
					connectionString.isDirectConnection(), connectionString.getSrvMaxHosts(),
					connectionString.isLoadBalanced());
		}

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
