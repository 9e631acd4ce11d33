package io.meshfed.gateway.eastwest.rbac;

import io.meshfed.gateway.eastwest.matcher.StringMatch;
import java.net.InetAddress;
import java.util.List;

/** The network-level {@code config.rbac.v3.Principal} rules the gateway evaluates. */
public sealed interface Principal {

  boolean matches(RbacContext context);

  /** {@code any: true}. */
  record Any() implements Principal {
    @Override
    public boolean matches(RbacContext context) {
      return true;
    }
  }

  /**
   * {@code authenticated}: the connection has a verified peer whose principal (its SPIFFE ID) matches; without a
   * {@code principal_name}, any verified peer matches.
   */
  record Authenticated(StringMatch principalName) implements Principal {
    @Override
    public boolean matches(RbacContext context) {
      return context.peer() != null && (principalName == null || principalName.matches(context.peer().principal()));
    }
  }

  /** {@code source_ip} / {@code direct_remote_ip} / {@code remote_ip}: the downstream address is in a CIDR range. */
  record SourceIp(byte[] prefix, int prefixLength) implements Principal {
    @Override
    public boolean matches(RbacContext context) {
      if (context.remote() == null || context.remote().getAddress() == null) {
        return false;
      }
      InetAddress address = context.remote().getAddress();
      byte[] bytes = address.getAddress();
      if (bytes.length != prefix.length) {
        return false;
      }
      int full = prefixLength / 8;
      for (int i = 0; i < full; i++) {
        if (bytes[i] != prefix[i]) {
          return false;
        }
      }
      int rest = prefixLength % 8;
      if (rest == 0) {
        return true;
      }
      int mask = 0xff << (8 - rest) & 0xff;
      return (bytes[full] & mask) == (prefix[full] & mask);
    }
  }

  /** {@code and_ids}. */
  record And(List<Principal> ids) implements Principal {
    @Override
    public boolean matches(RbacContext context) {
      return ids.stream().allMatch(id -> id.matches(context));
    }
  }

  /** {@code or_ids}. */
  record Or(List<Principal> ids) implements Principal {
    @Override
    public boolean matches(RbacContext context) {
      return ids.stream().anyMatch(id -> id.matches(context));
    }
  }

  /** {@code not_id}. */
  record Not(Principal id) implements Principal {
    @Override
    public boolean matches(RbacContext context) {
      return !id.matches(context);
    }
  }
}
