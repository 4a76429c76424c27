package io.mongolb.embedded.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code mongodb.load-balanced.embedded.enabled} is true as Spring Boot's
 * binder reads a boolean ({@code true}, {@code on}, {@code yes}, {@code 1}, in any case),
 * so that the condition and the bound {@link EmbeddedLoadBalancedMongoProperties} never
 * disagree ({@code @ConditionalOnBooleanProperty} compares with {@code true} only). A
 * value that is not a boolean fails start-up with the binder's report naming the
 * property.
 */
class OnEmbeddedEnabledCondition extends SpringBootCondition {

	static final String PROPERTY = "mongodb.load-balanced.embedded.enabled";

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		boolean enabled = Binder.get(context.getEnvironment()).bind(PROPERTY, Boolean.class).orElse(false);
		return new ConditionOutcome(enabled, PROPERTY + " is " + enabled);
	}

}
