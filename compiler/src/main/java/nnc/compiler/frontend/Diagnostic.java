package nnc.compiler.frontend;

import nnc.compiler.ir.Span;

/** One error in a model file, located at a span. */
public record Diagnostic(Span span, String message) {
  /**
   * The user-facing form: {@code file:line:col: error: message}, then the source line and a caret
   * under the span.
   */
  public String render(SourceText source) {
    StringBuilder sb = new StringBuilder(span.location()).append(": error: ").append(message);
    String line = source == null ? null : source.line(span.line());
    if (line != null) {
      sb.append('\n').append("  ").append(line.replace('\t', ' ')).append('\n').append("  ");
      int col = Math.max(1, span.column());
      sb.append(" ".repeat(Math.min(col - 1, line.length())));
      int width = Math.max(1, Math.min(span.length(), line.length() - col + 1));
      sb.append('^').append("~".repeat(Math.max(0, width - 1)));
    }
    return sb.toString();
  }
}
