package io.meshfed.control.plane.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.meshfed.control.plane.analyze.Analysis;
import io.meshfed.control.plane.analyze.AnalysisReport;
import io.meshfed.control.plane.analyze.ClusterConfig;
import io.meshfed.control.plane.analyze.ReportFormat;
import io.meshfed.control.plane.config.ConfigSnapshot;
import io.meshfed.control.plane.config.KubernetesConfigSource;
import io.meshfed.control.plane.config.RawResource;
import io.meshfed.control.plane.config.SnapshotBuilder;
import io.meshfed.control.plane.config.SourceContents;
import io.meshfed.control.plane.config.YamlFiles;
import io.meshfed.control.plane.istio.MeshSettings;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import io.meshfed.control.plane.istio.ResourceParser;
import io.meshfed.control.plane.istio.Severity;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshfed analyze}: checks Istio and meshfed config (files, a live cluster, or several clusters) before it
 * is applied, printing each finding with a stable code and a fix. Exit codes: 0 nothing at or above the failure
 * threshold, 79 findings at or above it (as {@code istioctl analyze}), 1 the analysis could not run, 2 usage error.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Check Istio and meshfed config for mistakes before it is applied.",
        "Reads YAML files and directories (-f), the current cluster (--kube), or several clusters (--cluster) for the "
            + "federation checks. Every finding has a stable code (MFxxxx), a severity and a fix; see "
            + "docs/analyze.md."},
    footer = {"", "Examples:",
        "  meshfed analyze -f samples/bookinfo/",
        "  meshfed analyze --kube -f new-route.yaml          # the cluster with new-route.yaml applied",
        "  meshfed analyze --cluster east=east/ --cluster west=kube:west-context",
        "", "Exit codes: 0 no finding at or above --failure-threshold, " + AnalyzeCommand.EXIT_FOUND_ISSUES
            + " findings at or above it, 1 the analysis could not run, 2 usage error."})
public final class AnalyzeCommand implements Callable<Integer> {

  /** Same code as {@code istioctl analyze}, so CI scripts written for Istio keep working. */
  public static final int EXIT_FOUND_ISSUES = 79;
  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = {"-f", "--filename"}, paramLabel = "FILE|DIR",
      description = "YAML file or directory (searched recursively for .yaml/.yml); repeatable.")
  List<Path> files = new ArrayList<>();

  @Option(names = "--kube", description = "Also read the live cluster of the current kubeconfig context; files "
      + "given with -f replace the cluster's objects of the same kind, namespace and name.")
  boolean kube;

  @Option(names = "--cluster", paramLabel = "NAME=SOURCE", description = "One cluster of a mesh, repeatable: "
      + "SOURCE is a file or directory, or kube:CONTEXT for a kubeconfig context. Enables the federation checks "
      + "(ports of exported services, remote-secret cluster ids). Not combinable with -f/--kube.")
  List<String> clusters = new ArrayList<>();

  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Kubeconfig to use (default: $KUBECONFIG or "
      + "~/.kube/config).")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME", description = "Kubeconfig context for --kube (default: current).")
  String context;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS", defaultValue = "default",
      description = "Namespace of file objects without metadata.namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = "--root-namespace", paramLabel = "NS", defaultValue = "istio-system",
      description = "Mesh root namespace for mesh-wide policies (default: ${DEFAULT-VALUE}).")
  String rootNamespace;

  @Option(names = "--domain-suffix", paramLabel = "SUFFIX", defaultValue = "cluster.local",
      description = "Cluster DNS suffix (default: ${DEFAULT-VALUE}).")
  String domainSuffix;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "human",
      description = "human or json (default: ${DEFAULT-VALUE}).")
  String output;

  @Option(names = "--output-threshold", paramLabel = "LEVEL", defaultValue = "Info",
      description = "Lowest severity printed: Info, Warning or Error (default: ${DEFAULT-VALUE}).")
  String outputThreshold;

  @Option(names = "--failure-threshold", paramLabel = "LEVEL", defaultValue = "Error",
      description = "Lowest severity that makes the exit code " + EXIT_FOUND_ISSUES
          + ": Info, Warning or Error (default: ${DEFAULT-VALUE}).")
  String failureThreshold;

  @Option(names = "--list-codes", description = "Print every message code with its severity and meaning, and exit.")
  boolean listCodes;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (listCodes) {
      for (MessageType type : MessageType.values()) {
        out.printf("%s  %-7s  %-34s %s%n", type.code(), type.severity().label(), type.title(), type.summary());
      }
      out.flush();
      return 0;
    }
    Severity outputLevel;
    Severity failureLevel;
    ReportFormat format;
    MeshSettings mesh;
    try {
      outputLevel = Severity.parse(outputThreshold);
      failureLevel = Severity.parse(failureThreshold);
      format = switch (output.toLowerCase(java.util.Locale.ROOT)) {
        case "human", "log" -> ReportFormat.HUMAN;
        case "json" -> ReportFormat.JSON;
        default -> throw new IllegalArgumentException("--output: " + output + " (expected: human or json)");
      };
      mesh = new MeshSettings(domainSuffix, rootNamespace, namespace);
      if (files.isEmpty() && !kube && clusters.isEmpty()) {
        throw new IllegalArgumentException("nothing to analyze (expected: -f FILE|DIR, --kube or --cluster NAME=SOURCE)");
      }
      if (!clusters.isEmpty() && (kube || !files.isEmpty())) {
        throw new IllegalArgumentException("--cluster cannot be combined with -f or --kube (expected: one way to "
            + "name the inputs; give each cluster its own --cluster)");
      }
    } catch (IllegalArgumentException e) {
      err.println("meshfed analyze: " + e.getMessage());
      err.flush();
      return EXIT_USAGE;
    }
    List<ClusterConfig> inputs;
    try {
      inputs = clusters.isEmpty() ? List.of(new ClusterConfig("", snapshot(single(), mesh)))
          : namedClusters(mesh);
    } catch (UsageException e) {
      err.println("meshfed analyze: " + e.getMessage());
      err.flush();
      return EXIT_USAGE;
    } catch (IOException | KubernetesClientException | IllegalStateException e) {
      err.println("meshfed analyze: the analysis could not run: " + e.getMessage());
      err.flush();
      return EXIT_FAILED;
    }
    AnalysisReport report = Analysis.standard().run(inputs);
    format.write(report.atLeast(outputLevel), report, out);
    return report.hasAtLeast(failureLevel) ? EXIT_FOUND_ISSUES : 0;
  }

  /** The inputs of a single-cluster analysis: files first (they replace the cluster's objects), then the cluster. */
  private List<SourceContents> single() throws IOException, UsageException {
    List<SourceContents> sources = new ArrayList<>();
    if (!files.isEmpty()) {
      sources.add(readFiles(files));
    }
    if (kube) {
      sources.add(readCluster(context, "cluster"));
    }
    return sources;
  }

  private List<ClusterConfig> namedClusters(MeshSettings mesh) throws IOException, UsageException {
    Map<String, String> named = new LinkedHashMap<>();
    for (String entry : clusters) {
      int equals = entry.indexOf('=');
      if (equals <= 0 || equals == entry.length() - 1) {
        throw new UsageException("--cluster " + entry + " (expected: NAME=DIR, NAME=FILE or NAME=kube:CONTEXT)");
      }
      String name = entry.substring(0, equals);
      if (named.put(name, entry.substring(equals + 1)) != null) {
        throw new UsageException("--cluster " + name + " given twice (expected: one source per cluster name)");
      }
    }
    List<ClusterConfig> configs = new ArrayList<>();
    for (Map.Entry<String, String> cluster : named.entrySet()) {
      String source = cluster.getValue();
      SourceContents contents = source.startsWith("kube:")
          ? readCluster(source.substring("kube:".length()), cluster.getKey())
          : readFiles(List.of(Path.of(source)));
      configs.add(new ClusterConfig(cluster.getKey(), snapshot(List.of(contents), mesh)));
    }
    return configs;
  }

  private static SourceContents readFiles(List<Path> paths) throws IOException, UsageException {
    List<RawResource> resources = new ArrayList<>();
    List<Message> messages = new ArrayList<>();
    for (Path path : paths) {
      if (!Files.exists(path)) {
        throw new UsageException("-f " + path + ": no such file or directory");
      }
      for (Path file : YamlFiles.find(path)) {
        YamlFiles.FileRead read = YamlFiles.read(file, file.toString());
        resources.addAll(read.resources());
        read.error().ifPresent(messages::add);
      }
    }
    return new SourceContents("files", resources, messages);
  }

  private SourceContents readCluster(String contextName, String clusterName) throws IOException {
    Config config;
    if (kubeconfig != null) {
      config = Config.fromKubeconfig(contextName, Files.readString(kubeconfig), kubeconfig.toString());
    } else {
      config = Config.autoConfigure(contextName);
    }
    // A command-line tool should fail fast on an unreachable API server rather than back off for minutes.
    config.setRequestRetryBackoffLimit(1);
    config.setRequestRetryBackoffInterval(200);
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config)
        .withHttpClientFactory(new JdkHttpClientFactory()).build()) {
      return KubernetesConfigSource.list(client, clusterName, "v1", "v1");
    }
  }

  private static ConfigSnapshot snapshot(List<SourceContents> sources, MeshSettings mesh) {
    ConfigSnapshot snapshot = new SnapshotBuilder(new ResourceParser(mesh)).build(sources, ConfigSnapshot.empty(mesh));
    boolean overlay = sources.size() > 1;
    if (!overlay) {
      return snapshot;
    }
    // Files replace the cluster's objects of the same key (as istioctl analyze overlays files on the cluster):
    // that is intended, not a duplicate.
    return snapshot.withoutMessages(
        m -> m.type() == MessageType.DUPLICATE_OBJECT && m.origin().source().startsWith("cluster "));
  }

  private static final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
