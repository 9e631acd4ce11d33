package io.meshfed.federation.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshfed create-remote-secret}: prints the Secret that registers a cluster with the other clusters' control
 * planes, like {@code istioctl create-remote-secret}. Apply its output in every other cluster's system namespace.
 */
@Command(name = "create-remote-secret", mixinStandardHelpOptions = true,
    description = {"Print the Secret that registers this cluster with the other clusters' control planes.",
        "Creates a reader service account and its token Secret in the cluster, then prints YAML for"
            + " `kubectl apply -f -` in the other clusters."})
public final class CreateRemoteSecretCommand implements Callable<Integer> {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--context", description = "kubeconfig context of the cluster to register (default: current)")
  String context;

  @Option(names = "--kubeconfig", description = "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
  Path kubeconfig;

  @Option(names = "--name", required = true, description = "cluster id of the registered cluster")
  String name;

  @Option(names = {"-n", "--namespace"}, defaultValue = "istio-system", description = "system namespace"
      + " (default: ${DEFAULT-VALUE})")
  String namespace;

  @Option(names = "--service-account", defaultValue = "istio-reader-service-account",
      description = "reader service account (default: ${DEFAULT-VALUE}, as istioctl)")
  String serviceAccount;

  @Option(names = "--server", description = "API server URL other clusters use (default: the context's)")
  String server;

  @Option(names = "--network", description = "network of the cluster (multi-network meshes)")
  String network;

  @Option(names = "--gateways", description = "east-west gateway addresses, host[:port] comma-separated")
  String gateways;

  @Option(names = "--locality", description = "region[.zone[.subzone]] of the cluster")
  String locality;

  @Option(names = "--federation-endpoint", description = "host:port of this cluster's control-plane federation"
      + " relay (multi-primary)")
  String federationEndpoint;

  @Option(names = "--token-timeout", defaultValue = "30", description = "seconds to wait for the token"
      + " (default: ${DEFAULT-VALUE})")
  int tokenTimeoutSeconds;

  @Override
  public Integer call() throws Exception {
    Config config;
    try {
      String text = Files.readString(kubeconfigPath());
      requireContext(text);
      config = Config.fromKubeconfig(context, text, kubeconfigPath().toString());
    } catch (java.io.IOException | RuntimeException e) {
      spec.commandLine().getErr().printf("create-remote-secret: --kubeconfig %s: cannot read context %s: %s%n",
          kubeconfigPath(), context == null ? "(current)" : context, e.getMessage());
      return 2;
    }
    String apiServer = server != null ? server : config.getMasterUrl();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config)
        .withHttpClientFactory(new JdkHttpClientFactory()).build()) {
      RemoteSecretGenerator generator = new RemoteSecretGenerator(client, apiServer,
          new RemoteSecretGenerator.Options(name, namespace, serviceAccount, network, gateways, locality,
              federationEndpoint, Duration.ofSeconds(tokenTimeoutSeconds)));
      spec.commandLine().getOut().print(generator.yaml());
      spec.commandLine().getOut().flush();
      return 0;
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("create-remote-secret: " + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      spec.commandLine().getErr().println("create-remote-secret: " + e.getMessage());
      return 1;
    }
  }

  private void requireContext(String text) {
    io.fabric8.kubernetes.api.model.Config parsed =
        io.fabric8.kubernetes.client.utils.Serialization.unmarshal(text, io.fabric8.kubernetes.api.model.Config.class);
    String wanted = context != null ? context : parsed.getCurrentContext();
    boolean known = parsed.getContexts() != null
        && parsed.getContexts().stream().anyMatch(named -> named.getName().equals(wanted));
    if (!known) {
      throw new IllegalArgumentException("no such context (expected one of "
          + (parsed.getContexts() == null ? "[]" : parsed.getContexts().stream().map(c -> c.getName()).toList())
          + ")");
    }
  }

  private Path kubeconfigPath() {
    if (kubeconfig != null) {
      return kubeconfig;
    }
    String env = System.getenv("KUBECONFIG");
    if (env != null && !env.isBlank()) {
      return Path.of(env.split(java.io.File.pathSeparator)[0]);
    }
    return Path.of(System.getProperty("user.home"), ".kube", "config");
  }
}
