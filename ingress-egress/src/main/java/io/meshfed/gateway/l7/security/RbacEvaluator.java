package io.meshfed.gateway.l7.security;

import java.util.List;
import java.util.Map;

/**
 * Evaluates one RBAC filter instance the way Envoy's RBAC engine does: a policy matches when any permission and
 * any principal match; ALLOW lets a request through only when some policy matches, DENY refuses it when some policy
 * matches, LOG never refuses. Policies are visited in name order so the matched policy reported is stable.
 */
public final class RbacEvaluator {

  private RbacEvaluator() {
  }

  /**
   * The result of an evaluation.
   *
   * @param allowed whether the request passes this filter
   * @param matchedPolicy the first matching policy, or {@code none}
   */
  public record Decision(boolean allowed, String matchedPolicy) {
  }

  /** Evaluates {@code spec} for {@code request}. */
  public static Decision evaluate(RbacSpec spec, AuthzRequest request) {
    String matched = null;
    for (Map.Entry<String, RbacSpec.Policy> entry : spec.policies().entrySet()) {
      if (matches(entry.getValue(), request)) {
        matched = entry.getKey();
        break;
      }
    }
    return switch (spec.action()) {
      case ALLOW -> new Decision(matched != null, matched == null ? "none" : matched);
      case DENY -> new Decision(matched == null, matched == null ? "none" : matched);
      case LOG -> new Decision(true, matched == null ? "none" : matched);
    };
  }

  static boolean matches(RbacSpec.Policy policy, AuthzRequest request) {
    boolean permitted = false;
    for (RbacSpec.Permission permission : policy.permissions()) {
      if (permission(permission, request)) {
        permitted = true;
        break;
      }
    }
    if (!permitted) {
      return false;
    }
    for (RbacSpec.Principal principal : policy.principals()) {
      if (principal(principal, request)) {
        return true;
      }
    }
    return false;
  }

  private static boolean permission(RbacSpec.Permission permission, AuthzRequest request) {
    // Java 17: no pattern switch; the sealed hierarchy is walked with instanceof.
    if (permission instanceof RbacSpec.Permission.Any) {
      return true;
    } else if (permission instanceof RbacSpec.Permission.And and) {
      return allPermissions(and.rules(), request);
    } else if (permission instanceof RbacSpec.Permission.Or or) {
      return anyPermission(or.rules(), request);
    } else if (permission instanceof RbacSpec.Permission.Not not) {
      return !permission(not.rule(), request);
    } else if (permission instanceof RbacSpec.Permission.Header header) {
      return header.match().matches(request.request());
    } else if (permission instanceof RbacSpec.Permission.UrlPath path) {
      return path.match().matches(request.request().path());
    } else if (permission instanceof RbacSpec.Permission.DestinationPort port) {
      return request.local().getPort() == port.port();
    } else if (permission instanceof RbacSpec.Permission.DestinationIp ip) {
      return ip.range().contains(request.local().getAddress());
    } else if (permission instanceof RbacSpec.Permission.RequestedServerName sni) {
      return sni.match().matches(request.sni());
    } else if (permission instanceof RbacSpec.Permission.Metadata metadata) {
      return metadata(metadata.match(), request.metadata());
    }
    throw new IllegalStateException("permission " + permission);
  }

  private static boolean allPermissions(List<RbacSpec.Permission> rules, AuthzRequest request) {
    for (RbacSpec.Permission rule : rules) {
      if (!permission(rule, request)) {
        return false;
      }
    }
    return true;
  }

  private static boolean anyPermission(List<RbacSpec.Permission> rules, AuthzRequest request) {
    for (RbacSpec.Permission rule : rules) {
      if (permission(rule, request)) {
        return true;
      }
    }
    return false;
  }

  private static boolean principal(RbacSpec.Principal principal, AuthzRequest request) {
    if (principal instanceof RbacSpec.Principal.Any) {
      return true;
    } else if (principal instanceof RbacSpec.Principal.And and) {
      for (RbacSpec.Principal id : and.ids()) {
        if (!principal(id, request)) {
          return false;
        }
      }
      return true;
    } else if (principal instanceof RbacSpec.Principal.Or or) {
      for (RbacSpec.Principal id : or.ids()) {
        if (principal(id, request)) {
          return true;
        }
      }
      return false;
    } else if (principal instanceof RbacSpec.Principal.Not not) {
      return !principal(not.id(), request);
    } else if (principal instanceof RbacSpec.Principal.Authenticated authenticated) {
      return request.peerAuthenticated()
          && (authenticated.match() == null || authenticated.match().matches(request.peerPrincipal()));
    } else if (principal instanceof RbacSpec.Principal.DirectRemoteIp ip) {
      return ip.range().contains(request.directRemote());
    } else if (principal instanceof RbacSpec.Principal.RemoteIp ip) {
      return ip.range().contains(request.remote());
    } else if (principal instanceof RbacSpec.Principal.Header header) {
      return header.match().matches(request.request());
    } else if (principal instanceof RbacSpec.Principal.UrlPath path) {
      return path.match().matches(request.request().path());
    } else if (principal instanceof RbacSpec.Principal.Metadata metadata) {
      return metadata(metadata.match(), request.metadata());
    }
    throw new IllegalStateException("principal " + principal);
  }

  /** Envoy's metadata matcher over dynamic metadata; list values match when any element does. */
  public static boolean metadata(MetadataMatch match, Map<String, Map<String, Object>> metadata) {
    Object value = metadata.get(match.filter());
    for (String key : match.path()) {
      if (value instanceof Map<?, ?> map) {
        value = map.get(key);
      } else {
        value = null;
        break;
      }
    }
    boolean result;
    if (match.value() == null) {
      result = (value != null) == match.present();
    } else if (value instanceof List<?> list) {
      result = false;
      for (Object element : list) {
        if (element != null && match.value().matches(String.valueOf(element))) {
          result = true;
          break;
        }
      }
    } else {
      result = value != null && !(value instanceof Map) && match.value().matches(String.valueOf(value));
    }
    return match.invert() != result;
  }
}
