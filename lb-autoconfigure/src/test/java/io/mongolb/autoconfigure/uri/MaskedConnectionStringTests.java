package io.mongolb.autoconfigure.uri;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MaskedConnectionStringTests {

	@Test
	void masksUserInformation() {
		assertThat(MaskedConnectionString.mask("mongodb://app:s3cr3t@lb.example.net:27017/orders?loadBalanced=true"))
			.isEqualTo("mongodb://****@lb.example.net:27017/orders?loadBalanced=true");
	}

	@Test
	void masksPasswordsHoldingReservedCharacters() {
		String masked = MaskedConnectionString.mask("mongodb+srv://app:p@ss/w0rd@cluster0.example.net/?retryWrites=true");
		assertThat(masked).isEqualTo("mongodb+srv://****@cluster0.example.net/?retryWrites=true")
			.doesNotContain("p@ss")
			.doesNotContain("w0rd");
	}

	@Test
	void masksSecretOptions() {
		String masked = MaskedConnectionString.mask("mongodb://lb:27017/?tlsCertificateKeyFilePassword=hunter2"
				+ "&authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:abc;loadBalanced=true");
		assertThat(masked).doesNotContain("hunter2")
			.doesNotContain("abc")
			.contains("tlsCertificateKeyFilePassword=****")
			.contains("authMechanismProperties=****")
			.contains("authMechanism=MONGODB-AWS")
			.endsWith(";loadBalanced=true");
	}

	@Test
	void leavesStringsWithoutCredentialsAlone() {
		String uri = "mongodb://lb.example.net:27017/app?loadBalanced=true&appName=orders";
		assertThat(MaskedConnectionString.mask(uri)).isEqualTo(uri);
	}

	@Test
	void masksMalformedStringsConservatively() {
		assertThat(MaskedConnectionString.mask("user:pw@host")).isEqualTo("****@host");
	}

}
