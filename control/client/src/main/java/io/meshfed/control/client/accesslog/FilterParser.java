package io.meshfed.control.client.accesslog;

import io.meshfed.control.client.accesslog.FilterAttribute.ValueType;
import io.meshfed.control.client.accesslog.FilterLexer.Token;
import io.meshfed.control.client.accesslog.FilterLexer.Type;
import io.meshfed.control.client.accesslog.FilterNodes.And;
import io.meshfed.control.client.accesslog.FilterNodes.Attribute;
import io.meshfed.control.client.accesslog.FilterNodes.Bool;
import io.meshfed.control.client.accesslog.FilterNodes.BoolAttribute;
import io.meshfed.control.client.accesslog.FilterNodes.BoolEquals;
import io.meshfed.control.client.accesslog.FilterNodes.Comparison;
import io.meshfed.control.client.accesslog.FilterNodes.Condition;
import io.meshfed.control.client.accesslog.FilterNodes.Constant;
import io.meshfed.control.client.accesslog.FilterNodes.FlagsEqual;
import io.meshfed.control.client.accesslog.FilterNodes.HasFlag;
import io.meshfed.control.client.accesslog.FilterNodes.Matches;
import io.meshfed.control.client.accesslog.FilterNodes.Not;
import io.meshfed.control.client.accesslog.FilterNodes.Number;
import io.meshfed.control.client.accesslog.FilterNodes.NumberCompare;
import io.meshfed.control.client.accesslog.FilterNodes.NumberIn;
import io.meshfed.control.client.accesslog.FilterNodes.NumberList;
import io.meshfed.control.client.accesslog.FilterNodes.Operand;
import io.meshfed.control.client.accesslog.FilterNodes.Or;
import io.meshfed.control.client.accesslog.FilterNodes.Text;
import io.meshfed.control.client.accesslog.FilterNodes.TextEquals;
import io.meshfed.control.client.accesslog.FilterNodes.TextIn;
import io.meshfed.control.client.accesslog.FilterNodes.TextList;
import io.meshfed.control.client.accesslog.FilterNodes.TextMatch;
import io.meshfed.control.client.accesslog.FilterNodes.TextOperator;
import io.meshfed.control.client.flags.ResponseFlag;
import io.meshfed.control.client.flags.ResponseFlags;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Recursive-descent parser of the access-log filter language, type-checking as it goes:
 *
 * <pre>
 * expression := and ( "||" and )*
 * and        := unary ( "&amp;&amp;" unary )*
 * unary      := "!" unary | "(" expression ")" | comparison
 * comparison := call | operand [ operator operand ]
 * call       := attribute "." method "(" operand ")"        (CEL style: request.path.startsWith("/x"))
 * operator   := == | != | &lt; | &lt;= | &gt; | &gt;= | startsWith | endsWith | contains | matches | in
 * operand    := attribute | "string" | 'string' | number | true | false | "[" literal ( "," literal )* "]"
 * </pre>
 */
final class FilterParser {

  private static final Map<String, Comparison> COMPARISONS = Map.of(
      "==", Comparison.EQ, "!=", Comparison.NE, "<", Comparison.LT, "<=", Comparison.LE,
      ">", Comparison.GT, ">=", Comparison.GE);
  private static final Map<String, TextOperator> TEXT_OPERATORS = Map.of(
      "startsWith", TextOperator.STARTS_WITH, "endsWith", TextOperator.ENDS_WITH, "contains", TextOperator.CONTAINS);

  private final String source;
  private final List<Token> tokens;
  private int index;

  private FilterParser(String source) {
    this.source = source;
    this.tokens = FilterLexer.tokenize(source);
  }

  static Condition parse(String source) {
    FilterParser parser = new FilterParser(source);
    Condition condition = parser.expression();
    Token end = parser.peek();
    if (end.type() != Type.END) {
      throw parser.error(end, "unexpected " + end.describe() + " (expected: &&, || or the end of the filter)");
    }
    return condition;
  }

  private Condition expression() {
    Condition left = and();
    while (consume("||")) {
      left = new Or(left, and());
    }
    return left;
  }

  private Condition and() {
    Condition left = unary();
    while (consume("&&")) {
      left = new And(left, unary());
    }
    return left;
  }

  private Condition unary() {
    Token token = peek();
    if (consume("!")) {
      return new Not(unary());
    }
    if (consume("(")) {
      Condition inner = expression();
      expect(")", "to close the ( at column " + (token.offset() + 1));
      return inner;
    }
    return comparison();
  }

  private Condition comparison() {
    Token first = peek();
    if (first.type() == Type.IDENT && tokens.get(index + 1).is("(")) {
      return call();
    }
    Operand left = operand();
    Token operator = peek();
    if (COMPARISONS.containsKey(operator.text()) && operator.type() == Type.OPERATOR) {
      next();
      return compare(left, operator, COMPARISONS.get(operator.text()), operand());
    }
    if (operator.type() == Type.IDENT && (TEXT_OPERATORS.containsKey(operator.text())
        || operator.text().equals("matches") || operator.text().equals("in"))) {
      next();
      return textOperator(left, operator, operand());
    }
    if (left.type() == ValueType.BOOL) {
      return asCondition(left);
    }
    throw error(operator, "expected an operator after " + left.describe() + ", found " + operator.describe()
        + " (expected: " + operatorsFor(left.type()) + ")");
  }

  /** CEL-style {@code request.path.startsWith("/health")}. */
  private Condition call() {
    Token name = next();
    int dot = name.text().lastIndexOf('.');
    if (dot < 0) {
      throw error(name, "unknown function " + name.text() + " (expected: <attribute>.startsWith(...), "
          + ".endsWith(...), .contains(...) or .matches(...))");
    }
    Operand receiver = attribute(name.text().substring(0, dot), name.offset());
    Token method = new Token(Type.IDENT, name.text().substring(dot + 1), name.offset() + dot + 1);
    if (!TEXT_OPERATORS.containsKey(method.text()) && !method.text().equals("matches")) {
      throw error(method, "unknown method " + method.text() + " (expected: startsWith, endsWith, contains or "
          + "matches)");
    }
    expect("(", "after " + method.text());
    Operand argument = operand();
    expect(")", "to close the call to " + method.text());
    return textOperator(receiver, method, argument);
  }

  private Condition compare(Operand left, Token operator, Comparison comparison, Operand right) {
    boolean equality = comparison == Comparison.EQ || comparison == Comparison.NE;
    if (left.type() == ValueType.FLAGS || right.type() == ValueType.FLAGS) {
      return flagsEqual(left, operator, comparison, right);
    }
    if (left.type() != right.type() || left instanceof TextList || left instanceof NumberList
        || right instanceof TextList || right instanceof NumberList) {
      throw error(right.offset(), "cannot compare " + left.describe() + " with " + right.describe()
          + " (expected: both sides numbers, or both strings)");
    }
    return switch (left.type()) {
      case NUMBER -> new NumberCompare(left, comparison, right);
      case STRING -> {
        if (!equality) {
          throw error(operator, operator.text() + " compares numbers, and " + left.describe()
              + " is not one (expected: == or != for strings, or startsWith, endsWith, contains, matches, in)");
        }
        yield new TextEquals(left, right, comparison == Comparison.NE);
      }
      case BOOL -> {
        if (!equality) {
          throw error(operator, operator.text() + " compares numbers (expected: == or != for conditions)");
        }
        yield new BoolEquals(asCondition(left), asCondition(right), comparison == Comparison.NE);
      }
      case FLAGS -> throw new IllegalStateException("unreachable");
    };
  }

  private Condition flagsEqual(Operand left, Token operator, Comparison comparison, Operand right) {
    Operand literal = left.type() == ValueType.FLAGS ? right : left;
    if (comparison != Comparison.EQ && comparison != Comparison.NE) {
      throw error(operator, operator.text() + " does not apply to response flags (expected: ==, != or contains)");
    }
    if (!(literal instanceof Text text)) {
      throw error(literal.offset(), "response flags compare with a string such as \"UF,URX\" or \"-\", not "
          + literal.describe());
    }
    return new FlagsEqual(flags(text), comparison == Comparison.NE);
  }

  private Condition textOperator(Operand left, Token operator, Operand right) {
    String name = operator.text();
    if (name.equals("in")) {
      if (left.type() == ValueType.STRING && right instanceof TextList list) {
        return new TextIn(left, list.values());
      }
      if (left.type() == ValueType.NUMBER && right instanceof NumberList list) {
        return new NumberIn(left, list.values());
      }
      throw error(right.offset(), "in needs a list of the left side's type after it; " + left.describe()
          + " in " + right.describe() + " (expected: [\"a\", \"b\"] or [500, 503])");
    }
    if (left.type() == ValueType.FLAGS && name.equals("contains")) {
      if (!(right instanceof Text text)) {
        throw error(right.offset(), "response.flags contains a flag code such as \"UF\", not " + right.describe());
      }
      ResponseFlags flags = flags(text);
      if (flags.flags().size() != 1) {
        throw error(right.offset(), "response.flags contains one flag at a time, not \"" + text.value()
            + "\" (expected: a single code such as \"UF\"; join several with ||)");
      }
      return new HasFlag(flags.flags().get(0));
    }
    if (left.type() != ValueType.STRING || left instanceof TextList) {
      throw error(operator, name + " needs a string on its left, and " + left.describe() + " is not one");
    }
    if (right.type() != ValueType.STRING || right instanceof TextList) {
      throw error(right.offset(), name + " needs a string on its right, and " + right.describe() + " is not one");
    }
    if (name.equals("matches")) {
      if (!(right instanceof Text pattern)) {
        throw error(right.offset(), "matches needs a regular expression literal, not " + right.describe());
      }
      try {
        return new Matches(left, Pattern.compile(pattern.value()));
      } catch (PatternSyntaxException e) {
        throw error(right.offset(), "bad regular expression \"" + pattern.value() + "\": " + e.getDescription());
      }
    }
    return new TextMatch(left, TEXT_OPERATORS.get(name), right);
  }

  private ResponseFlags flags(Text text) {
    try {
      return ResponseFlags.parse(text.value());
    } catch (IllegalArgumentException e) {
      throw error(text.offset(), e.getMessage());
    }
  }

  private Operand operand() {
    Token token = next();
    return switch (token.type()) {
      case STRING -> new Text(token.text(), token.offset());
      case NUMBER -> number(token);
      case IDENT -> switch (token.text()) {
        case "true" -> new Bool(true, token.offset());
        case "false" -> new Bool(false, token.offset());
        default -> attribute(token.text(), token.offset());
      };
      case OPERATOR -> {
        if (token.is("[")) {
          yield list(token);
        }
        throw error(token, "expected a value, found " + token.describe()
            + " (expected: an attribute such as response.code, a \"string\", a number, true or false)");
      }
      case END -> throw error(token, "expected a value, found the end of the filter");
    };
  }

  private Operand list(Token open) {
    List<Operand> items = new ArrayList<>();
    if (!peek().is("]")) {
      do {
        Operand item = operand();
        if (!(item instanceof Text) && !(item instanceof Number)) {
          throw error(item.offset(), "a list holds strings or numbers, not " + item.describe());
        }
        items.add(item);
      } while (consume(","));
    }
    expect("]", "to close the [ at column " + (open.offset() + 1));
    if (items.isEmpty()) {
      throw error(open, "an empty list matches nothing (expected: at least one value)");
    }
    if (items.stream().allMatch(item -> item instanceof Text)) {
      Set<String> values = new LinkedHashSet<>();
      items.forEach(item -> values.add(((Text) item).value()));
      return new TextList(Set.copyOf(values), open.offset());
    }
    if (items.stream().allMatch(item -> item instanceof Number)) {
      return new NumberList(items.stream().mapToDouble(item -> ((Number) item).value()).toArray(), open.offset());
    }
    throw error(open, "a list mixes strings and numbers (expected: all strings or all numbers)");
  }

  private Operand number(Token token) {
    try {
      return new Number(Double.parseDouble(token.text()), token.text(), token.offset());
    } catch (NumberFormatException e) {
      throw error(token, "bad number " + token.text());
    }
  }

  private Operand attribute(String name, int offset) {
    return FilterAttribute.find(name)
        .<Operand>map(attribute -> new Attribute(attribute, offset))
        .orElseThrow(() -> error(offset, "unknown attribute " + name + " (expected one of: "
            + FilterAttribute.names() + ")"));
  }

  private Condition asCondition(Operand operand) {
    if (operand instanceof Bool bool) {
      return new Constant(bool.value());
    }
    if (operand instanceof Attribute attribute && attribute.type() == ValueType.BOOL) {
      return new BoolAttribute(attribute.attribute());
    }
    throw error(operand.offset(), operand.describe() + " is not a condition");
  }

  private static String operatorsFor(ValueType type) {
    return switch (type) {
      case NUMBER -> "==, !=, <, <=, >, >= or in";
      case STRING -> "==, !=, startsWith, endsWith, contains, matches or in";
      case FLAGS -> "==, != or contains";
      case BOOL -> "&&, || or ==";
    };
  }

  private void expect(String operator, String why) {
    Token token = next();
    if (!token.is(operator)) {
      throw error(token, "expected " + operator + " " + why + ", found " + token.describe());
    }
  }

  private boolean consume(String operator) {
    if (peek().is(operator)) {
      next();
      return true;
    }
    return false;
  }

  private Token peek() {
    return tokens.get(index);
  }

  private Token next() {
    Token token = tokens.get(index);
    if (token.type() != Type.END) {
      index++;
    }
    return token;
  }

  private FilterSyntaxException error(Token token, String reason) {
    return error(token.offset(), reason);
  }

  private FilterSyntaxException error(int offset, String reason) {
    return new FilterSyntaxException(source, offset, reason);
  }
}
