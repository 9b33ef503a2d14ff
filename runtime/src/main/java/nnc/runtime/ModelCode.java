package nnc.runtime;

/**
 * The code of a compiled model, as the compiler generates it: one class per model, with a public
 * no-argument constructor. Entry points (inference, the training step) are numbered in the order
 * of the model's manifest.
 */
public interface ModelCode {
  /**
   * Runs entry point {@code entry} over the parameter arena {@code p} (shared, persistent) and
   * the workspace {@code m} (one per call), with the run-time table {@code rt} holding the
   * symbolic dimensions and buffer offsets of this call.
   */
  void call(int entry, float[] p, float[] m, int[] rt);
}
