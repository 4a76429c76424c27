package io.mongolb.autoconfigure.mode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Renders a MongoDB connection string with its credentials masked, for messages, logs and
 * health details.
 * <p>
 * The user information ({@code user:password@}) becomes {@code ****@}, and the value of
 * every option whose name suggests a secret ({@code password}, {@code secret},
 * {@code token}, {@code authMechanismProperties}) becomes {@code ****}. The driver's own
 * {@code ConnectionString#toString()} returns the raw string, password included, so it
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
	 * @return the same string with user information and secret option values replaced by
	 * {@code ****}
	 */
	public static String mask(String connectionString) {
		int schemeEnd = connectionString.indexOf("://");
		int start = (schemeEnd >= 0) ? schemeEnd + 3 : 0;
		int userInfoEnd = userInfoEnd(connectionString, start);
		StringBuilder masked = new StringBuilder(connectionString.length()).append(connectionString, 0, start);
		if (userInfoEnd >= 0) {
			masked.append(MASK);
		}
		String rest = connectionString.substring((userInfoEnd >= 0) ? userInfoEnd : start);
		int query = rest.indexOf('?');
		if (query < 0) {
			return masked.append(rest).toString();
		}
		return masked.append(rest, 0, query + 1).append(maskOptions(rest.substring(query + 1))).toString();
	}

	/**
	 * Where the user information ends: the index of its closing {@code '@'}, or
	 * {@code -1} when there is none.
	 * <p>
	 * The driver ends the user information at the last {@code '@'} before the first
	 * {@code '/'} or {@code '?'}, but a password with an unencoded {@code '/'},
	 * {@code '?'} or {@code '='} (which the driver then misreads) would hide its true end
	 * from that rule. So this takes the furthest of several candidates: the last
	 * {@code '@'} before the first {@code '/'}, before the first {@code '?'}, before the
	 * first {@code '='}, and the last {@code '@'} of all when only host-like text follows
	 * it. Masking too much is better than showing part of a password.
	 * @param text the connection string
	 * @param start where the text after the scheme begins
	 * @return the index of the {@code '@'} that ends the user information, or {@code -1}
	 */
	static int userInfoEnd(String text, int start) {
		int end = -1;
		for (char stop : new char[] { '/', '?', '=' }) {
			int limit = text.indexOf(stop, start);
			int at = text.lastIndexOf('@', (limit >= 0) ? limit : text.length());
			end = Math.max(end, (at >= start) ? at : -1);
		}
		int last = text.lastIndexOf('@');
		if (last > end && last >= start && isHostLike(text, last + 1)) {
			end = last;
		}
		return end;
	}

	private static boolean isHostLike(String text, int from) {
		for (int i = from; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '/' || c == '?') {
				return true;
			}
			if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == ',' || c == '['
					|| c == ']' || c == '%')) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Remove from a message (typically the driver's) every fragment of the connection
	 * string's user information, so that no part of a password survives, whatever the
	 * message quotes, while the words of the message itself stay readable.
	 * <p>
	 * The whole user information is masked wherever it appears. The driver quotes the
	 * pieces of a connection string it complains about ({@code 'host'}): a quoted piece
	 * that is part of the user information is masked whole, and in other quoted pieces
	 * every fragment of it (split at the separators the driver splits at) is masked.
	 * Outside quotes, only fragments that are not plain words are masked, where they
	 * stand apart: the letters of "password" in the driver's own hint are no secret, even
	 * when a password contains them.
	 * @param message the message
	 * @param connectionString the connection string the message is about
	 * @return the message with user information fragments replaced by {@code ****}
	 */
	static String maskSecretsIn(String message, String connectionString) {
		int schemeEnd = connectionString.indexOf("://");
		int start = (schemeEnd >= 0) ? schemeEnd + 3 : 0;
		int userInfoEnd = userInfoEnd(connectionString, start);
		if (userInfoEnd < 0) {
			return message;
		}
		String userInfo = connectionString.substring(start, userInfoEnd);
		List<String> fragments = new ArrayList<>();
		for (String fragment : userInfo.split("[:/?=@&;,%#]")) {
			// A one-character fragment cannot be told from the rest of the message.
			if (fragment.length() >= 2) {
				fragments.add(fragment);
			}
		}
		fragments.sort(Comparator.comparingInt(String::length).reversed());
		String text = message.replace(userInfo, MASK);
		StringBuilder masked = new StringBuilder(text.length());
		int from = 0;
		while (from < text.length()) {
			int open = nextQuote(text, from);
			int close = (open >= 0) ? text.indexOf(text.charAt(open), open + 1) : -1;
			if (close < 0) {
				masked.append(maskUnquoted(text.substring(from), fragments));
				break;
			}
			masked.append(maskUnquoted(text.substring(from, open), fragments)).append(text.charAt(open));
			String quoted = text.substring(open + 1, close);
			masked.append(maskQuoted(quoted, userInfo, fragments)).append(text.charAt(close));
			from = close + 1;
		}
		return masked.toString();
	}

	private static int nextQuote(String text, int from) {
		for (int i = from; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '\'' || c == '"') {
				return i;
			}
		}
		return -1;
	}

	private static String maskQuoted(String quoted, String userInfo, List<String> fragments) {
		String masked = quoted;
		for (String fragment : fragments) {
			masked = masked.replace(fragment, MASK);
		}
		// A piece cut out of the middle of a fragment (a decoder quotes the characters it
		// cannot read).
		return (masked.equals(quoted) && quoted.length() >= 2 && userInfo.contains(quoted)) ? MASK : masked;
	}

	private static String maskUnquoted(String text, List<String> fragments) {
		String masked = text;
		for (String fragment : fragments) {
			if (!fragment.chars().allMatch(Character::isLetter)) {
				masked = replaceStandalone(masked, fragment);
			}
		}
		return masked;
	}

	/*
	 * Replace the occurrences of a fragment that stand apart from the words around them.
	 */
	private static String replaceStandalone(String message, String fragment) {
		StringBuilder result = null;
		int copied = 0;
		int at = message.indexOf(fragment);
		while (at >= 0) {
			int end = at + fragment.length();
			if (!isWordCharacter(message, at - 1) && !isWordCharacter(message, end)) {
				result = (result != null) ? result : new StringBuilder(message.length());
				result.append(message, copied, at).append(MASK);
				copied = end;
			}
			at = message.indexOf(fragment, end);
		}
		return (result != null) ? result.append(message, copied, message.length()).toString() : message;
	}

	private static boolean isWordCharacter(String text, int index) {
		return index >= 0 && index < text.length() && Character.isLetterOrDigit(text.charAt(index));
	}

	/**
	 * The driver's messages may quote parts of the connection string, user information
	 * included (for example a password with an unencoded reserved character, misread as a
	 * host): never let one through as it is.
	 * @param ex the driver's exception
	 * @param connectionString the connection string it is about, when known
	 * @param source where the connection string comes from
	 * @return the same exception when the string has no user information, otherwise one
	 * without the secret and without the original as its cause
	 */
	static IllegalArgumentException withoutSecrets(IllegalArgumentException ex, @Nullable String connectionString,
			String source) {
		if (connectionString == null || userInfoEnd(connectionString, connectionString.indexOf("://") + 3) < 0) {
			return ex;
		}
		// The cause is left out on purpose: its message is the unmasked one.
		return new IllegalArgumentException("The MongoDB driver rejected the connection string from " + source + " ("
				+ mask(connectionString) + "): " + maskSecretsIn(String.valueOf(ex.getMessage()), connectionString)
				+ " [" + ex.getClass().getName() + "]");
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
