package io.mongolb.autoconfigure;

import java.util.Map;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The condition behind {@link ConditionalOnBooleanSetting}: binds the property with
 * Spring Boot's {@link Binder}.
 */
class OnBooleanSettingCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		Map<String, Object> attributes = metadata.getAnnotationAttributes(ConditionalOnBooleanSetting.class.getName());
		String name = (String) attributes.get("name");
		boolean matchIfMissing = (Boolean) attributes.get("matchIfMissing");
		// Throws a BindException (property, value, origin) for a value that is not a
		// boolean.
		Boolean value = Binder.get(context.getEnvironment()).bind(name, Boolean.class).orElse(null);
		if (value == null) {
			return new ConditionOutcome(matchIfMissing, name + " is not set");
		}
		return new ConditionOutcome(value, name + " is " + value);
	}

}
