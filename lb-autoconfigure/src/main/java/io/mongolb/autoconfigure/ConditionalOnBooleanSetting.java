package io.mongolb.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.context.annotation.Conditional;

/**
 * Matches when a boolean property is {@code true}, read as Spring Boot's binder reads it:
 * {@code true}, {@code on}, {@code yes} and {@code 1} are true, {@code false},
 * {@code off}, {@code no} and {@code 0} are false, in any case. So a condition and the
 * {@code @ConfigurationProperties} bound from the same property always agree (Spring
 * Boot's {@code @ConditionalOnBooleanProperty} compares with {@code true} only). A value
 * the binder cannot read fails start-up with Spring Boot's report naming the property,
 * the value and its origin.
 *
 * @since 0.1.0
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
@Documented
@Conditional(OnBooleanSettingCondition.class)
public @interface ConditionalOnBooleanSetting {

	/**
	 * The property, e.g. {@code mongodb.load-balanced.enabled}.
	 * @return the property name
	 */
	String name();

	/**
	 * Whether the condition matches when the property is not set.
	 * @return whether to match a missing property
	 */
	boolean matchIfMissing() default false;

}
