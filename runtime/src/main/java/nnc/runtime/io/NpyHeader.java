package nnc.runtime.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The header dictionary of an NPY file, e.g.
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}.
 *
 * <p>NumPy writes a Python literal and reads it back with {@code ast.literal_eval}; this class
 * parses exactly the subset that such headers use (strings, True/False, tuples of integers) and
 * nothing else, so a header is data and is never evaluated.
 */
record NpyHeader(String descr, boolean fortranOrder, long[] shape) {
  /** NumPy leaves room to grow the first dimension in place: repr of it padded to 21 digits. */
  private static final int GROWTH_AXIS_MAX_DIGITS = 21;
  /** Longer dimensions could overflow a long; they are far beyond any array anyway. */
  private static final int MAX_DIGITS = 18;

  /** The dictionary text NumPy writes for a C-order array, before alignment padding. */
  static String format(String descr, int[] shape) {
    StringBuilder sb = new StringBuilder("{'descr': '").append(descr)
        .append("', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    sb.append(shape.length == 1 ? ",), }" : "), }");
    if (shape.length > 0) {
      sb.repeat(' ', GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length());
    }
    return sb.toString();
  }

  /** Parses a header; errors name {@code file}. */
  static NpyHeader parse(Path file, String text) throws TensorFormatException {
    return new Parser(file, text).header();
  }

  private static final class Parser {
    private final Path file;
    private final String s;
    private int pos;

    Parser(Path file, String s) {
      this.file = file;
      this.s = s;
    }

    NpyHeader header() throws TensorFormatException {
      String descr = null;
      Boolean fortran = null;
      long[] shape = null;
      Set<String> seen = new HashSet<>();
      expect('{');
      while (!tryConsume('}')) {
        int keyAt = skipSpaces();
        String key = string();
        if (!seen.add(key)) {
          throw malformed(keyAt, "duplicate key " + TensorFormatException.quote(key));
        }
        expect(':');
        switch (key) {
          case "descr" -> descr = descrValue();
          case "fortran_order" -> fortran = bool();
          case "shape" -> shape = tuple();
          default -> throw malformed(keyAt, "unexpected key " + TensorFormatException.quote(key));
        }
        if (!tryConsume(',')) {
          expect('}');
          break;
        }
      }
      if (skipSpaces() != s.length()) {
        throw malformed(pos, "unexpected text after the dictionary");
      }
      if (descr == null || fortran == null || shape == null) {
        throw malformed(pos, "it needs the keys 'descr', 'fortran_order' and 'shape'");
      }
      return new NpyHeader(descr, fortran, shape);
    }

    private String descrValue() throws TensorFormatException {
      int at = skipSpaces();
      if (at < s.length() && s.charAt(at) == '[') {
        throw new TensorFormatException(file, "unsupported dtype: structured arrays are not supported");
      }
      return string();
    }

    private String string() throws TensorFormatException {
      int at = skipSpaces();
      char quote = at < s.length() ? s.charAt(at) : '\0';
      if (quote != '\'' && quote != '"') {
        throw malformed(at, "expected a quoted string");
      }
      int end = s.indexOf(quote, at + 1);
      if (end < 0 || s.substring(at + 1, end).indexOf('\\') >= 0) {
        throw malformed(at, "expected a simple quoted string");
      }
      pos = end + 1;
      return s.substring(at + 1, end);
    }

    private boolean bool() throws TensorFormatException {
      int at = skipSpaces();
      for (String word : List.of("True", "False")) {
        if (s.startsWith(word, at)) {
          pos = at + word.length();
          return word.equals("True");
        }
      }
      throw malformed(at, "expected True or False");
    }

    private long[] tuple() throws TensorFormatException {
      expect('(');
      List<Long> dims = new ArrayList<>();
      boolean trailingComma = false;
      while (!tryConsume(')')) {
        dims.add(integer());
        trailingComma = tryConsume(',');
        if (!trailingComma) {
          expect(')');
          break;
        }
      }
      if (dims.size() == 1 && !trailingComma) {
        throw malformed(pos, "shape (n) must be written (n,)");
      }
      return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private long integer() throws TensorFormatException {
      int at = skipSpaces();
      int end = at;
      while (end < s.length() && s.charAt(end) >= '0' && s.charAt(end) <= '9') {
        end++;
      }
      if (end == at) {
        throw malformed(at, "expected a non-negative integer");
      }
      if (end - at > MAX_DIGITS) {
        throw malformed(at, "dimension with more than " + MAX_DIGITS + " digits");
      }
      pos = end < s.length() && s.charAt(end) == 'L' ? end + 1 : end;
      return Long.parseLong(s.substring(at, end));
    }

    private void expect(char c) throws TensorFormatException {
      if (!tryConsume(c)) {
        throw malformed(pos, "expected '" + c + "'");
      }
    }

    private boolean tryConsume(char c) {
      int at = skipSpaces();
      if (at < s.length() && s.charAt(at) == c) {
        pos = at + 1;
        return true;
      }
      return false;
    }

    /** Skips whitespace and returns the new position. */
    private int skipSpaces() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
      return pos;
    }

    private TensorFormatException malformed(int at, String problem) {
      String rest = s.substring(at).strip();
      return new TensorFormatException(file, "malformed header: " + problem + " at character " + at
          + (rest.isEmpty() ? "" : ", near " + TensorFormatException.quote(rest)));
    }
  }
}
