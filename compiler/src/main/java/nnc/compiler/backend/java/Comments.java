package nnc.compiler.backend.java;

import java.util.List;

/**
 * Text from the kernel IR placed into comments. It must not end the comment early ({@code * /}
 * in a Javadoc, a line break in a {@code //} comment) and must not contain a backslash-u, which
 * javac translates as a Unicode escape even inside comments.
 */
final class Comments {
  private Comments() {}

  /** A kernel's description as the body of its method's Javadoc, ending with a line break. */
  static String javadoc(String text) {
    String s = unicodeSafe(text).replace("*/", "*&#47;").strip();
    return s + "\n";
  }

  /** The lines of a {@code //} comment. */
  static List<String> lines(String text) {
    return unicodeSafe(text).lines().map(String::stripTrailing).toList();
  }

  /** Makes every run of backslashes before a 'u' even, so that none starts a Unicode escape. */
  private static String unicodeSafe(String s) {
    StringBuilder b = new StringBuilder();
    int run = 0;
    for (char c : s.toCharArray()) {
      if (c == 'u' && run % 2 == 1) b.append('\\');
      run = c == '\\' ? run + 1 : 0;
      b.append(c);
    }
    return b.toString();
  }
}
