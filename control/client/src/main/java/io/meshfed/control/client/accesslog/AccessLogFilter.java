package io.meshfed.control.client.accesslog;

import io.meshfed.control.client.accesslog.FilterNodes.Condition;
import io.meshfed.control.client.accesslog.FilterNodes.Constant;
import java.util.Objects;

/**
 * Which entries an access log writes, as an expression over Istio-style attributes:
 * {@code response.code >= 400 && !(request.path startsWith "/health")}. The grammar, the attributes and the
 * operators are in docs/diagnostics.md ("Access-log filter"). Parsing checks names and types up front; a bad
 * filter fails with a {@link FilterSyntaxException} naming the column.
 */
public final class AccessLogFilter {

  /** Lets every entry through. */
  public static final AccessLogFilter ALL = new AccessLogFilter("", new Constant(true));

  private final String expression;
  private final Condition condition;

  private AccessLogFilter(String expression, Condition condition) {
    this.expression = expression;
    this.condition = condition;
  }

  /**
   * Compiles a filter; blank means {@link #ALL}.
   *
   * @throws FilterSyntaxException when the expression does not parse or compares values of different types
   */
  public static AccessLogFilter parse(String expression) {
    Objects.requireNonNull(expression, "expression");
    if (expression.isBlank()) {
      return ALL;
    }
    return new AccessLogFilter(expression, FilterParser.parse(expression));
  }

  /** Whether the entry passes the filter. */
  public boolean test(AccessLogEntry entry) {
    return condition.test(entry);
  }

  /** The expression as given ({@code ""} for {@link #ALL}). */
  @Override
  public String toString() {
    return expression;
  }
}
