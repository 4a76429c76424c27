package io.mongolb.autoconfigure.mode;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains the MongoDB driver's own terse {@link IllegalArgumentException} for a
 * load-balanced rule, should one escape the starter's checks (for example from a
 * {@code MongoClient} an application builds by hand, or with
 * {@code mongodb.load-balanced.fail-fast=false}). Other {@code IllegalArgumentException}s
 * are left to other analyzers. Registered in {@code spring.factories}.
 */
class DriverLoadBalancedRuleFailureAnalyzer extends AbstractFailureAnalyzer<IllegalArgumentException> {

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, IllegalArgumentException cause) {
		// The first IllegalArgumentException in the chain may wrap the driver's.
		for (Throwable candidate = cause; candidate != null; candidate = candidate.getCause()) {
			if (candidate instanceof IllegalArgumentException ex) {
				LoadBalancedRuleViolation violation = LoadBalancedRules.translate(ex, null,
						"the MongoDB connection string", null);
				if (violation != null) {
					return analysis(ex, violation);
				}
			}
		}
		return null;
	}

	private static FailureAnalysis analysis(IllegalArgumentException ex, LoadBalancedRuleViolation violation) {
		String nl = System.lineSeparator();
		String description = "The MongoDB driver rejected the connection string for load-balanced mode: "
				+ ex.getMessage() + "." + nl + nl + "    - " + violation.problem();
		String action = "Update your configuration:" + nl + "    - " + violation.action();
		return new FailureAnalysis(description, action, ex);
	}

}
