package io.mongolb.embedded.server;

/**
 * A PROXY protocol version 1 header line, read strictly as the protocol's text defines
 * it: {@code PROXY}, a single space, {@code TCP4} or {@code TCP6}, the source and
 * destination addresses and ports, each after a single space, and CRLF right after the
 * last port; or {@code PROXY UNKNOWN}, optionally followed by a space and anything, then
 * CRLF. At most 107 bytes, CRLF included. Addresses are dotted-quad IPv4 (no leading
 * zeros) for {@code TCP4} and RFC 4291 text IPv6 for {@code TCP6} (no brackets, no zone
 * id); ports are decimal 0 to 65535 without sign or leading zero.
 * <p>
 * Netty's {@code HAProxyMessageDecoder} accepts more (brackets, zone ids, {@code +80}, a
 * space before CRLF) and refuses port 0; mongos refuses malformed headers, so the fronts
 * read version 1 with this instead.
 */
final class ProxyV1Header {

	/** The longest version 1 header, CRLF included. */
	static final int MAX_LENGTH = 107;

	private static final String USAGE = "expected 'PROXY TCP4|TCP6 source destination sourcePort destinationPort' "
			+ "with single spaces and CRLF right after the last port, or 'PROXY UNKNOWN'";

	private final String protocol;

	private final String source;

	private final String sourcePort;

	private ProxyV1Header(String protocol, String source, String sourcePort) {
		this.protocol = protocol;
		this.source = source;
		this.sourcePort = sourcePort;
	}

	/**
	 * Parses a header line.
	 * @param line the line, without its CRLF, printable US-ASCII only
	 * @return the header
	 * @throws IllegalArgumentException saying what is wrong with the line
	 */
	static ProxyV1Header parse(String line) {
		if (!line.startsWith("PROXY ")) {
			throw new IllegalArgumentException(USAGE);
		}
		String rest = line.substring("PROXY ".length());
		if (rest.equals("UNKNOWN") || rest.startsWith("UNKNOWN ")) {
			// The receiver must ignore what follows UNKNOWN up to CRLF.
			return new ProxyV1Header("UNKNOWN", "", "");
		}
		String[] fields = rest.split(" ", -1);
		if (fields.length != 5) {
			throw new IllegalArgumentException(USAGE);
		}
		String protocol = fields[0];
		boolean ipv4 = protocol.equals("TCP4");
		if (!ipv4 && !protocol.equals("TCP6")) {
			throw new IllegalArgumentException("unknown protocol '" + protocol + "' (TCP4, TCP6 or UNKNOWN)");
		}
		checkAddress("source", fields[1], ipv4);
		checkAddress("destination", fields[2], ipv4);
		checkPort("source", fields[3]);
		checkPort("destination", fields[4]);
		return new ProxyV1Header(protocol, fields[1], fields[3]);
	}

	String protocol() {
		return this.protocol;
	}

	String source() {
		return this.source;
	}

	String sourcePort() {
		return this.sourcePort;
	}

	private static void checkAddress(String which, String address, boolean ipv4) {
		if (ipv4 ? !isIpv4(address) : !isIpv6(address)) {
			throw new IllegalArgumentException(which + " address '" + address + "' is not "
					+ (ipv4 ? "a dotted-quad IPv4 address without leading zeros, as TCP4 requires"
							: "an IPv6 address in RFC 4291 text (no brackets, no zone id), as TCP6 requires"));
		}
	}

	private static void checkPort(String which, String port) {
		if (!isPort(port)) {
			throw new IllegalArgumentException(
					which + " port '" + port + "' is not a decimal 0 to 65535 without sign or leading zero");
		}
	}

	static boolean isIpv4(String address) {
		String[] octets = address.split("\\.", -1);
		if (octets.length != 4) {
			return false;
		}
		for (String octet : octets) {
			if (!isDecimal(octet, 3) || Integer.parseInt(octet) > 255) {
				return false;
			}
		}
		return true;
	}

	static boolean isIpv6(String address) {
		if (address.isEmpty()) {
			return false;
		}
		int compressed = address.indexOf("::");
		if (compressed >= 0 && address.indexOf("::", compressed + 1) >= 0) {
			return false;
		}
		String[] groups;
		if (compressed < 0) {
			groups = address.split(":", -1);
		}
		else {
			String head = address.substring(0, compressed);
			String tail = address.substring(compressed + 2);
			String[] headGroups = head.isEmpty() ? new String[0] : head.split(":", -1);
			String[] tailGroups = tail.isEmpty() ? new String[0] : tail.split(":", -1);
			groups = new String[headGroups.length + tailGroups.length];
			System.arraycopy(headGroups, 0, groups, 0, headGroups.length);
			System.arraycopy(tailGroups, 0, groups, headGroups.length, tailGroups.length);
			if (tail.isEmpty() && head.contains(".")) {
				// An embedded IPv4 address must end the address.
				return false;
			}
		}
		int count = 0;
		for (int i = 0; i < groups.length; i++) {
			String group = groups[i];
			if (i == groups.length - 1 && group.contains(".")) {
				if (!isIpv4(group)) {
					return false;
				}
				count += 2;
			}
			else if (group.isEmpty() || group.length() > 4 || !group.chars().allMatch(ProxyV1Header::isHexDigit)) {
				return false;
			}
			else {
				count++;
			}
		}
		return (compressed < 0) ? count == 8 : count <= 7;
	}

	static boolean isPort(String port) {
		return isDecimal(port, 5) && Integer.parseInt(port) <= 65535;
	}

	/*
	 * Whether the text is 1 to {@code maxDigits} ASCII digits without a leading zero (a
	 * lone {@code 0} is fine).
	 */
	private static boolean isDecimal(String text, int maxDigits) {
		if (text.isEmpty() || text.length() > maxDigits || (text.length() > 1 && text.charAt(0) == '0')) {
			return false;
		}
		return text.chars().allMatch((c) -> c >= '0' && c <= '9');
	}

	private static boolean isHexDigit(int c) {
		return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
	}

}
