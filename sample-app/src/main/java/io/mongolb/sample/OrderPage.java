package io.mongolb.sample;

import java.util.List;

import org.springframework.data.domain.Page;

/**
 * One page of orders, as the list endpoint returns it (a stable JSON shape instead of
 * Spring Data's {@code PageImpl}).
 *
 * @param content the orders on this page
 * @param page the page number, from 0
 * @param size the requested page size
 * @param totalElements the number of orders in all pages
 * @param totalPages the number of pages
 */
public record OrderPage(List<Order> content, int page, int size, long totalElements, int totalPages) {

	static OrderPage of(Page<Order> page) {
		return new OrderPage(page.getContent(), page.getNumber(), page.getSize(), page.getTotalElements(),
				page.getTotalPages());
	}

}
