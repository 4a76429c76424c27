package io.mongolb.autoconfigure.mode;

/**
 * One broken load-balanced rule: which option, with which value, what is wrong and what
 * to change.
 *
 * @param option the offending option or property, e.g. {@code replicaSet} or
 * {@code spring.mongodb.additional-hosts}
 * @param value the offending value, never a credential
 * @param problem what is wrong, in one sentence
 * @param action what to change, in one sentence
 * @since 0.1.0
 */
public record LoadBalancedRuleViolation(String option, String value, String problem, String action) {

}
