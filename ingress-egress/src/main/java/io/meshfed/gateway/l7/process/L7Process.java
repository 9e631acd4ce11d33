package io.meshfed.gateway.l7.process;

import io.meshfed.control.client.gateway.GatewayProcess;
import io.meshfed.control.client.gateway.GatewaySettings;
import io.meshfed.control.client.gateway.GatewaySettingsException;
import io.meshfed.control.client.runtime.DrainReport;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.gateway.l7.L7Engine;
import io.meshfed.gateway.l7.Role;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;

/**
 * A running ingress or egress gateway: the L7 engine driven by the control plane over ADS, with its SVID, health,
 * metrics, admin and drain ({@code meshfed gateway --role ingress|egress}; {@code meshfed demo} starts it in-JVM).
 *
 * <pre>{@code
 * L7Process gw = L7Process.start(vertx, GatewaySettings.builder(GatewayRole.INGRESS)
 *     .clusterId("east").xdsAddress("127.0.1.1", 15010).listenerHost("127.0.1.1").build())
 *     .toCompletionStage().toCompletableFuture().get();
 * gw.port("0.0.0.0_8080");
 * gw.close();
 * }</pre>
 */
public final class L7Process {

  private final GatewayProcess process;
  private final L7Engine engine;

  private L7Process(GatewayProcess process, L7Engine engine) {
    this.process = process;
    this.engine = engine;
  }

  /**
   * Starts the gateway: runtime servers, SVID (mTLS mode), engine, ADS. Fails (having closed what started) when a
   * port cannot be bound, the CA refuses, or the settings' role is not {@code ingress} or {@code egress}.
   */
  public static Future<L7Process> start(Vertx vertx, GatewaySettings settings) {
    Role role = switch (settings.role()) {
      case INGRESS -> Role.INGRESS;
      case EGRESS -> Role.EGRESS;
      case EASTWEST -> null;
    };
    if (role == null) {
      return Future.failedFuture(new GatewaySettingsException("settings", "role", settings.role().metadataValue()
          + " (expected: ingress or egress; eastwest runs as EastWestProcess)"));
    }
    L7DataPlane[] created = new L7DataPlane[1];
    return GatewayProcess.start(vertx, settings, (runtime, accessLog) -> {
      // The metrics read the serving snapshot for endpoint metadata; the engine exists before any outcome arrives.
      L7Engine[] engineRef = new L7Engine[1];
      L7Metrics metrics = new L7Metrics(runtime.istioMetrics(), settings.workload(), () -> engineRef[0].snapshot());
      L7Engine engine = L7Engine.builder(vertx).role(role).transport(settings.transport())
          .outcomeSink(new OutcomeFanOut(List.of(new L7AccessLog(accessLog), metrics))).build();
      engineRef[0] = engine;
      created[0] = new L7DataPlane(engine);
      return created[0];
    }, version()).map(process -> new L7Process(process, created[0].engine()));
  }

  static String version() {
    return "meshfed/" + Optional.ofNullable(L7Process.class.getPackage().getImplementationVersion()).orElse("dev");
  }

  /** The port a listener ({@code 0.0.0.0_8080}) is bound to now; empty before its config arrived. */
  public Optional<Integer> port(String listener) {
    return Optional.ofNullable(engine.port(listener));
  }

  /** The assembly: runtime (ports, readiness), settings, SVID. */
  public GatewayProcess process() {
    return process;
  }

  /** The engine (its serving snapshot, open connections). */
  public L7Engine engine() {
    return engine;
  }

  /** Drains as SIGTERM does. */
  public Future<DrainReport> drain(String reason) {
    return process.drain(reason);
  }

  /** Stops everything (no drain). */
  public Future<Void> close() {
    return process.close();
  }
}
