package io.mongolb.autoconfigure.web;

import java.io.IOException;
import java.util.function.BooleanSupplier;

import io.mongolb.autoconfigure.topology.CurrentService;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Opens a {@link CurrentService} scope around each servlet request: in the request,
 * {@link CurrentService#lastServiceId()} names the mongos of its last command, and
 * nothing of it carries over to the next request that the same pooled thread serves. With
 * MDC on, the scope also keeps the MDC key {@value CurrentService#MDC_KEY} while the
 * request runs, and removes it at the end.
 * <p>
 * It runs on the request dispatch only: work that a request hands to another thread
 * (asynchronous requests, executors) is not in the scope, and neither are the error page
 * dispatch and the container's access log, which come after it.
 *
 * @since 0.1.0
 */
public class CurrentServiceFilter extends OncePerRequestFilter {

	/**
	 * The order of the filter's registration: early, so that the filters after it (Spring
	 * Session and Spring Security among them, whose stores may be MongoDB) run in the
	 * scope.
	 */
	public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 10;

	private final BooleanSupplier active;

	private final BooleanSupplier mdc;

	private volatile @Nullable Decision decision;

	/**
	 * Create a new filter that opens a scope around every request.
	 * @param mdc whether the scope keeps the MDC key {@value CurrentService#MDC_KEY}
	 */
	public CurrentServiceFilter(boolean mdc) {
		this(() -> true, () -> mdc);
	}

	/**
	 * Create a new filter that decides on the first request: it opens a scope around
	 * every request when {@code active} answers {@code true}, and lets requests pass
	 * untouched otherwise.
	 * @param active whether the filter applies
	 * @param mdc whether the scope keeps the MDC key {@value CurrentService#MDC_KEY}
	 */
	CurrentServiceFilter(BooleanSupplier active, BooleanSupplier mdc) {
		this.active = active;
		this.mdc = mdc;
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return decision() == Decision.PASS;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		CurrentService.Scope scope = (decision() == Decision.SCOPE_WITH_MDC) ? CurrentService.openWithMdc()
				: CurrentService.open();
		try {
			chain.doFilter(request, response);
		}
		finally {
			scope.close();
		}
	}

	private Decision decision() {
		Decision decision = this.decision;
		if (decision == null) {
			if (!this.active.getAsBoolean()) {
				decision = Decision.PASS;
			}
			else {
				decision = this.mdc.getAsBoolean() ? Decision.SCOPE_WITH_MDC : Decision.SCOPE;
			}
			this.decision = decision;
		}
		return decision;
	}

	private enum Decision {

		PASS, SCOPE, SCOPE_WITH_MDC

	}

}
