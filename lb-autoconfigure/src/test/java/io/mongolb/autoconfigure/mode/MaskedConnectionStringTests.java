package io.mongolb.autoconfigure.mode;

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
		String masked = MaskedConnectionString
			.mask("mongodb+srv://app:p@ss/w0rd@cluster0.example.net/?retryWrites=true");
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

	@Test
	void masksPasswordsWithUnencodedSeparators() {
		String[] passwords = { "pa?ss", "pa/ss", "pa=ss", "p@ss", "p/a?s=s", "x@y/z?w", "a:b" };
		for (String password : passwords) {
			String uri = "mongodb://app:" + password + "@lb.example.net:27017/app?replicaSet=rs0&appName=orders";
			String masked = MaskedConnectionString.mask(uri);
			assertThat(masked).as(uri).doesNotContain(password).contains("lb.example.net:27017/app?replicaSet=rs0");
			for (String fragment : password.split("[/?=@:]")) {
				if (fragment.length() >= 2) {
					assertThat(masked).as(uri).doesNotContain("app:" + fragment).doesNotContain(fragment + "@");
				}
			}
		}
	}

	@Test
	void anAtSignInAnOptionValueDoesNotHideTheHosts() {
		assertThat(MaskedConnectionString.mask("mongodb://lb:27017/?appName=me@example&loadBalanced=true"))
			.isEqualTo("mongodb://lb:27017/?appName=me@example&loadBalanced=true");
	}

	@Test
	void fragmentsOfTheUserInformationAreMaskedInOtherMessages() {
		String uri = "mongodb://app:pa?ssw0rd@lb:27017/app";
		assertThat(MaskedConnectionString.maskSecretsIn("invalid host 'app:pa' in " + uri, uri))
			.doesNotContain("pa?ssw0rd")
			.doesNotContain("app:pa'")
			.contains("invalid host '****:****'");
	}

	@Test
	void masksOnlyFragmentsThatStandApartFromTheWordsOfAMessage() {
		String uri = "mongodb://app:ssword?x9@lb.example.net:27017/app";
		String message = "The port contains non-digit characters. Hint: username and password must be escaped;"
				+ " host 'ssword' port 'x9@lb.example.net:27017'";
		assertThat(MaskedConnectionString.maskSecretsIn(message, uri))
			.contains("Hint: username and password must be escaped")
			.contains("host '****'")
			.doesNotContain("'ssword'")
			.doesNotContain("x9@");
	}

	@Test
	void theWordsOfTheDriversHintSurviveShortOrWordLikeCredentials() {
		String hint = "The port contains non-digit characters, it must be an integer between 0 and 65535."
				+ " Hint: username and password must be escaped according to RFC 3986.";
		assertThat(MaskedConnectionString.maskSecretsIn(hint, "mongodb://app:to/be@lb:27017/app")).isEqualTo(hint);
		assertThat(MaskedConnectionString.maskSecretsIn(hint, "mongodb://username:to/be@lb:27017/app")).isEqualTo(hint);
	}

	@Test
	void aQuotedPieceOfTheUserInformationIsMaskedWhole() {
		// The driver's own message for this password quotes two characters from the
		// middle of it.
		String message = "URLDecoder: Illegal hex characters in escape (%) pattern - Error at index 0 in: \"zz\"";
		assertThat(MaskedConnectionString.maskSecretsIn(message, "mongodb://app:ab%zzcd@lb:27017/"))
			.endsWith("in: \"****\"")
			.doesNotContain("zz");
	}

}
