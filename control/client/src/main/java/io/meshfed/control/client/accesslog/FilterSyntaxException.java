package io.meshfed.control.client.accesslog;

/**
 * An access-log filter expression that does not parse or does not type-check. The message names the column and
 * shows the expression with a caret under the offending spot.
 */
public final class FilterSyntaxException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String expression;
  private final int column;
  private final String reason;

  FilterSyntaxException(String expression, int offset, String reason) {
    super(format(expression, offset, reason));
    this.expression = expression;
    this.column = offset + 1;
    this.reason = reason;
  }

  /** The expression as given. */
  public String expression() {
    return expression;
  }

  /** The 1-based column of the problem. */
  public int column() {
    return column;
  }

  /** What is wrong, without the position. */
  public String reason() {
    return reason;
  }

  private static String format(String expression, int offset, String reason) {
    return "access-log filter: at column " + (offset + 1) + ": " + reason + "\n  " + expression + "\n  "
        + " ".repeat(Math.max(0, offset)) + "^";
  }
}
