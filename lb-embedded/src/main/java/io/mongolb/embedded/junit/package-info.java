/**
 * JUnit Jupiter support: {@link io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest} starts one embedded
 * load-balanced MongoDB per test class and injects it.
 */
@NullMarked
package io.mongolb.embedded.junit;

import org.jspecify.annotations.NullMarked;
