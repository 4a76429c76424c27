/**
 * A small in-process L4 (TCP) load balancer that speaks the PROXY protocol.
 * <p>
 * {@link io.mongolb.embedded.proxy.ProxyProtocolBalancer} accepts connections on a
 * loopback port, picks an upstream in round-robin order (skipping one that refuses the
 * connection), writes a PROXY protocol v1 or v2 header at the start of the upstream
 * connection, and then relays bytes both ways. It plays the part HAProxy, Envoy or a
 * cloud network load balancer plays in front of mongos, so that the embedded
 * load-balanced MongoDB needs nothing installed.
 */
@NullMarked
package io.mongolb.embedded.proxy;

import org.jspecify.annotations.NullMarked;
