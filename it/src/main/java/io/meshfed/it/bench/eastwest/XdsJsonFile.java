package io.meshfed.it.bench.eastwest;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.meshfed.gateway.eastwest.XdsResources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A static xDS file: a {@code DiscoveryResponse} in protobuf JSON whose {@code resources} mix every type the east-west
 * profile uses (what {@code meshfed proxy-config} dumps). Lets the gateway run without a control plane, for the
 * benchmark and local runs, until the launcher wires the ADS client.
 */
public final class XdsJsonFile {

  private static final JsonFormat.TypeRegistry TYPES = JsonFormat.TypeRegistry.newBuilder()
      .add(List.of(Listener.getDescriptor(), RouteConfiguration.getDescriptor(), Cluster.getDescriptor(),
          ClusterLoadAssignment.getDescriptor(), Secret.getDescriptor(), TcpProxy.getDescriptor(),
          HttpConnectionManager.getDescriptor(), Router.getDescriptor(), TlsInspector.getDescriptor(),
          RBAC.getDescriptor(), DownstreamTlsContext.getDescriptor(), UpstreamTlsContext.getDescriptor(),
          RawBuffer.getDescriptor(), HttpProtocolOptions.getDescriptor()))
      .build();

  private XdsJsonFile() {
  }

  /** Reads the file (call it off event loops: it is blocking file I/O). */
  public static XdsResources read(Path file) throws IOException {
    DiscoveryResponse.Builder response = DiscoveryResponse.newBuilder();
    JsonFormat.parser().usingTypeRegistry(TYPES).merge(Files.readString(file, StandardCharsets.UTF_8), response);
    return XdsResources.fromAny(response.getVersionInfo(), response.getResourcesList());
  }

  public static void write(Path file, String version, List<? extends Message> resources) throws IOException {
    DiscoveryResponse.Builder response = DiscoveryResponse.newBuilder().setVersionInfo(version);
    for (Message resource : resources) {
      response.addResources(Any.pack(resource));
    }
    try {
      Files.writeString(file, JsonFormat.printer().usingTypeRegistry(TYPES).print(response), StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) {
      throw new IOException(e);
    }
  }
}
