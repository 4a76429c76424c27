package io.mongolb.autoconfigure.uri;

import java.util.Locale;

/**
 * Renders a MongoDB connection string with its credentials masked, for messages, logs and health details.
 * <p>
 * The user information ({@code user:password@}) becomes {@code ****@}, and the value of every option whose name
 * suggests a secret ({@code password}, {@code secret}, {@code token}, {@code authMechanismProperties}) becomes
 * {@code ****}. The driver's own {@code ConnectionString#toString()} returns the raw string, password included, so it
 * must never be shown as it is.
 *
 * @since 0.1.0
 */
public final class MaskedConnectionString {

	static final String MASK = "****";

	private MaskedConnectionString() {
	}

	/**
	 * Mask the credentials of the given connection string.
	 * @param connectionString a MongoDB connection string, possibly malformed
	 * @return the same string with user information and secret option values replaced by {@code ****}
	 */
	public static String mask(String connectionString) {
		int schemeEnd = connectionString.indexOf("://");
		String scheme = (schemeEnd >= 0) ? connectionString.substring(0, schemeEnd + 3) : "";
		String rest = (schemeEnd >= 0) ? connectionString.substring(schemeEnd + 3) : connectionString;
		int query = rest.indexOf('?');
		String beforeQuery = (query >= 0) ? rest.substring(0, query) : rest;
		String options = (query >= 0) ? rest.substring(query + 1) : null;
		// The last '@' before the options ends the user information, even when a password holds an unencoded '/'
		// or '@': masking too much is better than showing part of a password.
		int at = beforeQuery.lastIndexOf('@');
		StringBuilder masked = new StringBuilder(connectionString.length()).append(scheme);
		masked.append((at >= 0) ? MASK + beforeQuery.substring(at) : beforeQuery);
		if (options != null) {
			masked.append('?').append(maskOptions(options));
		}
		return masked.toString();
	}

	private static String maskOptions(String options) {
		StringBuilder masked = new StringBuilder(options.length());
		int start = 0;
		while (start <= options.length()) {
			int end = nextSeparator(options, start);
			String option = options.substring(start, end);
			int equals = option.indexOf('=');
			if (equals > 0 && isSecret(option.substring(0, equals))) {
				masked.append(option, 0, equals + 1).append(MASK);
			}
			else {
				masked.append(option);
			}
			if (end < options.length()) {
				masked.append(options.charAt(end));
			}
			start = end + 1;
		}
		return masked.toString();
	}

	private static int nextSeparator(String options, int from) {
		for (int i = from; i < options.length(); i++) {
			char c = options.charAt(i);
			if (c == '&' || c == ';') {
				return i;
			}
		}
		return options.length();
	}

	static boolean isSecret(String optionName) {
		String name = optionName.toLowerCase(Locale.ROOT);
		return name.contains("password") || name.contains("secret") || name.contains("token")
				|| name.equals("authmechanismproperties");
	}

}
