package io.meshfed.control.plane.runtime;

import io.meshfed.control.plane.istio.Severity;
import io.meshfed.control.plane.translate.GatewayGroup;
import io.meshfed.control.plane.translate.GatewayGrouping;
import io.meshfed.control.plane.translate.MeshTranslator;
import io.meshfed.control.plane.translate.MeshView;
import io.meshfed.control.plane.translate.OutboundTrafficPolicy;
import io.meshfed.control.plane.translate.TranslationProblem;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.federation.catalog.Locality;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Translation} {@code meshfed control-plane} runs: the mesh state as a {@link MeshView} for the
 * {@link MeshTranslator} (docs/translation.md, "Wiring"), for the gateway groups {@link GatewayGrouping} has seen.
 * This control plane's identity (mesh, cluster, network, locality, trust domain and aliases, outbound traffic
 * policy) and its {@code meshConfig} (extension providers, trace sampling) come from its settings; the SDS
 * {@code ROOTCA} secret from the state's trust bundle. Gateways keep their own keys, so no SDS {@code default} is
 * sent (docs/xds-profile.md).
 *
 * <p>Problems are logged when they appear and when they are resolved, not at every translation, and the last
 * translation is reported on {@code /debug/translation}.
 *
 * <p>The pipeline calls {@link #translate} on one worker at a time; {@link #report()} is read from the admin
 * server's event loop through one volatile reference.
 */
final class MeshTranslation implements Translation {

  private static final Logger LOG = LoggerFactory.getLogger(MeshTranslation.class);

  private final ControlPlaneSettings settings;
  private final GatewayGrouping grouping;
  // Confined to the pipeline's translation runs (one at a time, each after the previous one completed).
  private MeshTranslator translator = MeshTranslator.create();
  private Set<String> loggedProblems = Set.of();
  private volatile JsonObject report = new JsonObject().put("translated", false)
      .put("reason", "nothing translated yet: waiting for the first config snapshot, the catalog and a gateway");

  MeshTranslation(ControlPlaneSettings settings, GatewayGrouping grouping) {
    this.settings = settings;
    this.grouping = grouping;
  }

  @Override
  public Map<String, Snapshot> translate(MeshState state, Set<String> groups) {
    List<GatewayGroup> gateways = new ArrayList<>();
    grouping.groups().forEach((key, group) -> {
      if (groups.contains(key)) {
        gateways.add(group);
      }
    });
    MeshView view = view(state, gateways);
    io.meshfed.control.plane.translate.Translation result;
    try {
      result = translator.translate(view);
    } catch (RuntimeException e) {
      // The translator's caches may be half updated: the next run starts from a fresh one (a full translation).
      translator = MeshTranslator.create();
      throw e;
    }
    logProblems(result.problems());
    report = report(state, result);
    return result.snapshots();
  }

  @Override
  public JsonObject report() {
    return report;
  }

  private MeshView view(MeshState state, List<GatewayGroup> gateways) {
    List<String> aliases = new ArrayList<>(settings.trustDomainAliases());
    state.trust().acceptedTrustDomains().forEach(domain -> {
      if (!domain.name().equals(settings.trustDomain()) && !aliases.contains(domain.name())) {
        aliases.add(domain.name());
      }
    });
    ControlPlaneSettings.Locality locality = settings.locality();
    MeshView.Builder view = MeshView.builder()
        .meshId(settings.meshId())
        .clusterId(settings.clusterId())
        .network(settings.network())
        .locality(locality == null ? Locality.of("", "", "") : Locality.of(locality.region(), locality.zone(), ""))
        .trustDomain(settings.trustDomain())
        .trustDomainAliases(aliases)
        .outboundTrafficPolicy(OutboundTrafficPolicy.valueOf(settings.outboundTrafficPolicy()))
        .config(state.config())
        .catalog(state.catalog())
        .gateways(gateways)
        .trustBundlePem(state.trust().rootsPem())
        .traceSamplingPercent(settings.meshConfig().tracingSampling());
    settings.meshConfig().extensionProviders().forEach(view::extAuthzProvider);
    return view.build();
  }

  /** Logs problems that are new since the last translation, and says when problems went away. */
  private void logProblems(List<TranslationProblem> problems) {
    Set<String> now = new LinkedHashSet<>();
    for (TranslationProblem problem : problems) {
      String line = problem.toString();
      now.add(line);
      if (!loggedProblems.contains(line)) {
        if (problem.severity() == Severity.ERROR) {
          LOG.error("translation: {}; fix: {}", line, problem.fix());
        } else {
          LOG.warn("translation: {}; fix: {}", line, problem.fix());
        }
      }
    }
    Set<String> resolved = new HashSet<>(loggedProblems);
    resolved.removeAll(now);
    resolved.forEach(line -> LOG.info("translation: resolved: {}", line));
    loggedProblems = now;
  }

  private static JsonObject report(MeshState state, io.meshfed.control.plane.translate.Translation result) {
    var stats = result.stats();
    JsonArray problems = new JsonArray();
    for (TranslationProblem problem : result.problems()) {
      problems.add(new JsonObject()
          .put("code", problem.kind().code())
          .put("severity", problem.severity().label())
          .put("object", problem.object().map(Object::toString).orElse(null))
          .put("origin", problem.origin().map(Object::toString).orElse(null))
          .put("field", problem.field())
          .put("detail", problem.detail())
          .put("fix", problem.fix())
          .put("groups", new JsonArray(problem.groups()))
          .put("text", problem.toString()));
    }
    JsonObject groups = new JsonObject();
    result.snapshots().forEach((group, snapshot) -> groups.put(group, snapshot.toString()));
    return new JsonObject()
        .put("translated", true)
        .put("at", Instant.now().toString())
        .put("generation", state.generation())
        .put("configVersion", state.config().version())
        .put("incremental", stats.incremental())
        .put("elapsedMillis", stats.elapsed().toMillis())
        .put("services", stats.services())
        .put("resources", stats.resources())
        .put("changedResources", stats.changedResources())
        .put("changedGroups", new JsonArray(result.changedGroups().stream().sorted().toList()))
        .put("groups", groups)
        .put("problems", problems);
  }
}
