/**
 * An embedded, mongos-like load-balanced MongoDB for tests and development.
 * <p>
 * {@link io.mongolb.embedded.server.EmbeddedLoadBalancedMongo} runs one in-memory store
 * (mongo-java-server's memory backend) and several mongos-like <em>fronts</em> over it.
 * Each front has a normal port and a load-balancer port that behave on the wire as
 * mongos's do: a PROXY protocol header is required on the load-balancer port, the first
 * {@code hello} must ask for load-balanced mode and is answered with the front's
 * {@code serviceId}, cursors of a load-balanced client are killed when it disconnects,
 * and {@code serverStatus} reports {@code connections.loadBalanced}. An in-process
 * PROXY-protocol balancer (see {@code io.mongolb.embedded.proxy}) sits in front of the
 * load-balancer ports, so a driver connects with {@code loadBalanced=true} exactly as it
 * would to mongos behind HAProxy.
 * <p>
 * {@link io.mongolb.embedded.server.EmbeddedLoadBalancedMongoSettings} holds and checks
 * every option, whether it comes from the builder, the JUnit annotation or Spring Boot
 * properties.
 * <p>
 * It is a stand-in for tests and development, not a database: transactions run on private
 * copies of the collections they touch; no retryable-write de-duplication, no cursor
 * timeouts, no index builds, no sharding, no authentication; TLS only on the
 * load-balancer ports, when turned on.
 */
@NullMarked
package io.mongolb.embedded.server;

import org.jspecify.annotations.NullMarked;
