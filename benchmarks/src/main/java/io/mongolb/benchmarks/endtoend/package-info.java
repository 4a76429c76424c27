/**
 * The end-to-end benchmark: a find-by-{@code _id} loop through the embedded load-balanced
 * MongoDB, with the bare driver and with the starter's listeners and meters.
 */
@NullMarked
package io.mongolb.benchmarks.endtoend;

import org.jspecify.annotations.NullMarked;
