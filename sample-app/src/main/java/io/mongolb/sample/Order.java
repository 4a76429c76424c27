package io.mongolb.sample;

import java.time.Instant;

import org.springframework.data.annotation.Id;
import org.springframework.data.annotation.Version;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * An order, stored in the {@code orders} collection.
 *
 * @param id the id (an ObjectId as hex string), assigned on insert
 * @param customer who ordered
 * @param item what was ordered
 * @param quantity how many
 * @param createdAt when it was created
 * @param updatedAt when it was last changed
 * @param version the optimistic-locking version, managed by Spring Data
 */
@Document("orders")
public record Order(@Id String id, String customer, String item, int quantity, Instant createdAt, Instant updatedAt,
		@Version Long version) {

	static Order create(OrderRequest request, Instant now) {
		return new Order(null, request.customer(), request.item(), request.quantity(), now, now, null);
	}

	Order update(OrderRequest request, Instant now) {
		return new Order(this.id, request.customer(), request.item(), request.quantity(), this.createdAt, now,
				this.version);
	}

}
