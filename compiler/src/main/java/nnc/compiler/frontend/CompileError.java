package nnc.compiler.frontend;

import nnc.compiler.ir.Span;

/**
 * An error in the user's model, raised while elaborating one statement. The elaborator records
 * it and carries on with the next statement, so one run reports several independent errors.
 */
public final class CompileError extends RuntimeException {
  /** The message of an error caused by an earlier, already reported one; it is never shown. */
  static final String FOLLOW_ON = "(follow-on error)";

  private final transient Span span;

  public CompileError(Span span, String message) {
    super(message, null, false, false);
    this.span = span;
  }

  public Span span() {
    return span;
  }

  /** Whether this error only follows from an error already reported. */
  public boolean isFollowOn() {
    return FOLLOW_ON.equals(getMessage());
  }

  public Diagnostic diagnostic() {
    return new Diagnostic(span, getMessage());
  }
}
