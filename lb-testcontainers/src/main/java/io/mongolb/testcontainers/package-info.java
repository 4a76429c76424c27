/**
 * A real load-balanced MongoDB cluster for tests, on Testcontainers: config-server and
 * shard replica sets, several mongos started with {@code loadBalancerPort}, and HAProxy
 * with {@code send-proxy-v2} in front of them ({@link LoadBalancedMongoCluster}), with
 * Spring Boot's {@code @ServiceConnection} support.
 */
@NullMarked
package io.mongolb.testcontainers;

import org.jspecify.annotations.NullMarked;
