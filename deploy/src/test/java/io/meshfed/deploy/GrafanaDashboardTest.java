package io.meshfed.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshfed.control.client.flags.ResponseFlags;
import io.meshfed.control.client.metrics.ConnectionMetric;
import io.meshfed.control.client.metrics.IstioMetrics;
import io.meshfed.control.client.metrics.RequestMetric;
import io.meshfed.control.client.metrics.TrafficLabels;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** deploy/grafana/meshfed.json only queries the metrics and labels deploy/grafana/README.md documents. */
class GrafanaDashboardTest {

  private static final Path DASHBOARD = Path.of("grafana", "meshfed.json");
  private static final Path README = Path.of("grafana", "README.md");
  /** A metrics-table row of the README: | `metric` | type | `label`, `label` | ... */
  private static final Pattern TABLE_ROW = Pattern.compile("^\\|\\s*`([a-zA-Z_:][a-zA-Z0-9_:]*)`\\s*\\|([^|]*)\\|([^|]*)\\|");

  private static JsonNode dashboard;
  private static Set<String> documentedMetrics;
  private static Set<String> documentedLabels;

  @BeforeAll
  static void load() throws IOException {
    dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    documentedMetrics = new TreeSet<>();
    documentedLabels = new TreeSet<>();
    for (String line : Files.readAllLines(README)) {
      Matcher row = TABLE_ROW.matcher(line);
      if (row.find()) {
        documentedMetrics.add(row.group(1));
        Matcher label = Pattern.compile("`([a-zA-Z_][a-zA-Z0-9_]*)`").matcher(row.group(3));
        while (label.find()) {
          documentedLabels.add(label.group(1));
        }
      }
    }
  }

  @Test
  void readmeDocumentsTheStandardAndControlPlaneMetrics() {
    assertThat(documentedMetrics).contains(
        "istio_requests_total", "istio_request_duration_milliseconds_bucket", "istio_tcp_sent_bytes_total",
        "istio_tcp_received_bytes_total", "istio_tcp_connections_opened_total", "istio_tcp_connections_closed_total",
        "pilot_xds_pushes", "pilot_proxy_convergence_time_bucket", "pilot_xds", "pilot_total_xds_rejects");
    assertThat(documentedMetrics).anyMatch(name -> name.startsWith("meshfed_federation_"));
    assertThat(documentedLabels).contains("source_cluster", "destination_cluster", "response_flags");
  }

  @Test
  void everyQueryUsesOnlyDocumentedMetricsAndLabels() {
    List<String> queries = queries();
    assertThat(queries).hasSizeGreaterThan(15);
    Set<String> usedMetrics = new TreeSet<>();
    for (String query : queries) {
      PromQl parsed = PromQl.parse(query);
      assertThat(parsed.metrics()).as("metrics of %s", query).isNotEmpty().isSubsetOf(documentedMetrics);
      assertThat(parsed.labels()).as("labels of %s", query).isSubsetOf(documentedLabels);
      usedMetrics.addAll(parsed.metrics());
    }
    // Nothing documented is left unused: the table describes this dashboard, not a wish list.
    assertThat(usedMetrics).isEqualTo(documentedMetrics);
  }

  /**
   * The dashboard's Istio panels read series the gateways really export: the metric names and labels of what
   * {@link IstioMetrics} writes to a Prometheus registry (the gateways' :15090) after one request and one connection.
   */
  @Test
  void everyIstioSeriesTheDashboardQueriesIsOneTheGatewaysExport() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    IstioMetrics metrics = new IstioMetrics(registry);
    TrafficLabels labels = TrafficLabels.builder().build();
    metrics.recordRequest(RequestMetric.http(labels, 200, ResponseFlags.NONE, 3.0, 10, 20));
    metrics.recordConnectionOpened(labels);
    metrics.recordConnectionClosed(new ConnectionMetric(labels, ResponseFlags.NONE, 5, 7));
    Set<String> exported = new TreeSet<>();
    Set<String> exportedLabels = new TreeSet<>();
    Pattern series = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)\\}");
    Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
    for (String line : registry.scrape().lines().toList()) {
      Matcher found = series.matcher(line);
      if (found.find() && found.group(1).startsWith("istio_")) {
        exported.add(found.group(1));
        Matcher names = label.matcher(found.group(2));
        while (names.find()) {
          exportedLabels.add(names.group(1));
        }
      }
    }
    int istioQueries = 0;
    for (String query : queries()) {
      PromQl parsed = PromQl.parse(query);
      Set<String> istio = new TreeSet<>(parsed.metrics());
      istio.removeIf(name -> !name.startsWith("istio_"));
      assertThat(istio).as("Istio series of %s (exported: %s)", query, exported).isSubsetOf(exported);
      if (!istio.isEmpty() && istio.equals(parsed.metrics())) {
        istioQueries++;
        assertThat(parsed.labels()).as("labels of %s", query).isSubsetOf(exportedLabels);
      }
    }
    assertThat(istioQueries).as("queries over Istio's metrics alone").isPositive();
  }

  @Test
  void dashboardBreaksTrafficDownByClusterAndResponseFlag() {
    String all = String.join("\n", queries());
    assertThat(all).contains("by (source_cluster, destination_cluster)", "by (response_flags, response_code)");
    assertThat(all).contains("histogram_quantile(0.99, sum by (le");
  }

  @Test
  void panelsAreWellFormed() {
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : panels()) {
      assertThat(ids.add(panel.path("id").asInt())).as("unique panel id %s", panel.path("id")).isTrue();
      assertThat(panel.path("title").asText()).isNotBlank();
      if (panel.path("type").asText().equals("row")) {
        continue;
      }
      assertThat(panel.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
      assertThat(panel.path("targets")).as("targets of %s", panel.path("title")).isNotEmpty();
      Set<String> refIds = new HashSet<>();
      panel.path("targets").forEach(target -> assertThat(refIds.add(target.path("refId").asText())).isTrue());
    }
    assertThat(dashboard.path("uid").asText()).isEqualTo("meshfed-federation");
  }

  @Test
  void extractorFindsMetricsAndLabelsAndIgnoresFunctions() {
    PromQl parsed = PromQl.parse(
        "histogram_quantile(0.9, sum by (le, destination_cluster) (rate(foo_bucket{a=\"x\", b!~\"5..\"}[$__rate_interval])))"
            + " / on (c) group_left (d) max without (e) (bar) offset 5m");
    assertThat(parsed.metrics()).containsExactlyInAnyOrder("foo_bucket", "bar");
    assertThat(parsed.labels()).containsExactlyInAnyOrder("le", "destination_cluster", "a", "b", "c", "d", "e");
    PromQl variable = PromQl.parse("label_values(istio_requests_total{destination_cluster=~\"$cluster\"}, destination_service)");
    assertThat(variable.metrics()).containsExactly("istio_requests_total");
    assertThat(variable.labels()).containsExactlyInAnyOrder("destination_cluster", "destination_service");
  }

  private static List<JsonNode> panels() {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      panels.add(panel);
      panel.path("panels").forEach(panels::add);
    }
    return panels;
  }

  /** Every PromQL expression: panel targets and query variables. */
  private static List<String> queries() {
    List<String> queries = new ArrayList<>();
    for (JsonNode panel : panels()) {
      panel.path("targets").forEach(target -> queries.add(target.path("expr").asText()));
    }
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.path("type").asText().equals("query")) {
        queries.add(variable.path("query").path("query").asText());
      }
    }
    return queries;
  }

  /** The metric names and label names one PromQL expression (or Grafana label_values query) refers to. */
  record PromQl(Set<String> metrics, Set<String> labels) {

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*\\]");
    private static final Pattern MATCHERS = Pattern.compile("\\{([^}]*)\\}");
    private static final Pattern MATCHER_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");
    private static final Pattern GROUPING = Pattern.compile(
        "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\((.*),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)$");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of(
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless");

    static PromQl parse(String query) {
      Set<String> labels = new TreeSet<>();
      String rest = query.trim();
      Matcher labelValues = LABEL_VALUES.matcher(rest);
      if (labelValues.matches()) {
        labels.add(labelValues.group(2));
        rest = labelValues.group(1);
      }
      rest = RANGE.matcher(rest).replaceAll(" ");
      Matcher matchers = MATCHERS.matcher(rest);
      while (matchers.find()) {
        Matcher label = MATCHER_LABEL.matcher(STRING.matcher(matchers.group(1)).replaceAll("\"\""));
        while (label.find()) {
          labels.add(label.group(1));
        }
      }
      rest = MATCHERS.matcher(rest).replaceAll(" ");
      Matcher grouping = GROUPING.matcher(rest);
      while (grouping.find()) {
        Matcher label = IDENTIFIER.matcher(grouping.group(2));
        while (label.find()) {
          labels.add(label.group());
        }
      }
      rest = GROUPING.matcher(rest).replaceAll(" ");
      rest = STRING.matcher(rest).replaceAll(" ");
      Set<String> metrics = new TreeSet<>();
      Matcher identifier = IDENTIFIER.matcher(rest);
      while (identifier.find()) {
        String name = identifier.group();
        boolean isCall = rest.substring(identifier.end()).stripLeading().startsWith("(");
        boolean isDuration = identifier.start() > 0 && Character.isDigit(rest.charAt(identifier.start() - 1));
        if (!isCall && !isDuration && !KEYWORDS.contains(name)) {
          metrics.add(name);
        }
      }
      return new PromQl(metrics, labels);
    }
  }
}
