/**
 * The command listener benchmark: the starter's listener, with and without its meters,
 * against Micrometer's command listener and no listener.
 */
@NullMarked
package io.mongolb.benchmarks.listener;

import org.jspecify.annotations.NullMarked;
