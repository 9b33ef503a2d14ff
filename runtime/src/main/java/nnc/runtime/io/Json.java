package nnc.runtime.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader and writer (RFC 8259), enough for safetensors headers and model
 * manifests, so that the runtime needs no library.
 *
 * <p>Values map to Java as: object → {@code Map<String, Object>} (insertion-ordered,
 * unmodifiable), array → {@code List<Object>} (unmodifiable), string → {@link String}, a number
 * without fraction or exponent → {@link Long}, any other number → {@link Double}, true/false →
 * {@link Boolean}, null → {@code null}. Strict means: no comments, no trailing commas, no
 * duplicate keys, no leading zeros, no unescaped control characters, nothing after the value,
 * and integers must fit in a long. Nesting is limited to {@value #MAX_DEPTH} levels so that a
 * hostile file cannot overflow the stack.
 */
public final class Json {
  /** The deepest nesting of arrays and objects {@link #parse} accepts. */
  public static final int MAX_DEPTH = 64;

  private Json() {
  }

  /**
   * Parses one JSON value.
   *
   * @throws IllegalArgumentException with a one-line message naming the character offset of
   *     the first error, e.g. {@code at offset 7: expected ':' after an object key}
   */
  public static Object parse(String text) {
    JsonParser p = new JsonParser(text);
    Object value = p.value(0);
    p.end();
    return value;
  }

  /**
   * Writes a value compactly (no whitespace), objects in their map's iteration order.
   *
   * @throws IllegalArgumentException for a non-finite double, a non-string map key, or a type
   *     with no JSON form
   */
  public static String write(Object value) {
    StringBuilder sb = new StringBuilder();
    write(value, sb);
    return sb.toString();
  }

  private static void write(Object value, StringBuilder sb) {
    switch (value) {
      case null -> sb.append("null");
      case String s -> writeString(s, sb);
      case Boolean b -> sb.append(b);
      case Long n -> sb.append(n);
      case Integer n -> sb.append(n);
      case Double d -> sb.append(finite(d));
      case Map<?, ?> m -> writeObject(m, sb);
      case List<?> list -> writeArray(list, sb);
      default -> throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
    }
  }

  private static double finite(double d) {
    if (!Double.isFinite(d)) {
      throw new IllegalArgumentException("JSON has no form for " + d);
    }
    return d;
  }

  private static void writeObject(Map<?, ?> m, StringBuilder sb) {
    sb.append('{');
    boolean first = true;
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw new IllegalArgumentException("JSON object keys must be strings, got " + e.getKey());
      }
      sb.append(first ? "" : ",");
      writeString(key, sb);
      sb.append(':');
      write(e.getValue(), sb);
      first = false;
    }
    sb.append('}');
  }

  private static void writeArray(List<?> list, StringBuilder sb) {
    sb.append('[');
    for (int i = 0; i < list.size(); i++) {
      sb.append(i == 0 ? "" : ",");
      write(list.get(i), sb);
    }
    sb.append(']');
  }

  private static void writeString(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /** A recursive-descent parser over one string; {@code pos} is the next unread character. */
  private static final class JsonParser {
    private final String s;
    private int pos;

    JsonParser(String s) {
      this.s = s;
    }

    Object value(int depth) {
      skipWhitespace();
      if (pos >= s.length()) {
        throw error("unexpected end of input, expected a value");
      }
      char c = s.charAt(pos);
      return switch (c) {
        case '{' -> object(depth + 1);
        case '[' -> array(depth + 1);
        case '"' -> string();
        case 't' -> literal("true", Boolean.TRUE);
        case 'f' -> literal("false", Boolean.FALSE);
        case 'n' -> literal("null", null);
        default -> {
          if (c == '-' || (c >= '0' && c <= '9')) {
            yield number();
          }
          throw error("unexpected character " + describe(c));
        }
      };
    }

    void end() {
      skipWhitespace();
      if (pos < s.length()) {
        throw error("unexpected " + describe(s.charAt(pos)) + " after the JSON value");
      }
    }

    private Map<String, Object> object(int depth) {
      checkDepth(depth);
      pos++;
      Map<String, Object> map = new LinkedHashMap<>();
      if (peekAfterWhitespace() == '}') {
        pos++;
        return Collections.unmodifiableMap(map);
      }
      do {
        skipWhitespace();
        int keyStart = pos;
        if (peek() != '"') {
          throw error("expected a string key");
        }
        String key = string();
        expectAfterWhitespace(':', "after an object key");
        Object v = value(depth);
        if (map.containsKey(key)) {
          pos = keyStart;
          throw error("duplicate key " + TensorFormatException.quote(key));
        }
        map.put(key, v);
      } while (commaOrClose('}', "in an object"));
      return Collections.unmodifiableMap(map);
    }

    private List<Object> array(int depth) {
      checkDepth(depth);
      pos++;
      List<Object> list = new ArrayList<>();
      if (peekAfterWhitespace() == ']') {
        pos++;
        return Collections.unmodifiableList(list);
      }
      do {
        list.add(value(depth));
      } while (commaOrClose(']', "in an array"));
      return Collections.unmodifiableList(list);
    }

    /** Consumes ',' (returns true) or {@code close} (returns false). */
    private boolean commaOrClose(char close, String where) {
      char c = peekAfterWhitespace();
      if (c == ',' || c == close) {
        pos++;
        return c == ',';
      }
      throw error("expected ',' or '" + close + "' " + where);
    }

    private void checkDepth(int depth) {
      if (depth > MAX_DEPTH) {
        throw error("nesting deeper than " + MAX_DEPTH + " levels");
      }
    }

    private String string() {
      pos++;
      StringBuilder sb = new StringBuilder();
      while (true) {
        if (pos >= s.length()) {
          throw error("unterminated string");
        }
        char c = s.charAt(pos++);
        if (c == '"') {
          return sb.toString();
        } else if (c == '\\') {
          sb.append(escape());
        } else if (c < 0x20) {
          pos--;
          throw error("unescaped control character " + describe(c) + " in a string");
        } else {
          sb.append(c);
        }
      }
    }

    private char escape() {
      if (pos >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(pos++);
      return switch (c) {
        case '"', '\\', '/' -> c;
        case 'b' -> '\b';
        case 'f' -> '\f';
        case 'n' -> '\n';
        case 'r' -> '\r';
        case 't' -> '\t';
        case 'u' -> unicodeEscape();
        default -> {
          pos--;
          throw error("invalid escape \\" + describe(c));
        }
      };
    }

    private char unicodeEscape() {
      if (pos + 4 > s.length()) {
        throw error("truncated \\u escape");
      }
      int v = 0;
      for (int i = 0; i < 4; i++) {
        int digit = Character.digit(s.charAt(pos), 16);
        if (digit < 0) {
          throw error("invalid hex digit " + describe(s.charAt(pos)) + " in a \\u escape");
        }
        v = v * 16 + digit;
        pos++;
      }
      return (char) v;
    }

    private Object number() {
      int start = pos;
      boolean integral = true;
      optional('-');
      if (optional('0')) {
        if (isDigit(peek())) {
          throw error("leading zero in a number");
        }
      } else {
        digits("a digit");
      }
      if (optional('.')) {
        integral = false;
        digits("a digit after '.'");
      }
      if (optional('e') || optional('E')) {
        integral = false;
        if (!optional('+')) {
          optional('-');
        }
        digits("a digit in the exponent");
      }
      String text = s.substring(start, pos);
      if (!integral) {
        return Double.parseDouble(text);
      }
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        pos = start;
        throw error("integer " + text + " does not fit in 64 bits");
      }
    }

    private void digits(String what) {
      if (!isDigit(peek())) {
        throw error("expected " + what);
      }
      while (isDigit(peek())) {
        pos++;
      }
    }

    private static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }

    private Object literal(String word, Object value) {
      if (!s.startsWith(word, pos)) {
        throw error("expected '" + word + "'");
      }
      pos += word.length();
      return value;
    }

    private boolean optional(char c) {
      if (peek() == c) {
        pos++;
        return true;
      }
      return false;
    }

    private void expectAfterWhitespace(char c, String where) {
      if (peekAfterWhitespace() != c) {
        throw error("expected '" + c + "' " + where);
      }
      pos++;
    }

    private char peekAfterWhitespace() {
      skipWhitespace();
      return peek();
    }

    /** The next character, or NUL at the end (NUL cannot appear unescaped where it matters). */
    private char peek() {
      return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private void skipWhitespace() {
      while (pos < s.length() && " \t\n\r".indexOf(s.charAt(pos)) >= 0) {
        pos++;
      }
    }

    private static String describe(char c) {
      return c >= 0x20 && c < 0x7F ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    private IllegalArgumentException error(String problem) {
      return new IllegalArgumentException("at offset " + pos + ": " + problem);
    }
  }
}
