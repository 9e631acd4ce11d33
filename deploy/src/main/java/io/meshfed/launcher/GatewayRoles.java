package io.meshfed.launcher;

import io.meshfed.control.client.gateway.GatewayProcess;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.gateway.GatewaySettings;
import io.meshfed.gateway.eastwest.process.EastWestProcess;
import io.meshfed.gateway.l7.process.L7Process;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Starts the gateway a settings' role names: the east-west engine, or the L7 engine for ingress and egress. */
public final class GatewayRoles {

  private GatewayRoles() {
  }

  /** The running gateway's assembly (runtime, drain, stop), whatever its engine. */
  public static Future<GatewayProcess> start(Vertx vertx, GatewaySettings settings) {
    return settings.role() == GatewayRole.EASTWEST
        ? EastWestProcess.start(vertx, settings).map(EastWestProcess::process)
        : L7Process.start(vertx, settings).map(L7Process::process);
  }
}
