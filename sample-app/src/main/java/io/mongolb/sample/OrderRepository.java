package io.mongolb.sample;

import org.springframework.data.mongodb.repository.MongoRepository;

/**
 * Spring Data repository of {@link Order}s.
 */
public interface OrderRepository extends MongoRepository<Order, String> {

}
