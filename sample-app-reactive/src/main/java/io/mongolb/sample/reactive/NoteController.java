package io.mongolb.sample.reactive;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/notes}: add a note, list them, through the reactive client only.
 */
@RestController
@RequestMapping("/api/notes")
class NoteController {

	private final ReactiveMongoTemplate template;

	NoteController(ReactiveMongoTemplate template) {
		this.template = template;
	}

	@PostMapping
	@ResponseStatus(HttpStatus.CREATED)
	Mono<Note> add(@RequestBody Note note) {
		return this.template.insert(new Note(null, note.text()));
	}

	@GetMapping
	Flux<Note> list() {
		return this.template.findAll(Note.class);
	}

}
