package io.mongolb.autoconfigure.mode;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Masks the credentials of every MongoDB connection string quoted in a text: a driver or
 * server message (a duplicate-key error quotes the key, and a key can be a URI), an event
 * description that quotes one.
 * <p>
 * Each {@code mongodb://} or {@code mongodb+srv://} string, up to the next blank or
 * quote, goes through {@link MaskedConnectionString#mask(String)}. Masking too much beats
 * showing part of a password, so the whole authority ({@code ****}) is hidden when the
 * string may have been cut (it runs to the end of a text that ends with {@code ...}, as
 * truncated messages do) or when what {@code mask} leaves is not made of
 * {@code host[:port]} pairs (user information that a blank or a quote cut short, such as
 * {@code mongodb://user:pa ss@host}, whose next word is then masked up to its {@code '@'}
 * too).
 * <p>
 * The health contributor and the {@code mongodblb} endpoint pass the driver's and the
 * server's texts through it.
 *
 * @since 0.1.0
 */
public final class CredentialMasking {

	private static final String MASK = "****";

	private static final String[] SCHEMES = { "mongodb://", "mongodb+srv://" };

	private CredentialMasking() {
	}

	/**
	 * Mask the connection strings quoted in a text that may be absent.
	 * @param text the text, or {@code null}
	 * @return the masked text, or {@code null}
	 */
	public static @Nullable String maskNullable(@Nullable String text) {
		return (text != null) ? mask(text) : null;
	}

	/**
	 * Mask the credentials of every connection string quoted in a text.
	 * @param text the text
	 * @return the text with each quoted connection string masked; the same instance when
	 * it quotes none
	 */
	public static String mask(String text) {
		String lower = text.toLowerCase(Locale.ROOT);
		int start = nextUri(lower, 0);
		if (start < 0) {
			return text;
		}
		StringBuilder masked = new StringBuilder(text.length());
		int copied = 0;
		while (start >= 0) {
			int end = uriEnd(text, start);
			masked.append(text, copied, start);
			String uri = maskUri(text.substring(start, end), end == text.length() && text.endsWith("..."));
			masked.append(uri);
			copied = end;
			if (uri.indexOf(MASK) == uri.indexOf("://") + 3 && !uri.contains(MASK + "@") && end < text.length()) {
				// The authority was cut short: the user information may go on in the next
				// word, up to its '@'.
				int wordEnd = uriEnd(text, end + 1);
				int at = text.lastIndexOf('@', wordEnd - 1);
				if (at > end) {
					masked.append(text.charAt(end)).append(MASK);
					copied = at;
				}
			}
			start = nextUri(lower, copied);
		}
		return masked.append(text, copied, text.length()).toString();
	}

	private static int nextUri(String lower, int from) {
		int next = -1;
		for (String scheme : SCHEMES) {
			int at = lower.indexOf(scheme, from);
			if (at >= 0 && (next < 0 || at < next)) {
				next = at;
			}
		}
		return next;
	}

	private static int uriEnd(String text, int start) {
		for (int i = start; i < text.length(); i++) {
			char c = text.charAt(i);
			if (Character.isWhitespace(c) || c == '\'' || c == '"' || c == '`' || c == '<' || c == '>' || c == '{'
					|| c == '}' || c == '\\') {
				return i;
			}
		}
		return text.length();
	}

	private static String maskUri(String uri, boolean maybeCut) {
		int authorityStart = uri.indexOf("://") + 3;
		if (maybeCut) {
			return uri.substring(0, authorityStart) + MASK + "...";
		}
		String masked = MaskedConnectionString.mask(uri);
		int authorityEnd = authorityEnd(masked, authorityStart);
		String authority = masked.substring(authorityStart, authorityEnd);
		if (authority.startsWith(MASK + "@")) {
			authority = authority.substring(MASK.length() + 1);
		}
		if (isHostList(authority)) {
			return masked;
		}
		return masked.substring(0, authorityStart) + MASK + masked.substring(authorityEnd);
	}

	private static int authorityEnd(String uri, int from) {
		for (int i = from; i < uri.length(); i++) {
			char c = uri.charAt(i);
			if (c == '/' || c == '?') {
				return i;
			}
		}
		return uri.length();
	}

	// host[:port] pairs separated by commas; a host is a name, an IPv4 address or a
	// bracketed IPv6 address.
	private static boolean isHostList(String authority) {
		if (authority.isEmpty()) {
			return true;
		}
		for (String host : authority.split(",", -1)) {
			if (!isHost(host)) {
				return false;
			}
		}
		return true;
	}

	private static boolean isHost(String host) {
		String name = host;
		String port = null;
		if (host.startsWith("[")) {
			int close = host.indexOf(']');
			if (close < 0) {
				return false;
			}
			name = host.substring(1, close);
			String rest = host.substring(close + 1);
			if (!rest.isEmpty()) {
				if (!rest.startsWith(":")) {
					return false;
				}
				port = rest.substring(1);
			}
			if (!name.chars().allMatch((c) -> Character.digit(c, 16) >= 0 || c == ':' || c == '.' || c == '%')) {
				return false;
			}
		}
		else {
			int colon = host.indexOf(':');
			if (colon >= 0) {
				name = host.substring(0, colon);
				port = host.substring(colon + 1);
			}
			if (name.isEmpty() || !name.chars()
				.allMatch((c) -> (c < 128 && Character.isLetterOrDigit(c)) || c == '.' || c == '-' || c == '_')) {
				return false;
			}
		}
		return port == null || (!port.isEmpty() && port.length() <= 5 && port.chars().allMatch(Character::isDigit));
	}

}
