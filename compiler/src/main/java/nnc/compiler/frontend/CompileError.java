package nnc.compiler.frontend;

import nnc.compiler.ir.Span;

/**
 * An error in the user's model, raised while elaborating one statement. The elaborator records
 * it and carries on with the next statement, so one run reports several independent errors.
 */
public final class CompileError extends RuntimeException {
  private final transient Span span;

  public CompileError(Span span, String message) {
    super(message, null, false, false);
    this.span = span;
  }

  public Span span() {
    return span;
  }

  public Diagnostic diagnostic() {
    return new Diagnostic(span, getMessage());
  }
}
