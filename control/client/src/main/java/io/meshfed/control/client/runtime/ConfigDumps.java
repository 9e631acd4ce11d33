package io.meshfed.control.client.runtime;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import io.envoyproxy.envoy.admin.v3.ClientResourceStatus;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.EndpointsConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.admin.v3.SecretsConfigDump;
import io.envoyproxy.envoy.admin.v3.UpdateFailureState;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsSessionTicketKeys;
import io.meshfed.control.client.xds.EnvoyJson;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Renders accepted xDS resources the way Envoy's admin {@code /config_dump} does: an {@code envoy.admin.v3.ConfigDump}
 * with one dump per type (clusters, listeners, routes, secrets, endpoints), printed by protobuf's JsonFormat with
 * proto field names, so {@code meshfed proxy-config} and istioctl-trained eyes read it unchanged. Private keys are
 * redacted as Envoy redacts them ({@code [redacted]}); rejected updates appear as the resource's
 * {@code error_state} with client status NACKED.
 */
final class ConfigDumps {

  static final String REDACTED = "[redacted]";

  private ConfigDumps() {
  }

  /** The config dump of a snapshot. */
  static ConfigDump configDump(AcceptedConfig config) {
    return ConfigDump.newBuilder()
        .addConfigs(Any.pack(clusters(config)))
        .addConfigs(Any.pack(listeners(config)))
        .addConfigs(Any.pack(routes(config)))
        .addConfigs(Any.pack(secrets(config)))
        .addConfigs(Any.pack(endpoints(config)))
        .build();
  }

  /** Prints a message as Envoy's admin prints it ({@link EnvoyJson}). */
  static String json(Message message) {
    return EnvoyJson.print(message);
  }

  private static ClustersConfigDump clusters(AcceptedConfig config) {
    ClustersConfigDump.Builder dump = ClustersConfigDump.newBuilder();
    List<XdsResource> resources = sorted(config.ofType(XdsResource.CLUSTER_TYPE));
    Map<String, RejectedUpdate> rejected = rejected(config, XdsResource.CLUSTER_TYPE);
    latestVersion(resources).ifPresent(dump::setVersionInfo);
    for (XdsResource resource : resources) {
      ClustersConfigDump.DynamicCluster.Builder cluster = ClustersConfigDump.DynamicCluster.newBuilder()
          .setVersionInfo(resource.versionInfo()).setCluster(any(resource.resource()))
          .setLastUpdated(timestamp(resource.lastUpdated())).setClientStatus(ClientResourceStatus.ACKED);
      errorState(rejected.get(resource.name())).ifPresent(error ->
          cluster.setErrorState(error).setClientStatus(ClientResourceStatus.NACKED));
      dump.addDynamicActiveClusters(cluster);
    }
    unmatched(rejected, resources).forEach(update -> dump.addDynamicActiveClusters(
        ClustersConfigDump.DynamicCluster.newBuilder().setErrorState(errorState(update).orElseThrow())
            .setClientStatus(ClientResourceStatus.NACKED)));
    return dump.build();
  }

  private static ListenersConfigDump listeners(AcceptedConfig config) {
    ListenersConfigDump.Builder dump = ListenersConfigDump.newBuilder();
    List<XdsResource> resources = sorted(config.ofType(XdsResource.LISTENER_TYPE));
    Map<String, RejectedUpdate> rejected = rejected(config, XdsResource.LISTENER_TYPE);
    latestVersion(resources).ifPresent(dump::setVersionInfo);
    for (XdsResource resource : resources) {
      ListenersConfigDump.DynamicListener.Builder listener = ListenersConfigDump.DynamicListener.newBuilder()
          .setName(resource.name())
          .setActiveState(ListenersConfigDump.DynamicListenerState.newBuilder()
              .setVersionInfo(resource.versionInfo()).setListener(any(resource.resource()))
              .setLastUpdated(timestamp(resource.lastUpdated())))
          .setClientStatus(ClientResourceStatus.ACKED);
      errorState(rejected.get(resource.name())).ifPresent(error ->
          listener.setErrorState(error).setClientStatus(ClientResourceStatus.NACKED));
      dump.addDynamicListeners(listener);
    }
    unmatched(rejected, resources).forEach(update -> dump.addDynamicListeners(
        ListenersConfigDump.DynamicListener.newBuilder().setName(update.name())
            .setErrorState(errorState(update).orElseThrow()).setClientStatus(ClientResourceStatus.NACKED)));
    return dump.build();
  }

  private static RoutesConfigDump routes(AcceptedConfig config) {
    RoutesConfigDump.Builder dump = RoutesConfigDump.newBuilder();
    List<XdsResource> resources = sorted(config.ofType(XdsResource.ROUTE_TYPE));
    Map<String, RejectedUpdate> rejected = rejected(config, XdsResource.ROUTE_TYPE);
    for (XdsResource resource : resources) {
      RoutesConfigDump.DynamicRouteConfig.Builder route = RoutesConfigDump.DynamicRouteConfig.newBuilder()
          .setVersionInfo(resource.versionInfo()).setRouteConfig(any(resource.resource()))
          .setLastUpdated(timestamp(resource.lastUpdated())).setClientStatus(ClientResourceStatus.ACKED);
      errorState(rejected.get(resource.name())).ifPresent(error ->
          route.setErrorState(error).setClientStatus(ClientResourceStatus.NACKED));
      dump.addDynamicRouteConfigs(route);
    }
    unmatched(rejected, resources).forEach(update -> dump.addDynamicRouteConfigs(
        RoutesConfigDump.DynamicRouteConfig.newBuilder().setErrorState(errorState(update).orElseThrow())
            .setClientStatus(ClientResourceStatus.NACKED)));
    return dump.build();
  }

  private static SecretsConfigDump secrets(AcceptedConfig config) {
    SecretsConfigDump.Builder dump = SecretsConfigDump.newBuilder();
    List<XdsResource> resources = sorted(config.ofType(XdsResource.SECRET_TYPE));
    Map<String, RejectedUpdate> rejected = rejected(config, XdsResource.SECRET_TYPE);
    for (XdsResource resource : resources) {
      SecretsConfigDump.DynamicSecret.Builder secret = SecretsConfigDump.DynamicSecret.newBuilder()
          .setName(resource.name()).setVersionInfo(resource.versionInfo())
          .setSecret(Any.pack(redact(unpack(resource.resource(), Secret.class))))
          .setLastUpdated(timestamp(resource.lastUpdated())).setClientStatus(ClientResourceStatus.ACKED);
      errorState(rejected.get(resource.name())).ifPresent(error ->
          secret.setErrorState(error).setClientStatus(ClientResourceStatus.NACKED));
      dump.addDynamicActiveSecrets(secret);
    }
    unmatched(rejected, resources).forEach(update -> dump.addDynamicActiveSecrets(
        SecretsConfigDump.DynamicSecret.newBuilder().setName(update.name())
            .setErrorState(errorState(update).orElseThrow()).setClientStatus(ClientResourceStatus.NACKED)));
    return dump.build();
  }

  private static EndpointsConfigDump endpoints(AcceptedConfig config) {
    EndpointsConfigDump.Builder dump = EndpointsConfigDump.newBuilder();
    List<XdsResource> resources = sorted(config.ofType(XdsResource.ENDPOINT_TYPE));
    Map<String, RejectedUpdate> rejected = rejected(config, XdsResource.ENDPOINT_TYPE);
    for (XdsResource resource : resources) {
      EndpointsConfigDump.DynamicEndpointConfig.Builder endpoints =
          EndpointsConfigDump.DynamicEndpointConfig.newBuilder()
              .setVersionInfo(resource.versionInfo()).setEndpointConfig(any(resource.resource()))
              .setLastUpdated(timestamp(resource.lastUpdated())).setClientStatus(ClientResourceStatus.ACKED);
      errorState(rejected.get(resource.name())).ifPresent(error ->
          endpoints.setErrorState(error).setClientStatus(ClientResourceStatus.NACKED));
      dump.addDynamicEndpointConfigs(endpoints);
    }
    unmatched(rejected, resources).forEach(update -> dump.addDynamicEndpointConfigs(
        EndpointsConfigDump.DynamicEndpointConfig.newBuilder().setErrorState(errorState(update).orElseThrow())
            .setClientStatus(ClientResourceStatus.NACKED)));
    return dump.build();
  }

  /**
   * A secret with its private parts replaced, as Envoy's admin does: the private key and password of a certificate,
   * session ticket keys and generic secrets.
   */
  static Secret redact(Secret secret) {
    Secret.Builder redacted = secret.toBuilder();
    if (secret.hasTlsCertificate()) {
      var certificate = redacted.getTlsCertificateBuilder();
      if (certificate.hasPrivateKey()) {
        certificate.setPrivateKey(DataSource.newBuilder().setInlineString(REDACTED));
      }
      if (certificate.hasPassword()) {
        certificate.setPassword(DataSource.newBuilder().setInlineString(REDACTED));
      }
    }
    if (secret.hasSessionTicketKeys()) {
      TlsSessionTicketKeys.Builder keys = TlsSessionTicketKeys.newBuilder();
      secret.getSessionTicketKeys().getKeysList()
          .forEach(key -> keys.addKeys(DataSource.newBuilder().setInlineString(REDACTED)));
      redacted.setSessionTicketKeys(keys);
    }
    if (secret.hasGenericSecret()) {
      redacted.getGenericSecretBuilder().setSecret(DataSource.newBuilder().setInlineString(REDACTED));
    }
    return redacted.build();
  }

  static <T extends Message> T unpack(Message resource, Class<T> type) {
    if (type.isInstance(resource)) {
      return type.cast(resource);
    }
    if (resource instanceof Any any) {
      try {
        return any.unpack(type);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("config dump: resource of type " + any.getTypeUrl() + " is not a "
            + type.getSimpleName(), e);
      }
    }
    throw new IllegalStateException("config dump: resource " + resource.getDescriptorForType().getFullName()
        + " is not a " + type.getSimpleName());
  }

  static Any any(Message resource) {
    return resource instanceof Any any ? any : Any.pack(resource);
  }

  static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }

  private static List<XdsResource> sorted(List<XdsResource> resources) {
    return resources.stream().sorted(Comparator.comparing(XdsResource::name)).toList();
  }

  private static Optional<String> latestVersion(List<XdsResource> resources) {
    return resources.stream().max(Comparator.comparing(XdsResource::lastUpdated)).map(XdsResource::versionInfo);
  }

  private static Map<String, RejectedUpdate> rejected(AcceptedConfig config, String typeUrl) {
    return config.rejected().stream().filter(update -> update.typeUrl().equals(typeUrl))
        .collect(Collectors.toMap(RejectedUpdate::name, Function.identity(), (first, second) -> second));
  }

  private static List<RejectedUpdate> unmatched(Map<String, RejectedUpdate> rejected, List<XdsResource> resources) {
    return rejected.values().stream()
        .filter(update -> resources.stream().noneMatch(resource -> resource.name().equals(update.name())))
        .sorted(Comparator.comparing(RejectedUpdate::name)).toList();
  }

  private static Optional<UpdateFailureState> errorState(RejectedUpdate update) {
    if (update == null) {
      return Optional.empty();
    }
    return Optional.of(UpdateFailureState.newBuilder().setDetails(update.details())
        .setVersionInfo(update.versionInfo()).setLastUpdateAttempt(timestamp(update.attemptedAt())).build());
  }
}
