package io.mongolb.sample;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * The body of a create or update request.
 *
 * @param customer who orders, required
 * @param item what is ordered, required
 * @param quantity how many, 1 to 1000
 */
public record OrderRequest(@NotBlank @Size(max = 100) String customer, @NotBlank @Size(max = 200) String item,
		@NotNull @Min(1) @Max(1000) Integer quantity) {

}
