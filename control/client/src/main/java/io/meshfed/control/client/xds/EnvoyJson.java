package io.meshfed.control.client.xds;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.EndpointsConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.admin.v3.SecretsConfigDump;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.List;

/**
 * Prints xDS messages as Envoy's admin does (protobuf JSON, proto field names), resolving the {@code Any} types of
 * docs/xds-profile.md: the gateways' admin {@code /config_dump} and the control plane's {@code /debug/config_dump}
 * share it, so a type the profile gains is added here once.
 */
public final class EnvoyJson {

  private static final JsonFormat.TypeRegistry TYPES = JsonFormat.TypeRegistry.newBuilder()
      .add(List.of(ConfigDump.getDescriptor(), ClustersConfigDump.getDescriptor(), ListenersConfigDump.getDescriptor(),
          RoutesConfigDump.getDescriptor(), SecretsConfigDump.getDescriptor(), EndpointsConfigDump.getDescriptor(),
          Listener.getDescriptor(), Cluster.getDescriptor(), RouteConfiguration.getDescriptor(),
          ClusterLoadAssignment.getDescriptor(), Secret.getDescriptor(), HttpConnectionManager.getDescriptor(),
          TcpProxy.getDescriptor(), Router.getDescriptor(),
          io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor(),
          io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.getDescriptor(),
          JwtAuthentication.getDescriptor(), HTTPFault.getDescriptor(), Cors.getDescriptor(),
          CorsPolicy.getDescriptor(), TlsInspector.getDescriptor(), DownstreamTlsContext.getDescriptor(),
          UpstreamTlsContext.getDescriptor(), HttpProtocolOptions.getDescriptor(), RawBuffer.getDescriptor(),
          // Routes' retry_policy.retry_host_predicate (Istio's default retries pick another host).
          io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate.getDescriptor()))
      .build();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().usingTypeRegistry(TYPES).preservingProtoFieldNames();

  private EnvoyJson() {
  }

  /**
   * The message as Envoy's admin prints it.
   *
   * @throws IllegalStateException naming the type URL when a resource carries a type this build cannot print
   */
  public static String print(Message message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("config dump: " + e.getMessage()
          + " (a resource carries a type outside docs/xds-profile.md)", e);
    }
  }
}
