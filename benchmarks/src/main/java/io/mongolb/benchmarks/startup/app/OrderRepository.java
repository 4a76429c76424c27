package io.mongolb.benchmarks.startup.app;

import org.springframework.data.mongodb.repository.MongoRepository;

/**
 * The start-up application's repository, so that Spring Data's repository support starts
 * as it does in an application.
 *
 * @since 0.1.0
 */
public interface OrderRepository extends MongoRepository<Order, String> {

}
