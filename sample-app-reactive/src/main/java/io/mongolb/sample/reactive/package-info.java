/**
 * The mongolb reactive sample: a notes service on WebFlux and reactive Spring Data
 * MongoDB, its reactive {@code MongoClient} in load-balanced mode.
 */
@NullMarked
package io.mongolb.sample.reactive;

import org.jspecify.annotations.NullMarked;
