/**
 * The start-up benchmark: a Spring Boot application with and without the starter.
 */
@NullMarked
package io.mongolb.benchmarks.startup;

import org.jspecify.annotations.NullMarked;
