package nnc.compiler.kernel;

/**
 * The two float arrays a compiled model works in. Parameters (and constants and optimizer state)
 * persist in {@code P} and are shared by all callers; every call gets its own workspace {@code M}
 * for inputs, intermediates, gradients and outputs, which is what makes one loaded model safe to
 * call from many threads.
 */
public enum Space {
  P, M
}
