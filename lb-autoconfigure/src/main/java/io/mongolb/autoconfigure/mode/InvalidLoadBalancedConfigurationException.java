package io.mongolb.autoconfigure.mode;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Thrown at start-up when the effective MongoDB connection breaks a rule of load-balanced
 * mode. Its message names the source of the connection string, the offending options and
 * values, and what to change; credentials are masked. A registered
 * {@code FailureAnalyzer} turns it into Spring Boot's failure report.
 *
 * @since 0.1.0
 */
public class InvalidLoadBalancedConfigurationException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	private final String source;

	private final @Nullable String maskedConnectionString;

	private final String requestedBy;

	private final List<LoadBalancedRuleViolation> violations;

	/**
	 * Create a new instance.
	 * @param source where the connection string comes from, e.g.
	 * {@code spring.mongodb.uri}
	 * @param maskedConnectionString the connection string with credentials masked, if
	 * there is one
	 * @param requestedBy what asked for load-balanced mode
	 * @param violations the broken rules, at least one
	 */
	public InvalidLoadBalancedConfigurationException(String source, @Nullable String maskedConnectionString,
			String requestedBy, List<LoadBalancedRuleViolation> violations) {
		super(message(source, maskedConnectionString, requestedBy, violations));
		this.source = source;
		this.maskedConnectionString = maskedConnectionString;
		this.requestedBy = requestedBy;
		this.violations = List.copyOf(violations);
	}

	private static String message(String source, @Nullable String masked, String requestedBy,
			List<LoadBalancedRuleViolation> violations) {
		return describe(source, masked, requestedBy, violations) + System.lineSeparator() + System.lineSeparator()
				+ act(violations);
	}

	private static String describe(String source, @Nullable String masked, String requestedBy,
			List<LoadBalancedRuleViolation> violations) {
		String nl = System.lineSeparator();
		StringBuilder text = new StringBuilder("The MongoDB connection is not valid for load-balanced mode.").append(nl)
			.append(nl);
		text.append("    Source: ").append(source).append(nl);
		if (masked != null) {
			text.append("    Connection string: ").append(masked).append(nl);
		}
		text.append("    Load-balanced mode requested by: ").append(requestedBy).append(nl).append(nl);
		text.append("Problems:");
		for (LoadBalancedRuleViolation violation : violations) {
			text.append(nl)
				.append("    - ")
				.append(violation.option())
				.append('=')
				.append(violation.value())
				.append(": ")
				.append(violation.problem());
		}
		return text.toString();
	}

	private static String act(List<LoadBalancedRuleViolation> violations) {
		StringBuilder text = new StringBuilder("Update your configuration:");
		for (LoadBalancedRuleViolation violation : violations) {
			text.append(System.lineSeparator()).append("    - ").append(violation.action());
		}
		return text.toString();
	}

	/**
	 * Where the connection string comes from.
	 * @return a property name, a bean or a DNS TXT record, with its origin when known
	 */
	public String getSource() {
		return this.source;
	}

	/**
	 * The connection string with its credentials masked.
	 * @return the masked connection string, or {@code null} when it was built from
	 * separate properties
	 */
	public @Nullable String getMaskedConnectionString() {
		return this.maskedConnectionString;
	}

	/**
	 * What asked for load-balanced mode.
	 * @return for example {@code loadBalanced=true in spring.mongodb.uri}
	 */
	public String getRequestedBy() {
		return this.requestedBy;
	}

	/**
	 * The broken rules.
	 * @return at least one violation
	 */
	public List<LoadBalancedRuleViolation> getViolations() {
		return this.violations;
	}

	/**
	 * The failure report's description: source, masked connection string and problems.
	 * @return the description
	 */
	public String getDescription() {
		return describe(this.source, this.maskedConnectionString, this.requestedBy, this.violations);
	}

	/**
	 * The failure report's action: what to change, one line per problem.
	 * @return the action
	 */
	public String getAction() {
		return act(this.violations);
	}

}
