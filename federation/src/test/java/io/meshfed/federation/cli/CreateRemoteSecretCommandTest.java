package io.meshfed.federation.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.meshfed.federation.remote.RemoteCredential;
import io.meshfed.federation.remote.RemoteSecrets;
import io.meshfed.it.kube.MockKubernetesCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CreateRemoteSecretCommandTest {

  private final MockKubernetesCluster west = MockKubernetesCluster.start("west");

  @AfterEach
  void stop() {
    west.close();
  }

  @Test
  void printsASecretTheRegistryAcceptsWithTheServiceAccountToken(@TempDir Path dir) throws Exception {
    Path kubeconfig = dir.resolve("config");
    Files.writeString(kubeconfig, west.kubeconfig());
    // Stand in for the token controller, which fills the token Secret the command creates.
    Thread controller = new Thread(() -> {
      for (int i = 0; i < 200; i++) {
        var secret = west.client().secrets().inNamespace("istio-system")
            .withName("istio-reader-service-account-token");
        if (secret.get() != null) {
          secret.edit(s -> {
            s.setData(Map.of("token", b64("reader-token"), "ca.crt", b64("CA PEM")));
            return s;
          });
          return;
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    controller.start();

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = new CommandLine(new CreateRemoteSecretCommand()).setOut(new PrintWriter(out))
        .setErr(new PrintWriter(err)).execute("--kubeconfig", kubeconfig.toString(), "--context", "west",
            "--name", "west", "--network", "net-west", "--gateways", "gw.west.example:15443");
    controller.join();

    assertThat(exit).as(err.toString()).isZero();
    Secret secret = Serialization.unmarshal(out.toString(), Secret.class);
    assertThat(secret.getMetadata().getName()).isEqualTo("istio-remote-secret-west");
    assertThat(secret.getMetadata().getLabels()).containsEntry("istio/multiCluster", "true")
        .containsEntry("meshfed.io/multi-cluster", "true");
    assertThat(secret.getMetadata().getAnnotations()).containsEntry("networking.istio.io/cluster", "west");
    assertThat(west.client().serviceAccounts().inNamespace("istio-system")
        .withName("istio-reader-service-account").get()).isNotNull();
    assertThat(west.client().secrets().inNamespace("istio-system").withName("istio-reader-service-account-token")
        .get().getType()).isEqualTo("kubernetes.io/service-account-token");

    List<RemoteCredential> parsed = RemoteSecrets.parse(secret);
    assertThat(parsed).singleElement().satisfies(credential -> {
      assertThat(credential.clusterId()).isEqualTo("west");
      assertThat(credential.info().network()).isEqualTo("net-west");
      assertThat(credential.info().gateways()).hasSize(1);
      assertThat(credential.kubeconfig()).contains("reader-token", west.url().replaceAll("/$", ""));
      assertThat(credential.toString()).doesNotContain("reader-token");
    });
  }

  @Test
  void anUnknownContextIsAUsageError(@TempDir Path dir) throws Exception {
    Path kubeconfig = dir.resolve("config");
    Files.writeString(kubeconfig, west.kubeconfig());
    StringWriter err = new StringWriter();
    int exit = new CommandLine(new CreateRemoteSecretCommand()).setErr(new PrintWriter(err))
        .execute("--kubeconfig", kubeconfig.toString(), "--context", "nope", "--name", "west");
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--kubeconfig", "nope");
  }

  private static String b64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }
}
