/**
 * Spring Boot auto-configuration that starts the embedded load-balanced MongoDB when
 * {@code mongodb.load-balanced.embedded.enabled=true} and points Boot's MongoDB support
 * at its balancer.
 */
@NullMarked
package io.mongolb.embedded.autoconfigure;

import org.jspecify.annotations.NullMarked;
