/**
 * Auto-configuration and properties for MongoDB's load-balanced mode.
 */
@NullMarked
package io.mongolb.autoconfigure;

import org.jspecify.annotations.NullMarked;
