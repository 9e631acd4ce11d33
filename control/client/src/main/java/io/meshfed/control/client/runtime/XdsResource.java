package io.meshfed.control.client.runtime;

import com.google.protobuf.Message;
import java.time.Instant;
import java.util.Objects;

/**
 * One xDS resource a gateway accepted (ACKed), as the xDS client holds it; {@code /config_dump} shows these.
 *
 * @param typeUrl the resource type, one of the {@code *_TYPE} constants
 * @param name the resource name
 * @param versionInfo the version of the response that carried it
 * @param resource the resource itself (the typed message, or an {@link com.google.protobuf.Any} of it)
 * @param lastUpdated when it was accepted
 */
public record XdsResource(String typeUrl, String name, String versionInfo, Message resource, Instant lastUpdated) {

  public static final String LISTENER_TYPE = "type.googleapis.com/envoy.config.listener.v3.Listener";
  public static final String CLUSTER_TYPE = "type.googleapis.com/envoy.config.cluster.v3.Cluster";
  public static final String ROUTE_TYPE = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";
  public static final String ENDPOINT_TYPE = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
  public static final String SECRET_TYPE =
      "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret";

  public XdsResource {
    Objects.requireNonNull(typeUrl, "typeUrl");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(versionInfo, "versionInfo");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(lastUpdated, "lastUpdated");
  }
}
