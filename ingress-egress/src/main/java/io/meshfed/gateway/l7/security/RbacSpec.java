package io.meshfed.gateway.l7.security;

import io.meshfed.gateway.l7.routing.HeaderMatch;
import io.meshfed.gateway.l7.routing.StringMatch;
import java.util.List;
import java.util.Map;

/**
 * A compiled {@code envoy.filters.http.rbac} filter instance (one Istio AuthorizationPolicy action).
 *
 * @param action ALLOW, DENY or LOG
 * @param policies by name, in configuration order
 * @param shadow true when the rules came from {@code shadow_rules}: evaluated, never enforced
 */
public record RbacSpec(Action action, Map<String, Policy> policies, boolean shadow) {

  /** The RBAC action. */
  public enum Action { ALLOW, DENY, LOG }

  /**
   * An RBAC {@code Policy}: any permission and any principal must match.
   *
   * @param permissions any must match
   * @param principals any must match
   */
  public record Policy(List<Permission> permissions, List<Principal> principals) {
  }

  /** An RBAC {@code Permission}. */
  public sealed interface Permission {
    /** {@code any: true}. */
    record Any() implements Permission {
    }

    /** {@code and_rules}. */
    record And(List<Permission> rules) implements Permission {
    }

    /** {@code or_rules}. */
    record Or(List<Permission> rules) implements Permission {
    }

    /** {@code not_rule}. */
    record Not(Permission rule) implements Permission {
    }

    /** {@code header}. */
    record Header(HeaderMatch match) implements Permission {
    }

    /** {@code url_path}: the path without query. */
    record UrlPath(StringMatch match) implements Permission {
    }

    /** {@code destination_port}. */
    record DestinationPort(int port) implements Permission {
    }

    /** {@code destination_ip}. */
    record DestinationIp(Cidr range) implements Permission {
    }

    /** {@code requested_server_name}. */
    record RequestedServerName(StringMatch match) implements Permission {
    }

    /** {@code metadata}. */
    record Metadata(MetadataMatch match) implements Permission {
    }
  }

  /** An RBAC {@code Principal}. */
  public sealed interface Principal {
    /** {@code any: true}. */
    record Any() implements Principal {
    }

    /** {@code and_ids}. */
    record And(List<Principal> ids) implements Principal {
    }

    /** {@code or_ids}. */
    record Or(List<Principal> ids) implements Principal {
    }

    /** {@code not_id}. */
    record Not(Principal id) implements Principal {
    }

    /** {@code authenticated}: a verified client certificate; {@code match} null accepts any. */
    record Authenticated(StringMatch match) implements Principal {
    }

    /** {@code direct_remote_ip}: the socket peer. */
    record DirectRemoteIp(Cidr range) implements Principal {
    }

    /** {@code remote_ip} (and the deprecated {@code source_ip}): the client per x-forwarded-for. */
    record RemoteIp(Cidr range) implements Principal {
    }

    /** {@code header}. */
    record Header(HeaderMatch match) implements Principal {
    }

    /** {@code url_path}. */
    record UrlPath(StringMatch match) implements Principal {
    }

    /** {@code metadata}. */
    record Metadata(MetadataMatch match) implements Principal {
    }
  }
}
