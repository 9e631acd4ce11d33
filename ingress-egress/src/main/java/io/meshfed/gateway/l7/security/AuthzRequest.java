package io.meshfed.gateway.l7.security;

import io.meshfed.gateway.l7.routing.RequestView;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;

/** What RBAC and the external authorizer see of a request and its connection. */
public interface AuthzRequest {

  /** The request line and headers. */
  RequestView request();

  /** The socket peer ({@code direct_remote_ip}). */
  InetAddress directRemote();

  /** The client as x-forwarded-for and {@code xff_num_trusted_hops} determine it ({@code remote_ip}). */
  InetAddress remote();

  /** The gateway's local address ({@code destination_ip}, {@code destination_port}). */
  InetSocketAddress local();

  /** The TLS SNI, empty for none. */
  String sni();

  /** True when the client presented a verified certificate. */
  boolean peerAuthenticated();

  /** The client certificate's URI SAN or subject, empty without one. */
  String peerPrincipal();

  /** The request's dynamic metadata by namespace ({@code istio_authn}, {@code envoy.filters.http.jwt_authn}). */
  Map<String, Map<String, Object>> metadata();
}
