package io.meshfed.control.plane.translate;

import io.meshfed.control.plane.istio.Origin;
import io.meshfed.control.plane.istio.ResourceKey;
import io.meshfed.control.plane.istio.Severity;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Something the translation could not do as the config asks, found while translating for one or more gateway
 * groups: a route to an unknown host, a Gateway selecting no gateway, a subset with no endpoints... Prints like the
 * analyzer's messages: {@code Warning [subset-without-endpoints] (DestinationRule default/reviews dr.yaml)
 * spec.subsets[2]: subset "v3" of reviews.default.svc.cluster.local matches no endpoint (groups: east/ingress/gw)}.
 *
 * @param kind what kind of problem, with a stable code and a severity
 * @param object the config object at fault, when there is one
 * @param origin where that object was read, when known
 * @param field the field path in the object ({@code spec.http[0].route[1].destination.host}), or empty
 * @param detail what is wrong, naming the value and what was expected
 * @param fix what to change
 * @param groups the gateway groups whose translation met the problem, sorted
 */
public record TranslationProblem(Kind kind, Optional<ResourceKey> object, Optional<Origin> origin, String field,
    String detail, String fix, List<String> groups) {

  /** The kinds of translation problems; codes are stable. */
  public enum Kind {
    UNKNOWN_HOST("unknown-host", Severity.ERROR),
    UNKNOWN_PORT("unknown-port", Severity.ERROR),
    UNKNOWN_SUBSET("unknown-subset", Severity.ERROR),
    SUBSET_WITHOUT_ENDPOINTS("subset-without-endpoints", Severity.WARNING),
    GATEWAY_SELECTS_NOTHING("gateway-selects-nothing", Severity.WARNING),
    MISSING_SECRET("missing-secret", Severity.ERROR),
    LISTENER_CONFLICT("listener-conflict", Severity.ERROR),
    UNSUPPORTED("unsupported", Severity.WARNING),
    UNREACHABLE_ENDPOINTS("unreachable-endpoints", Severity.WARNING),
    UNKNOWN_PROVIDER("unknown-provider", Severity.ERROR),
    FOREIGN_GATEWAY("foreign-gateway", Severity.WARNING);

    private final String code;
    private final Severity severity;

    Kind(String code, Severity severity) {
      this.code = code;
      this.severity = severity;
    }

    public String code() {
      return code;
    }

    public Severity severity() {
      return severity;
    }
  }

  public TranslationProblem {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(fix, "fix");
    groups = List.copyOf(groups);
  }

  public Severity severity() {
    return kind.severity();
  }

  /** {@code DestinationRule default/reviews: spec.subsets[2]: subset "v3" ... }. */
  public String text() {
    StringBuilder text = new StringBuilder();
    object.ifPresent(key -> text.append(key).append(": "));
    if (!field.isEmpty()) {
      text.append(field).append(": ");
    }
    return text.append(detail).toString();
  }

  @Override
  public String toString() {
    StringBuilder line = new StringBuilder().append(severity().label()).append(" [").append(kind.code()).append("] ");
    if (object.isPresent() || origin.isPresent()) {
      line.append('(');
      object.ifPresent(key -> line.append(key));
      origin.ifPresent(o -> line.append(object.isPresent() ? " " : "").append(o));
      line.append(") ");
    }
    if (!field.isEmpty()) {
      line.append(field).append(": ");
    }
    line.append(detail);
    if (!groups.isEmpty()) {
      line.append(" (groups: ").append(String.join(", ", groups)).append(')');
    }
    return line.toString();
  }
}
