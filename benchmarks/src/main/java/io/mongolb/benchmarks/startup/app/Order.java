package io.mongolb.benchmarks.startup.app;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * An order, the one document type of the start-up application.
 *
 * @param id the order's id
 * @param item what was ordered
 * @param quantity how many
 * @since 0.1.0
 */
@Document("orders")
public record Order(@Id String id, String item, int quantity) {

}
