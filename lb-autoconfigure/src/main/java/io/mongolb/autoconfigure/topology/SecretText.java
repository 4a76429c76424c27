package io.mongolb.autoconfigure.topology;

import java.util.regex.Pattern;

/**
 * Masks what may be a credential in a text the model keeps or logs: driver and server
 * error messages can quote what the application sent, a connection string among it. The
 * user information of {@code mongodb://} and {@code mongodb+srv://} strings becomes
 * {@code ****@}, and the value of password-, secret- and token-like options becomes
 * {@code ****}. The auto-configuration masks connection strings more thoroughly where it
 * shows them; this package keeps its own small pass so that it depends on nothing of the
 * decision's.
 */
final class SecretText {

	private static final Pattern USER_INFO = Pattern.compile("(mongodb(?:\\+srv)?://)[^/?#\\s'\"]*@",
			Pattern.CASE_INSENSITIVE);

	private static final Pattern SECRET_OPTION = Pattern
		.compile("((?:password|passwd|pwd|secret|token)[a-z_]*=)[^&\\s'\"]+", Pattern.CASE_INSENSITIVE);

	private SecretText() {
	}

	static String mask(String text) {
		if (text.indexOf('@') < 0 && text.indexOf('=') < 0) {
			return text;
		}
		String masked = USER_INFO.matcher(text).replaceAll("$1****@");
		return SECRET_OPTION.matcher(masked).replaceAll("$1****");
	}

}
