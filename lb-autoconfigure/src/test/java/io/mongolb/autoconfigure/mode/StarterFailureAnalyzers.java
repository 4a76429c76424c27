package io.mongolb.autoconfigure.mode;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Test access to the starter's failure analyzers (package-private, as Spring Boot's own
 * are), in the order {@code spring.factories} lists them.
 */
public final class StarterFailureAnalyzers {

	private StarterFailureAnalyzers() {
	}

	/**
	 * Analyze a start-up failure as Spring Boot would with the starter's analyzers.
	 * @param failure the failure
	 * @return the first analysis, or {@code null} when neither analyzer recognises the
	 * failure
	 */
	public static @Nullable FailureAnalysis analyze(Throwable failure) {
		FailureAnalysis analysis = new LoadBalancedConfigurationFailureAnalyzer().analyze(failure);
		return (analysis != null) ? analysis : new DriverLoadBalancedRuleFailureAnalyzer().analyze(failure);
	}

}
