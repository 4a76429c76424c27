package io.mongolb.sample;

import java.util.List;
import java.util.stream.Collectors;

import io.mongolb.autoconfigure.topology.CurrentService;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * Shows which mongos served an HTTP request: sets the response header {@value #HEADER} of
 * every {@code /api/} response to the serviceIds of the connections its commands ran on
 * (in load-balanced mode each connection is bound to one mongos, which the driver learns
 * from the handshake), each once, in the order first seen.
 * <p>
 * The starter opens a {@link CurrentService} scope around every servlet request and feeds
 * it from its command listener (the synchronous driver fires command events on the
 * request's thread), so this advice only reads {@link CurrentService#servicesInScope()}.
 * It runs after the controller method (or exception handler) returned and before the body
 * is written, so every command of the request has run and the response is not yet
 * committed. A response that runs no command (a request refused before the controller)
 * gets no header.
 */
@RestControllerAdvice
class ServiceIdHeader implements ResponseBodyAdvice<Object> {

	/** The response header that names the serviceIds. */
	static final String HEADER = "X-Mongo-Service-Id";

	@Override
	public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
		return true;
	}

	@Override
	public @Nullable Object beforeBodyWrite(@Nullable Object body, MethodParameter returnType,
			MediaType selectedContentType, Class<? extends HttpMessageConverter<?>> selectedConverterType,
			ServerHttpRequest request, ServerHttpResponse response) {
		List<ObjectId> services = CurrentService.servicesInScope();
		if (!services.isEmpty() && request.getURI().getPath().startsWith("/api/") && !isCommitted(response)) {
			response.getHeaders()
				.set(HEADER, services.stream().map(ObjectId::toHexString).collect(Collectors.joining(",")));
		}
		return body;
	}

	private static boolean isCommitted(ServerHttpResponse response) {
		return response instanceof ServletServerHttpResponse servlet && servlet.getServletResponse().isCommitted();
	}

}
