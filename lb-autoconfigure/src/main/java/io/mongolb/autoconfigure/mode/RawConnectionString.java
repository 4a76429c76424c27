package io.mongolb.autoconfigure.mode;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The parts of a connection string that the load-balanced rules look at, read from the
 * raw text before the driver parses it (so that the driver's terse exception is never the
 * first thing a user sees). This is not a full parser: anything it cannot read is left to
 * the driver.
 *
 * @param text the connection string as written
 * @param srv whether it is a {@code mongodb+srv} string
 * @param hosts the hosts as written (for SRV, the SRV host name)
 * @param options the options by lower-case name, values URL-decoded
 */
record RawConnectionString(String text, boolean srv, List<String> hosts, Map<String, String> options) {

	/**
	 * Read the given text.
	 * @param text a connection string
	 * @return its parts, or {@code null} when the text is not a {@code mongodb://} or
	 * {@code mongodb+srv://} string, or when its user information cannot be told apart
	 * from its hosts and options as the driver reads them
	 */
	static @Nullable RawConnectionString parse(String text) {
		boolean srv;
		String rest;
		if (text.startsWith("mongodb://")) {
			srv = false;
			rest = text.substring("mongodb://".length());
		}
		else if (text.startsWith("mongodb+srv://")) {
			srv = true;
			rest = text.substring("mongodb+srv://".length());
		}
		else {
			return null;
		}
		// As the driver reads it: the hosts end at the first '/' or '?', the user
		// information at the last '@' before them.
		int slash = rest.indexOf('/');
		int query = rest.indexOf('?');
		int authorityEnd = (slash < 0) ? query : (query < 0) ? slash : Math.min(slash, query);
		String authority = (authorityEnd >= 0) ? rest.substring(0, authorityEnd) : rest;
		int at = authority.lastIndexOf('@');
		int schemeLength = text.length() - rest.length();
		int userInfoEnd = MaskedConnectionString.userInfoEnd(text, schemeLength);
		if (userInfoEnd != ((at >= 0) ? schemeLength + at : -1)) {
			// User information with an unencoded reserved character ('/', '?', ',', ...):
			// the driver would read part of it as hosts or options. Nothing read here
			// could be shown without showing a secret, so leave the string to the driver,
			// whose error is reported masked.
			return null;
		}
		String hostList = (at >= 0) ? authority.substring(at + 1) : authority;
		List<String> hosts = new ArrayList<>();
		for (String host : hostList.split(",", -1)) {
			if (!host.isBlank()) {
				hosts.add(host.trim());
			}
		}
		Map<String, String> options = new LinkedHashMap<>();
		if (query >= 0) {
			for (String option : rest.substring(query + 1).split("[&;]")) {
				int equals = option.indexOf('=');
				if (equals > 0) {
					String key = option.substring(0, equals).toLowerCase(Locale.ROOT);
					options.put(key, decode(option.substring(equals + 1)));
				}
			}
		}
		return new RawConnectionString(text, srv, Collections.unmodifiableList(hosts),
				Collections.unmodifiableMap(options));
	}

	private static String decode(String value) {
		try {
			return URLDecoder.decode(value, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return value;
		}
	}

	/**
	 * The value of an option, by its case-insensitive name, as written.
	 * @param name the option name
	 * @return the value, or {@code null} when absent
	 */
	@Nullable String option(String name) {
		return this.options.get(name.toLowerCase(Locale.ROOT));
	}

	String masked() {
		return MaskedConnectionString.mask(this.text);
	}

	/**
	 * A warning for a {@code loadBalanced} value that the driver reads but deprecates
	 * ({@code yes}, {@code 1}, ...).
	 * @param origin where the connection string comes from
	 * @return the warning, or {@code null} when the spelling is {@code true},
	 * {@code false} or absent
	 */
	@Nullable String deprecatedSpellingWarning(String origin) {
		String value = option("loadBalanced");
		Boolean parsed = ConnectionSettings.parseBoolean(value);
		if (value == null || parsed == null || value.trim().equalsIgnoreCase(parsed.toString())) {
			return null;
		}
		return origin + " sets loadBalanced=" + value + ": the MongoDB driver reads it as " + parsed
				+ " but deprecates that spelling; write loadBalanced=" + parsed + " instead.";
	}

}
