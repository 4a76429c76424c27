/**
 * Web support: the servlet filter that bounds the current service to a request.
 */
@NullMarked
package io.mongolb.autoconfigure.web;

import org.jspecify.annotations.NullMarked;
