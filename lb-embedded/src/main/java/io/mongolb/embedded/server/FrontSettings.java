package io.mongolb.embedded.server;

import java.time.Duration;

/**
 * What every front of one cluster shares.
 */
record FrontSettings(int maxWireVersion, boolean acceptNonLoadBalancedClients, Duration proxyHeaderTimeout) {

}
