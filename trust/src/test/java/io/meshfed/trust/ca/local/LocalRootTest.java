package io.meshfed.trust.ca.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.trust.TrustDomain;
import io.meshfed.trust.ca.CaException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRootTest {

  @TempDir
  Path data;

  @Test
  void createsTheRootWithAnOwnerOnlyKeyAndLoadsItBack() throws Exception {
    Path dir = data.resolve("ca");
    LocalRoot created = LocalRoot.loadOrCreate(dir, TrustDomain.of("mesh.example"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("root-key.pem"))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    assertThat(created.trustDomain()).isEqualTo(TrustDomain.of("mesh.example"));
    LocalRoot loaded = LocalRoot.loadOrCreate(dir, TrustDomain.of("mesh.example"));
    assertThat(loaded.certificate()).isEqualTo(created.certificate());
  }

  @Test
  void refusesToStartWhenTheKeyIsReadableByOthers() throws Exception {
    Path dir = data.resolve("ca");
    LocalRoot.create(dir, TrustDomain.of("cluster.local"), Duration.ofDays(1));
    Files.setPosixFilePermissions(dir.resolve("root-key.pem"), PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> LocalRoot.load(dir))
        .isInstanceOfSatisfying(CaException.class,
            e -> assertThat(e.reason()).isEqualTo(CaException.Reason.MISCONFIGURED))
        .hasMessageContaining("permissions rw-r--r-- let others read the root key (expected: rw------- ; run chmod 600");
  }

  @Test
  void refusesARootOfAnotherTrustDomain() {
    Path dir = data.resolve("ca");
    LocalRoot.create(dir, TrustDomain.of("cluster.local"), Duration.ofDays(1));
    assertThatThrownBy(() -> LocalRoot.loadOrCreate(dir, TrustDomain.of("other.local")))
        .hasMessageContaining("the root serves trust domain cluster.local but the config says other.local");
  }

  @Test
  void missingOrTruncatedFilesAreClearErrors() throws Exception {
    assertThatThrownBy(() -> LocalRoot.load(data)).hasMessageContaining("no root CA (root-key.pem and"
        + " root-cert.pem expected; create one with `meshfed ca init`)");
    Path dir = data.resolve("ca");
    LocalRoot.create(dir, TrustDomain.of("cluster.local"), Duration.ofDays(1));
    String cert = Files.readString(dir.resolve("root-cert.pem"));
    Files.writeString(dir.resolve("root-cert.pem"), cert.substring(0, cert.length() / 2));
    assertThatThrownBy(() -> LocalRoot.load(dir)).hasMessageContaining("root-cert.pem: truncated PEM");
    assertThatThrownBy(() -> LocalRoot.create(dir, TrustDomain.of("cluster.local"), Duration.ofDays(1)))
        .hasMessageContaining("already holds a root CA");
  }

  @Test
  void rotationKeepsTheOldRootTrustedBesideTheNewOne() {
    Path dir = data.resolve("ca");
    LocalRoot first = LocalRoot.create(dir, TrustDomain.of("cluster.local"), Duration.ofDays(1));
    LocalRoot second = first.rotate(Duration.ofDays(2));
    assertThat(second.certificate()).isNotEqualTo(first.certificate());
    assertThat(second.bundle(Set.of()).roots()).containsExactly(first.certificate(), second.certificate());
    LocalRoot reloaded = LocalRoot.load(dir);
    assertThat(reloaded.certificate()).isEqualTo(second.certificate());
    assertThat(reloaded.previousRoots()).containsExactly(first.certificate());
  }
}
