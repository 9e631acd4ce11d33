package io.meshfed.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PemTest {

  private static final TestPki PKI = new TestPki("cluster.local");

  @Test
  void roundTripsCertificatesAndKeys() {
    String pem = Pem.encodeCertificates(List.of(PKI.intermediate, PKI.root));
    assertThat(Pem.certificates(pem, "chain")).containsExactly(PKI.intermediate, PKI.root);
    String key = Pem.encodePrivateKey(PKI.rootKey.getPrivate());
    assertThat(Pem.privateKey(key, "key").getEncoded()).isEqualTo(PKI.rootKey.getPrivate().getEncoded());
  }

  @Test
  void truncatedPemSaysSoAndNamesTheSource() {
    String pem = Pem.encodeCertificates(List.of(PKI.root));
    String truncated = pem.substring(0, pem.length() / 2);
    assertThatThrownBy(() -> Pem.certificates(truncated, "/etc/meshfed/root.pem"))
        .isInstanceOfSatisfying(PemException.class, e -> assertThat(e.source()).isEqualTo("/etc/meshfed/root.pem"))
        .hasMessageStartingWith("/etc/meshfed/root.pem: truncated PEM")
        .hasMessageContaining("no matching -----END CERTIFICATE-----");
  }

  @Test
  void emptyGarbageAndWrongLabelsAreClearErrors() {
    assertThatThrownBy(() -> Pem.certificates("", "bundle")).hasMessage(
        "bundle: empty (expected: PEM text with -----BEGIN ...----- blocks)");
    assertThatThrownBy(() -> Pem.certificates("hello", "bundle")).hasMessageContaining("no PEM block");
    assertThatThrownBy(() -> Pem.certificates("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "b"))
        .hasMessageContaining("bad base64");
    assertThatThrownBy(() -> Pem.certificates("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "b"))
        .hasMessageContaining("certificate 0 is not a valid X.509 certificate");
    String key = Pem.encodePrivateKey(PKI.rootKey.getPrivate());
    assertThatThrownBy(() -> Pem.certificates(key, "b")).hasMessageContaining("block 0 is PRIVATE KEY");
    assertThatThrownBy(() -> Pem.privateKey(Pem.encodeCertificates(List.of(PKI.root)), "k"))
        .hasMessageContaining("block is CERTIFICATE");
  }
}
