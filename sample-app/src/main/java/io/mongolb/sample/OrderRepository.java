package io.mongolb.sample;

import org.springframework.data.mongodb.repository.MongoRepository;

/**
 * Spring Data repository of {@link Order}s.
 */
public interface OrderRepository extends MongoRepository<Order, String> {

	/**
	 * Delete an order.
	 * @param id the order's id
	 * @return how many orders were deleted: 0 or 1
	 */
	long removeById(String id);

}
