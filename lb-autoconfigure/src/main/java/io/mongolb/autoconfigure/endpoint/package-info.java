/**
 * The {@code mongodblb} Actuator endpoint: the load-balanced topology of each client, its
 * services, recent events and open leak reports.
 */
@NullMarked
package io.mongolb.autoconfigure.endpoint;

import org.jspecify.annotations.NullMarked;
