package io.meshfed.control.client.accesslog;

import java.util.ArrayList;
import java.util.List;

/** Splits a filter expression into tokens, each with its offset for error messages. */
final class FilterLexer {

  enum Type { IDENT, STRING, NUMBER, OPERATOR, END }

  record Token(Type type, String text, int offset) {

    boolean is(String operator) {
      return (type == Type.OPERATOR || type == Type.IDENT) && text.equals(operator);
    }

    String describe() {
      return switch (type) {
        case END -> "end of input";
        case STRING -> "the string \"" + text + "\"";
        case NUMBER -> "the number " + text;
        default -> "\"" + text + "\"";
      };
    }
  }

  private static final List<String> OPERATORS =
      List.of("&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "(", ")", "[", "]", ",");

  private final String source;
  private int position;

  private FilterLexer(String source) {
    this.source = source;
  }

  static List<Token> tokenize(String source) {
    return new FilterLexer(source).tokens();
  }

  private List<Token> tokens() {
    List<Token> tokens = new ArrayList<>();
    while (true) {
      skipWhitespace();
      if (position >= source.length()) {
        tokens.add(new Token(Type.END, "", position));
        return tokens;
      }
      tokens.add(next());
    }
  }

  private Token next() {
    int start = position;
    char c = source.charAt(position);
    if (c == '"' || c == '\'') {
      return string(c);
    }
    if (Character.isDigit(c) || c == '-' && position + 1 < source.length()
        && Character.isDigit(source.charAt(position + 1))) {
      position++;
      while (position < source.length()
          && (Character.isDigit(source.charAt(position)) || source.charAt(position) == '.')) {
        position++;
      }
      return new Token(Type.NUMBER, source.substring(start, position), start);
    }
    if (Character.isLetter(c) || c == '_') {
      while (position < source.length() && isIdentifierPart(source.charAt(position))) {
        position++;
      }
      return new Token(Type.IDENT, source.substring(start, position), start);
    }
    for (String operator : OPERATORS) {
      if (source.startsWith(operator, position)) {
        position += operator.length();
        return new Token(Type.OPERATOR, operator, start);
      }
    }
    if (c == '&' || c == '|' || c == '=') {
      throw new FilterSyntaxException(source, start, "unknown operator \"" + c + "\" (expected: &&, || or ==)");
    }
    throw new FilterSyntaxException(source, start, "unexpected character '" + c + "'");
  }

  private Token string(char quote) {
    int start = position;
    StringBuilder text = new StringBuilder();
    position++;
    while (position < source.length()) {
      char c = source.charAt(position++);
      if (c == quote) {
        return new Token(Type.STRING, text.toString(), start);
      }
      if (c == '\\' && position < source.length()) {
        char escaped = source.charAt(position++);
        switch (escaped) {
          case 'n' -> text.append('\n');
          case 't' -> text.append('\t');
          case '\\', '"', '\'' -> text.append(escaped);
          default -> throw new FilterSyntaxException(source, position - 2,
              "unknown escape \\" + escaped + " (expected: \\\\, \\\", \\', \\n or \\t)");
        }
      } else {
        text.append(c);
      }
    }
    throw new FilterSyntaxException(source, start, "string not closed (expected a closing " + quote + ")");
  }

  private void skipWhitespace() {
    while (position < source.length() && Character.isWhitespace(source.charAt(position))) {
      position++;
    }
  }

  private static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '.';
  }
}
