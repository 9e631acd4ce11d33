package io.meshfed.gateway.eastwest.rbac;

import io.meshfed.gateway.eastwest.matcher.StringMatch;
import java.util.List;

/** The network-level {@code config.rbac.v3.Permission} rules the gateway evaluates. */
public sealed interface Permission {

  boolean matches(RbacContext context);

  /** {@code any: true}. */
  record Any() implements Permission {
    @Override
    public boolean matches(RbacContext context) {
      return true;
    }
  }

  /** {@code destination_port}. */
  record DestinationPort(int port) implements Permission {
    @Override
    public boolean matches(RbacContext context) {
      return context.destinationPort() == port;
    }
  }

  /** {@code requested_server_name}: the SNI of the connection. */
  record RequestedServerName(StringMatch match) implements Permission {
    @Override
    public boolean matches(RbacContext context) {
      return match.matches(context.serverName() == null ? "" : context.serverName());
    }
  }

  /** {@code and_rules}. */
  record And(List<Permission> rules) implements Permission {
    @Override
    public boolean matches(RbacContext context) {
      return rules.stream().allMatch(rule -> rule.matches(context));
    }
  }

  /** {@code or_rules}. */
  record Or(List<Permission> rules) implements Permission {
    @Override
    public boolean matches(RbacContext context) {
      return rules.stream().anyMatch(rule -> rule.matches(context));
    }
  }

  /** {@code not_rule}. */
  record Not(Permission rule) implements Permission {
    @Override
    public boolean matches(RbacContext context) {
      return !rule.matches(context);
    }
  }
}
