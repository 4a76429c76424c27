/**
 * The load-balanced connection-string rules, their failure analysis and credential masking.
 */
@NullMarked
package io.mongolb.autoconfigure.uri;

import org.jspecify.annotations.NullMarked;
