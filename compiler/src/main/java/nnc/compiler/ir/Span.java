package nnc.compiler.ir;

/**
 * A region of a source file: 1-based line and column of its first character and its length in
 * characters on that line. Every node keeps the span of the expression that produced it.
 */
public record Span(String file, int line, int column, int length) {
  public static final Span NONE = new Span("<none>", 0, 0, 0);

  public boolean isKnown() {
    return line > 0;
  }

  /** {@code file:line:col}, the prefix of every diagnostic. */
  public String location() {
    return file + ":" + line + ":" + column;
  }

  /** The file name without directories, as shown in IR comments. */
  public String shortFile() {
    int slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
    return file.substring(slash + 1);
  }

  @Override
  public String toString() {
    return isKnown() ? shortFile() + ":" + line + ":" + column : "?";
  }
}
