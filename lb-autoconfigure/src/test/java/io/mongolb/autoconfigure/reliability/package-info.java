/**
 * Fault scenarios behind a real HAProxy, with the starter in a real Spring application
 * (failsafe, {@code *IT}): each prints one {@code RELIABILITY} line with its figures.
 */
package io.mongolb.autoconfigure.reliability;
