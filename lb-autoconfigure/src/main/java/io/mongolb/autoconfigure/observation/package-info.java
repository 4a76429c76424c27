/**
 * Tracing with the MongoDB driver's own Micrometer observations, with the serviceId of
 * the mongos that served each command (experimental, as the driver's observability API is
 * alpha). Opt in with {@code mongodb.load-balanced.observations.enabled=true}.
 */
@NullMarked
package io.mongolb.autoconfigure.observation;

import org.jspecify.annotations.NullMarked;
