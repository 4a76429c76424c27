/**
 * A minimal Spring Boot application on Spring Data MongoDB, started by the start-up
 * benchmark.
 */
@NullMarked
package io.mongolb.benchmarks.startup.app;

import org.jspecify.annotations.NullMarked;
