package io.meshfed.control.client.accesslog;

import io.meshfed.control.client.accesslog.FilterAttribute.ValueType;
import io.meshfed.control.client.flags.ResponseFlag;
import io.meshfed.control.client.flags.ResponseFlags;
import java.util.Set;
import java.util.regex.Pattern;

/** The compiled form of a filter: operands that read values and conditions that test entries. */
final class FilterNodes {

  private FilterNodes() {
  }

  /** A value in an expression: an attribute or a literal. */
  sealed interface Operand permits Attribute, Text, Number, Bool, TextList, NumberList {
    ValueType type();

    int offset();

    String describe();

    default String string(AccessLogEntry entry) {
      throw new IllegalStateException(describe() + " is not a string");
    }

    default double number(AccessLogEntry entry) {
      throw new IllegalStateException(describe() + " is not a number");
    }
  }

  record Attribute(FilterAttribute attribute, int offset) implements Operand {
    @Override
    public ValueType type() {
      return attribute.type;
    }

    @Override
    public String describe() {
      return attribute.attributeName + " (" + attribute.type.description + ")";
    }

    @Override
    public String string(AccessLogEntry entry) {
      return attribute.string(entry);
    }

    @Override
    public double number(AccessLogEntry entry) {
      return attribute.number(entry);
    }
  }

  record Text(String value, int offset) implements Operand {
    @Override
    public ValueType type() {
      return ValueType.STRING;
    }

    @Override
    public String describe() {
      return "the string \"" + value + "\"";
    }

    @Override
    public String string(AccessLogEntry entry) {
      return value;
    }
  }

  record Number(double value, String text, int offset) implements Operand {
    @Override
    public ValueType type() {
      return ValueType.NUMBER;
    }

    @Override
    public String describe() {
      return "the number " + text;
    }

    @Override
    public double number(AccessLogEntry entry) {
      return value;
    }
  }

  record Bool(boolean value, int offset) implements Operand {
    @Override
    public ValueType type() {
      return ValueType.BOOL;
    }

    @Override
    public String describe() {
      return Boolean.toString(value);
    }
  }

  record TextList(Set<String> values, int offset) implements Operand {
    @Override
    public ValueType type() {
      return ValueType.STRING;
    }

    @Override
    public String describe() {
      return "a list of strings";
    }
  }

  record NumberList(double[] values, int offset) implements Operand {
    @Override
    public ValueType type() {
      return ValueType.NUMBER;
    }

    @Override
    public String describe() {
      return "a list of numbers";
    }
  }

  /** A condition on an entry. */
  interface Condition {
    boolean test(AccessLogEntry entry);
  }

  record And(Condition left, Condition right) implements Condition {
    @Override
    public boolean test(AccessLogEntry entry) {
      return left.test(entry) && right.test(entry);
    }
  }

  record Or(Condition left, Condition right) implements Condition {
    @Override
    public boolean test(AccessLogEntry entry) {
      return left.test(entry) || right.test(entry);
    }
  }

  record Not(Condition inner) implements Condition {
    @Override
    public boolean test(AccessLogEntry entry) {
      return !inner.test(entry);
    }
  }

  record Constant(boolean value) implements Condition {
    @Override
    public boolean test(AccessLogEntry entry) {
      return value;
    }
  }

  record BoolAttribute(FilterAttribute attribute) implements Condition {
    @Override
    public boolean test(AccessLogEntry entry) {
      return attribute.bool(entry);
    }
  }

  /** The comparison operators of the language. */
  enum Comparison { EQ, NE, LT, LE, GT, GE }

  record NumberCompare(Operand left, Comparison op, Operand right) implements Condition {
    @Override
    public boolean test(AccessLogEntry entry) {
      double a = left.number(entry);
      double b = right.number(entry);
      return switch (op) {
        case EQ -> a == b;
        case NE -> a != b;
        case LT -> a < b;
        case LE -> a <= b;
        case GT -> a > b;
        case GE -> a >= b;
      };
    }
  }

  record TextEquals(Operand left, Operand right, boolean negate) implements Condition {
    @Override
    public boolean test(AccessLogEntry entry) {
      return left.string(entry).equals(right.string(entry)) != negate;
    }
  }

  record BoolEquals(Condition left, Condition right, boolean negate) implements Condition {
    @Override
    public boolean test(AccessLogEntry entry) {
      return (left.test(entry) == right.test(entry)) != negate;
    }
  }

  /** {@code startsWith}, {@code endsWith}, {@code contains} on strings. */
  enum TextOperator { STARTS_WITH, ENDS_WITH, CONTAINS }

  record TextMatch(Operand left, TextOperator op, Operand right) implements Condition {
    @Override
    public boolean test(AccessLogEntry entry) {
      String value = left.string(entry);
      String part = right.string(entry);
      return switch (op) {
        case STARTS_WITH -> value.startsWith(part);
        case ENDS_WITH -> value.endsWith(part);
        case CONTAINS -> value.contains(part);
      };
    }
  }

  record Matches(Operand left, Pattern pattern) implements Condition {
    @Override
    public boolean test(AccessLogEntry entry) {
      return pattern.matcher(left.string(entry)).find();
    }
  }

  record TextIn(Operand left, Set<String> values) implements Condition {
    @Override
    public boolean test(AccessLogEntry entry) {
      return values.contains(left.string(entry));
    }
  }

  record NumberIn(Operand left, double[] values) implements Condition {
    @Override
    public boolean test(AccessLogEntry entry) {
      double value = left.number(entry);
      for (double candidate : values) {
        if (candidate == value) {
          return true;
        }
      }
      return false;
    }
  }

  /** {@code response.flags contains "UF"}: membership, so {@code UR} does not match {@code URX}. */
  record HasFlag(ResponseFlag flag) implements Condition {
    @Override
    public boolean test(AccessLogEntry entry) {
      return entry.responseFlags().contains(flag);
    }
  }

  /** {@code response.flags == "UF,URX"}: the whole set, in any order. */
  record FlagsEqual(ResponseFlags flags, boolean negate) implements Condition {
    @Override
    public boolean test(AccessLogEntry entry) {
      return entry.responseFlags().equals(flags) != negate;
    }
  }
}
