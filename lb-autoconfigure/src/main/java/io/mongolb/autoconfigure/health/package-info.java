/**
 * The {@code mongodbLoadBalancer} health contributor.
 */
@NullMarked
package io.mongolb.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
