package io.mongolb.sample.reactive;

import org.jspecify.annotations.Nullable;

import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A note, stored in the {@code notes} collection.
 *
 * @param id the note's id, assigned by MongoDB
 * @param text what the note says
 */
@Document("notes")
public record Note(@Id @Nullable String id, String text) {

}
