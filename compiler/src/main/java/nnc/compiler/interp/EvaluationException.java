package nnc.compiler.interp;

/** A run-time problem with the values given to a graph (a missing input, a wrong shape). */
public final class EvaluationException extends RuntimeException {
  public EvaluationException(String message) {
    super(message, null, false, false);
  }
}
