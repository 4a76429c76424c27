/**
 * The load-balanced decision: whether a {@code MongoClient} runs in load-balanced mode
 * and why ({@link io.mongolb.autoconfigure.mode.LoadBalancedMode}), the one checker of
 * the load-balanced rules, the failure it raises and its analysis, and credential
 * masking.
 * <p>
 * Feature packages (topology, health, ...) import this package, never the reverse; it
 * does not import the auto-configuration package either.
 */
@NullMarked
package io.mongolb.autoconfigure.mode;

import org.jspecify.annotations.NullMarked;
