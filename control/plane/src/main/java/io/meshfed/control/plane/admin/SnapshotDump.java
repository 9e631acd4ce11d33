package io.meshfed.control.plane.admin;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.admin.v3.ClientResourceStatus;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.EndpointsConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.admin.v3.SecretsConfigDump;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.control.plane.xds.Snapshot;
import io.meshfed.control.plane.xds.VersionedResource;

/**
 * The snapshot a gateway group is sent, as Envoy's admin {@code /config_dump} would show it once accepted: an
 * {@code envoy.admin.v3.ConfigDump} with one dump per type, each resource with its version. Private keys are
 * {@code [redacted]}, as Envoy redacts them.
 */
final class SnapshotDump {

  static final String REDACTED = "[redacted]";

  private SnapshotDump() {
  }

  static ConfigDump of(Snapshot snapshot) {
    ClustersConfigDump.Builder clusters = ClustersConfigDump.newBuilder()
        .setVersionInfo(snapshot.version(XdsResourceType.CLUSTER));
    for (VersionedResource r : snapshot.resources(XdsResourceType.CLUSTER).values()) {
      clusters.addDynamicActiveClusters(ClustersConfigDump.DynamicCluster.newBuilder().setVersionInfo(r.version())
          .setCluster(r.resource()).setClientStatus(ClientResourceStatus.ACKED));
    }
    ListenersConfigDump.Builder listeners = ListenersConfigDump.newBuilder()
        .setVersionInfo(snapshot.version(XdsResourceType.LISTENER));
    for (VersionedResource r : snapshot.resources(XdsResourceType.LISTENER).values()) {
      listeners.addDynamicListeners(ListenersConfigDump.DynamicListener.newBuilder().setName(r.name())
          .setActiveState(ListenersConfigDump.DynamicListenerState.newBuilder().setVersionInfo(r.version())
              .setListener(r.resource()))
          .setClientStatus(ClientResourceStatus.ACKED));
    }
    RoutesConfigDump.Builder routes = RoutesConfigDump.newBuilder();
    for (VersionedResource r : snapshot.resources(XdsResourceType.ROUTE).values()) {
      routes.addDynamicRouteConfigs(RoutesConfigDump.DynamicRouteConfig.newBuilder().setVersionInfo(r.version())
          .setRouteConfig(r.resource()).setClientStatus(ClientResourceStatus.ACKED));
    }
    SecretsConfigDump.Builder secrets = SecretsConfigDump.newBuilder();
    for (VersionedResource r : snapshot.resources(XdsResourceType.SECRET).values()) {
      secrets.addDynamicActiveSecrets(SecretsConfigDump.DynamicSecret.newBuilder().setName(r.name())
          .setVersionInfo(r.version()).setSecret(redacted(r.resource())).setClientStatus(ClientResourceStatus.ACKED));
    }
    EndpointsConfigDump.Builder endpoints = EndpointsConfigDump.newBuilder();
    for (VersionedResource r : snapshot.resources(XdsResourceType.ENDPOINT).values()) {
      endpoints.addDynamicEndpointConfigs(EndpointsConfigDump.DynamicEndpointConfig.newBuilder()
          .setVersionInfo(r.version()).setEndpointConfig(r.resource()).setClientStatus(ClientResourceStatus.ACKED));
    }
    return ConfigDump.newBuilder()
        .addConfigs(Any.pack(clusters.build()))
        .addConfigs(Any.pack(listeners.build()))
        .addConfigs(Any.pack(routes.build()))
        .addConfigs(Any.pack(secrets.build()))
        .addConfigs(Any.pack(endpoints.build()))
        .build();
  }

  private static Any redacted(Any packed) {
    try {
      Secret secret = packed.unpack(Secret.class);
      if (!secret.hasTlsCertificate() || !secret.getTlsCertificate().hasPrivateKey()) {
        return packed;
      }
      Secret.Builder builder = secret.toBuilder();
      builder.getTlsCertificateBuilder().setPrivateKey(DataSource.newBuilder()
          .setInlineBytes(ByteString.copyFromUtf8(REDACTED)));
      return Any.pack(builder.build());
    } catch (InvalidProtocolBufferException e) {
      return packed;
    }
  }
}
