/**
 * The load-balanced topology model: the LoadBalancer server, the services behind it and
 * recent events.
 */
@NullMarked
package io.mongolb.autoconfigure.topology;

import org.jspecify.annotations.NullMarked;
