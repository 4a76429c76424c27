/**
 * The mongolb sample application: an orders service in MongoDB's load-balanced mode.
 */
@NullMarked
package io.mongolb.sample;

import org.jspecify.annotations.NullMarked;
