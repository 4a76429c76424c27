/**
 * JUnit Jupiter support: {@link io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest}
 * starts an embedded load-balanced MongoDB per test class (or per test method) and
 * injects it.
 */
@NullMarked
package io.mongolb.embedded.junit;

import org.jspecify.annotations.NullMarked;
