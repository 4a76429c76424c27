/**
 * The topology's service, pool and leak events as Spring application events, published
 * off the driver's threads through a bounded queue.
 */
@NullMarked
package io.mongolb.autoconfigure.events;

import org.jspecify.annotations.NullMarked;
