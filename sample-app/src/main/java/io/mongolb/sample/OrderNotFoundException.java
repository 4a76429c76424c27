package io.mongolb.sample;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * No order has the requested id: answered with 404 and a {@code application/problem+json}
 * body.
 */
public class OrderNotFoundException extends ErrorResponseException {

	OrderNotFoundException(String id) {
		super(HttpStatus.NOT_FOUND, problem(id), null);
	}

	private static ProblemDetail problem(String id) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No order with id '" + id + "'");
		problem.setTitle("Order not found");
		problem.setProperty("id", id);
		return problem;
	}

}
