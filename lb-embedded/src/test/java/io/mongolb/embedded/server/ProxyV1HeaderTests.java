package io.mongolb.embedded.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The strict reading of a PROXY v1 line, case by case (the socket-level behaviour is in
 * {@link WireProtocolTests}).
 */
class ProxyV1HeaderTests {

	@ParameterizedTest
	@ValueSource(strings = { "::", "::1", "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "1:2:3:4:5:6:1.2.3.4",
			"::ffff:192.0.2.1", "2001:0DB8::ff00:42:8329", "fe80::1:2" })
	void validIpv6(String address) {
		assertThat(ProxyV1Header.isIpv6(address)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", ":", ":1", "1:", ":::", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
			"1::2:3:4:5:6:7:8", "12345::", "g::1", "[::1]", "fe80::1%eth0", "1.2.3.4::", "::1.2.3", "::1.2.3.4:5",
			"1:2:3:4:5:6:7:1.2.3.4", "127.0.0.1" })
	void invalidIpv6(String address) {
		assertThat(ProxyV1Header.isIpv6(address)).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "0.0.0.0", "127.0.0.1", "255.255.255.255", "10.0.10.1" })
	void validIpv4(String address) {
		assertThat(ProxyV1Header.isIpv4(address)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "+1.2.3.4", "1.2.3.4 ",
			"0x7f.0.0.1", "::1" })
	void invalidIpv4(String address) {
		assertThat(ProxyV1Header.isIpv4(address)).isFalse();
	}

	@ParameterizedTest
	@ValueSource(strings = { "0", "1", "80", "65535" })
	void validPort(String port) {
		assertThat(ProxyV1Header.isPort(port)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "+80", "-1", "080", "65536", "100000", "8 0", "0x50" })
	void invalidPort(String port) {
		assertThat(ProxyV1Header.isPort(port)).isFalse();
	}

	@Test
	void parsesTcp4AndTcp6AndUnknown() {
		ProxyV1Header tcp4 = ProxyV1Header.parse("PROXY TCP4 192.0.2.1 127.0.0.1 50000 27017");
		assertThat(tcp4.protocol()).isEqualTo("TCP4");
		assertThat(tcp4.source()).isEqualTo("192.0.2.1");
		assertThat(tcp4.sourcePort()).isEqualTo("50000");
		assertThat(ProxyV1Header.parse("PROXY TCP6 ::1 ::1 0 65535").protocol()).isEqualTo("TCP6");
		assertThat(ProxyV1Header.parse("PROXY UNKNOWN").protocol()).isEqualTo("UNKNOWN");
		assertThat(ProxyV1Header.parse("PROXY UNKNOWN whatever follows").protocol()).isEqualTo("UNKNOWN");
	}

	@Test
	void refusalSaysWhatIsWrong() {
		assertThatIllegalArgumentException().isThrownBy(() -> ProxyV1Header.parse("PROXY TCP6 [::1] ::1 1 2"))
			.withMessage("source address '[::1]' is not an IPv6 address in RFC 4291 text (no brackets, no zone id), "
					+ "as TCP6 requires");
		assertThatIllegalArgumentException().isThrownBy(() -> ProxyV1Header.parse("PROXY TCP4 1.2.3.4 1.2.3.4 1 +2"))
			.withMessage("destination port '+2' is not a decimal 0 to 65535 without sign or leading zero");
		assertThatIllegalArgumentException().isThrownBy(() -> ProxyV1Header.parse("PROXY TCP4 1.2.3.4 1.2.3.4 1 2 "))
			.withMessageStartingWith("expected 'PROXY TCP4|TCP6 source destination sourcePort destinationPort'");
		assertThatIllegalArgumentException().isThrownBy(() -> ProxyV1Header.parse("PROXY UDP4 1.2.3.4 1.2.3.4 1 2"))
			.withMessage("unknown protocol 'UDP4' (TCP4, TCP6 or UNKNOWN)");
	}

}
