package io.mongolb.autoconfigure.uri;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;

/**
 * Turns an {@link InvalidLoadBalancedConfigurationException} into Spring Boot's failure report. It also explains the
 * MongoDB driver's own terse {@link IllegalArgumentException} for a load-balanced rule, should one escape (for
 * example from a {@code MongoClient} built without the starter's checks).
 *
 * @since 0.1.0
 */
public class LoadBalancedConfigurationFailureAnalyzer implements FailureAnalyzer {

	@Override
	public @Nullable FailureAnalysis analyze(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof InvalidLoadBalancedConfigurationException ex) {
				return new FailureAnalysis(ex.getDescription(), ex.getAction(), ex);
			}
		}
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof IllegalArgumentException ex && LoadBalancedUriValidator.DriverRule.of(ex) != null) {
				return analyzeDriverException(ex);
			}
		}
		return null;
	}

	private FailureAnalysis analyzeDriverException(IllegalArgumentException ex) {
		LoadBalancedRuleViolation violation = new LoadBalancedUriValidator().translate(ex, null,
				"the MongoDB connection string", null);
		String description = "The MongoDB driver rejected the connection string for load-balanced mode: "
				+ ex.getMessage() + "." + System.lineSeparator() + System.lineSeparator() + "    - "
				+ ((violation != null) ? violation.problem() : "");
		String action = "Update your configuration:" + System.lineSeparator() + "    - "
				+ ((violation != null) ? violation.action() : "");
		return new FailureAnalysis(description, action, ex);
	}

}
