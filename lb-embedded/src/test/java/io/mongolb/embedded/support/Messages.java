package io.mongolb.embedded.support;

/**
 * Helpers for asserting on exception chains.
 */
public final class Messages {

	private Messages() {
	}

	/** The messages of a throwable and all its causes, one per line. */
	public static String chain(Throwable throwable) {
		StringBuilder builder = new StringBuilder();
		for (Throwable current = throwable; current != null; current = current.getCause()) {
			builder.append(current.getClass().getName()).append(": ").append(current.getMessage()).append('\n');
			if (current.getCause() == current) {
				break;
			}
		}
		return builder.toString();
	}

}
