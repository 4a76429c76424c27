/**
 * Micrometer meters per service (mongos) behind the load balancer, with a bound on the
 * number of services and expiry of idle ones.
 */
@NullMarked
package io.mongolb.autoconfigure.metrics;

import org.jspecify.annotations.NullMarked;
