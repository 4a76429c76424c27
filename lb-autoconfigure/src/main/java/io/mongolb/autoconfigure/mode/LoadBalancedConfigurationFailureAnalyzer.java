package io.mongolb.autoconfigure.mode;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns an {@link InvalidLoadBalancedConfigurationException} into Spring Boot's failure
 * report: the source, the masked connection string and each broken rule, then one fix per
 * rule. Registered in {@code spring.factories}.
 */
class LoadBalancedConfigurationFailureAnalyzer
		extends AbstractFailureAnalyzer<InvalidLoadBalancedConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidLoadBalancedConfigurationException cause) {
		return new FailureAnalysis(cause.getDescription(), cause.getAction(), cause);
	}

}
