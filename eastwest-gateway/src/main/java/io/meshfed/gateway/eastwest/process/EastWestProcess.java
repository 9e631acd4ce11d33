package io.meshfed.gateway.eastwest.process;

import io.meshfed.control.client.gateway.GatewayProcess;
import io.meshfed.control.client.gateway.GatewaySettings;
import io.meshfed.control.client.gateway.GatewaySettingsException;
import io.meshfed.control.client.gateway.IoTransport;
import io.meshfed.control.client.runtime.DrainReport;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.gateway.eastwest.EastWestGateway;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * A running east-west gateway: the :15443 / :15001 engine driven by the control plane over ADS, with its SVID,
 * health, metrics, admin and drain ({@code meshfed gateway --role eastwest}; {@code meshfed demo} starts it in-JVM).
 *
 * <pre>{@code
 * EastWestProcess gw = EastWestProcess.start(vertx, GatewaySettings.builder(GatewayRole.EASTWEST)
 *     .clusterId("west").xdsAddress("127.0.2.1", 15010).listener("0.0.0.0_15443", "127.0.2.1", 15443)
 *     .build()).toCompletionStage().toCompletableFuture().get();
 * gw.boundAddress("0.0.0.0_15443");
 * gw.close();
 * }</pre>
 */
public final class EastWestProcess {

  private final GatewayProcess process;
  private final EastWestGateway gateway;

  private EastWestProcess(GatewayProcess process, EastWestGateway gateway) {
    this.process = process;
    this.gateway = gateway;
  }

  /**
   * Starts the gateway: runtime servers, SVID (mTLS mode), engine, ADS. Fails (having closed what started) when a
   * port cannot be bound, the CA refuses, or the settings' role is not {@code eastwest}.
   */
  public static Future<EastWestProcess> start(Vertx vertx, GatewaySettings settings) {
    if (settings.role() != GatewayRole.EASTWEST) {
      return Future.failedFuture(new GatewaySettingsException("settings", "role", settings.role().metadataValue()
          + " (expected: eastwest; ingress and egress run as L7Process)"));
    }
    EastWestGateway[] created = new EastWestGateway[1];
    return GatewayProcess.start(vertx, settings, (runtime, accessLog) -> {
      // The east-west gateway splices on epoll: its best transport is epoll, so auto and epoll mean the same here.
      created[0] = EastWestGateway.builder().preferNativeTransport(settings.transport() != IoTransport.NIO)
          .observer(new ObserverFanOut(List.of(new EastWestAccessLog(accessLog),
          new EastWestMetrics(runtime.istioMetrics(), settings.workload())))).build();
      return new EastWestDataPlane(vertx, created[0]);
    }, version()).map(process -> new EastWestProcess(process, created[0]));
  }

  static String version() {
    return "meshfed/" + Optional.ofNullable(EastWestProcess.class.getPackage().getImplementationVersion())
        .orElse("dev");
  }

  /** Where a listener ({@code 0.0.0.0_15443}) is bound now; empty before its config arrived. */
  public Optional<InetSocketAddress> boundAddress(String listener) {
    return gateway.boundAddress(listener);
  }

  /** The assembly: runtime (ports, readiness), settings, SVID. */
  public GatewayProcess process() {
    return process;
  }

  /** The engine's counters ({@code meshfed_eastwest_rejected_total} and friends). */
  public io.meshfed.gateway.eastwest.GatewayStats stats() {
    return gateway.stats();
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
