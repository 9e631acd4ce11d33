package io.meshfed.control.plane.cli;

import io.meshfed.control.client.accesslog.AccessLogEntry;
import io.meshfed.control.client.accesslog.AccessLogJson;
import io.meshfed.control.client.flags.Explanations;
import io.meshfed.control.client.flags.FlagExplanation;
import io.meshfed.control.client.flags.ResponseFlags;
import io.meshfed.control.client.runtime.AdminDirectory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meshfed explain FLAG|REQUEST-ID}: what a response flag means (what happened, likely causes, how to confirm
 * each, the fix), or, for a request id, what every gateway that saw the request recorded and the explanation of the
 * hop where the failure began. Exit codes: 0 explained, 1 the request id was found nowhere, 2 a usage error.
 */
@Command(name = "explain", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Explain a response flag or a request id: what happened, why, the fix.",
        "",
        "FLAG: a code from x-meshfed-flags or the access log's response_flags (UF,",
        "or several: UF,URX), an Envoy long name (UpstreamConnectionFailure), '-'",
        "(no flag) or rbac_access_denied.",
        "REQUEST-ID: an x-request-id; the gateways' admin servers (/requestz) are",
        "asked what they saw of it, and the hop where the failure began is explained.",
        ""},
    footer = {"", "Examples:",
        "  meshfed explain UF",
        "  meshfed explain UF,URX --output json",
        "  meshfed explain <x-request-id> --from admin.json",
        "  meshfed explain <x-request-id> --admin http://127.0.0.1:15000",
        "", "Exit codes: 0 explained, 1 request id not found on any gateway asked,",
        "2 usage error."})
public final class ExplainCommand implements Callable<Integer> {

  /** How to print. */
  enum Output { human, json }

  private static final Pattern FLAG_LIKE = Pattern.compile("[A-Za-z]{1,6}(,[A-Za-z]{1,6})*");

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FLAG|REQUEST-ID",
      description = "A response flag (or several, comma separated) or a request id.")
  String subject;

  @Option(names = "--admin", paramLabel = "URL",
      description = "A gateway's admin server to ask about a request id (repeatable): http://127.0.0.1:15000.")
  List<URI> admins = new ArrayList<>();

  @Option(names = "--from", paramLabel = "FILE",
      description = "A JSON file listing admin URLs per cluster and role, as `meshfed demo` writes it "
          + "(docs/diagnostics.md).")
  Path from;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "human",
      description = "human (default) or json.")
  Output output;

  @Option(names = "--timeout-seconds", paramLabel = "SECONDS", defaultValue = "5",
      description = "How long to wait for each admin server (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Optional<List<FlagExplanation>> flags = flagExplanations(subject);
    if (flags.isPresent()) {
      printFlags(out, flags.get());
      return 0;
    }
    if (admins.isEmpty() && from == null) {
      if (FLAG_LIKE.matcher(subject).matches()) {
        String reason;
        try {
          ResponseFlags.parse(subject);
          reason = subject + " is not a response flag";
        } catch (IllegalArgumentException e) {
          reason = e.getMessage();
        }
        throw new CommandLine.ParameterException(spec.commandLine(), "explain: " + reason
            + "; to explain a request id instead, add --admin URL or --from FILE");
      }
      throw new CommandLine.ParameterException(spec.commandLine(), "explain " + subject
          + ": a request id needs --admin URL or --from FILE to find the gateways that saw it");
    }
    if (timeoutSeconds < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--timeout-seconds: " + timeoutSeconds + " (expected: >= 1)");
    }
    List<AdminDirectory.Endpoint> endpoints = endpoints();
    ExplainTrace trace = new ExplainTracer(Duration.ofSeconds(timeoutSeconds)).trace(subject, endpoints);
    if (output == Output.json) {
      out.println(traceJson(trace).encodePrettily());
    } else {
      printTrace(out, trace);
    }
    if (trace.hops().isEmpty()) {
      spec.commandLine().getErr().println("explain: request " + subject + " was not found on any of the "
          + trace.asked() + " gateway admin server(s) asked" + (trace.unreachable().isEmpty() ? ""
          : " (" + trace.unreachable().size() + " did not answer)")
          + "; each gateway keeps only its most recent requests (/requestz)");
      return 1;
    }
    return 0;
  }

  /** The explanations when the subject names flags ({@code UF}, {@code UF,URX}, {@code -}, a long name). */
  static Optional<List<FlagExplanation>> flagExplanations(String subject) {
    Optional<FlagExplanation> single = Explanations.find(subject);
    if (single.isPresent()) {
      return Optional.of(List.of(single.get()));
    }
    if (!FLAG_LIKE.matcher(subject).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Explanations.of(ResponseFlags.parse(subject)));
    } catch (IllegalArgumentException notFlags) {
      return Optional.empty();
    }
  }

  private List<AdminDirectory.Endpoint> endpoints() {
    List<AdminDirectory.Endpoint> endpoints = new ArrayList<>();
    if (from != null) {
      try {
        endpoints.addAll(AdminDirectory.read(from).endpoints());
      } catch (IOException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--from: " + from + ": cannot read it: "
            + e.getMessage());
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--from: " + e.getMessage());
      }
    }
    for (URI admin : admins) {
      if (!"http".equals(admin.getScheme()) && !"https".equals(admin.getScheme()) || admin.getHost() == null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--admin: " + admin
            + " (expected: a gateway admin URL such as http://127.0.0.1:15000)");
      }
      endpoints.add(new AdminDirectory.Endpoint("", "", admin));
    }
    return endpoints;
  }

  private void printFlags(PrintWriter out, List<FlagExplanation> explanations) {
    if (output == Output.json) {
      JsonArray array = new JsonArray();
      explanations.forEach(explanation -> array.add(ExplainPrinter.json(explanation)));
      out.println(new JsonObject().put("explanations", array).encodePrettily());
      return;
    }
    for (int i = 0; i < explanations.size(); i++) {
      if (i > 0) {
        out.println();
      }
      ExplainPrinter.human(out, explanations.get(i));
    }
  }

  private void printTrace(PrintWriter out, ExplainTrace trace) {
    if (trace.hops().isEmpty()) {
      out.println("request " + trace.requestId() + ": seen by none of the " + trace.asked() + " gateway(s) asked");
      printUnreachable(out, trace);
      return;
    }
    AccessLogEntry first = trace.hops().get(0).entry();
    out.println("request " + trace.requestId() + ": " + describeRequest(first) + ", seen by "
        + trace.hops().size() + " gateway hop(s)");
    out.println();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"HOP", "GATEWAY", "CLUSTER", "ROLE", "START", "CODE", "FLAGS", "DURATION", "UPSTREAM"});
    for (int i = 0; i < trace.hops().size(); i++) {
      ExplainTrace.Hop hop = trace.hops().get(i);
      AccessLogEntry entry = hop.entry();
      rows.add(new String[] {Integer.toString(i + 1), hop.gateway(), hop.cluster(), hop.role(),
          entry.startTime().toString(), Integer.toString(entry.responseCode()), entry.responseFlags().toString(),
          millis(entry.durationMillis()), upstream(entry)});
    }
    printTable(out, rows);

    Optional<Integer> failing = trace.failingHop();
    out.println();
    if (failing.isEmpty()) {
      out.println("No hop failed: every gateway that saw the request recorded a success.");
    } else {
      ExplainTrace.Hop hop = trace.hops().get(failing.get());
      AccessLogEntry entry = hop.entry();
      out.println("The failure began at hop " + (failing.get() + 1) + " (" + hop.gateway() + ", cluster "
          + hop.cluster() + "): " + entry.responseCode() + " " + entry.responseFlags());
      detail(out, "response_code_details", entry.responseCodeDetails());
      detail(out, "upstream_transport_failure_reason", entry.upstreamTransportFailureReason());
      detail(out, "upstream_cluster", entry.upstreamCluster());
      detail(out, "upstream_host", entry.upstreamHost());
      detail(out, "route_name", entry.routeName());
      if (entry.upstreamServiceTimeMillis() >= 0) {
        detail(out, "upstream_service_time", entry.upstreamServiceTimeMillis() + " ms");
      }
      if (entry.upstreamRequestAttemptCount() > 0) {
        detail(out, "upstream_request_attempt_count", Integer.toString(entry.upstreamRequestAttemptCount()));
      }
      for (FlagExplanation explanation
          : Explanations.forResponse(entry.responseFlags(), entry.responseCodeDetails())) {
        out.println();
        ExplainPrinter.human(out, explanation);
      }
    }
    printUnreachable(out, trace);
  }

  private static void printUnreachable(PrintWriter out, ExplainTrace trace) {
    if (trace.unreachable().isEmpty()) {
      return;
    }
    out.println();
    out.println("Not asked: these admin servers did not answer, so hops through them may be missing:");
    for (ExplainTrace.Unreachable unreachable : trace.unreachable()) {
      out.println("  " + unreachable.admin() + ": " + unreachable.error());
    }
  }

  private static JsonObject traceJson(ExplainTrace trace) {
    JsonArray hops = new JsonArray();
    for (int i = 0; i < trace.hops().size(); i++) {
      ExplainTrace.Hop hop = trace.hops().get(i);
      hops.add(new JsonObject().put("hop", i + 1)
          .put("gateway", new JsonObject().put("name", hop.gateway()).put("namespace", hop.namespace())
              .put("cluster", hop.cluster()).put("role", hop.role()))
          .put("admin", hop.admin().toString())
          .put("entry", new JsonObject(AccessLogJson.encode(hop.entry()))));
    }
    JsonArray unreachable = new JsonArray();
    trace.unreachable().forEach(admin -> unreachable.add(new JsonObject().put("admin", admin.admin().toString())
        .put("error", admin.error())));
    JsonObject json = new JsonObject().put("request_id", trace.requestId()).put("found", !trace.hops().isEmpty())
        .put("hops", hops).put("unreachable", unreachable);
    Optional<Integer> failing = trace.failingHop();
    json.put("failing_hop", failing.map(index -> index + 1).orElse(null));
    JsonArray explanations = new JsonArray();
    failing.ifPresent(index -> {
      AccessLogEntry entry = trace.hops().get(index).entry();
      Explanations.forResponse(entry.responseFlags(), entry.responseCodeDetails())
          .forEach(explanation -> explanations.add(ExplainPrinter.json(explanation)));
    });
    return json.put("explanations", explanations);
  }

  private static String describeRequest(AccessLogEntry entry) {
    if (entry.kind() == AccessLogEntry.Kind.TCP) {
      return "TCP connection" + (entry.requestedServerName() == null ? "" : " to " + entry.requestedServerName());
    }
    return (entry.method() == null ? "" : entry.method() + " ")
        + (entry.authority() == null ? "" : entry.authority()) + (entry.path() == null ? "" : entry.path());
  }

  private static String upstream(AccessLogEntry entry) {
    if (entry.upstreamHost() == null && entry.upstreamCluster() == null) {
      return "-";
    }
    return (entry.upstreamHost() == null ? "-" : entry.upstreamHost())
        + (entry.upstreamCluster() == null ? "" : " (" + entry.upstreamCluster() + ")");
  }

  private static String millis(long value) {
    return value < 0 ? "-" : value + " ms";
  }

  private static void detail(PrintWriter out, String name, String value) {
    if (value != null && !value.isEmpty()) {
      out.println("  " + name + ": " + value);
    }
  }

  private static void printTable(PrintWriter out, List<String[]> rows) {
    int columns = rows.get(0).length;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int column = 0; column < columns; column++) {
        widths[column] = Math.max(widths[column], row[column].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int column = 0; column < columns; column++) {
        line.append(column == columns - 1 ? row[column] : String.format("%-" + (widths[column] + 2) + "s",
            row[column]));
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
