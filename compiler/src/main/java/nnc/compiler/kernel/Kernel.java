package nnc.compiler.kernel;

import java.util.List;

/**
 * One loop nest, emitted as its own static method {@code static void NAME(float[] p, float[] m,
 * int[] rt)}: small methods are what C2 compiles (it skips methods over 8000 bytes of bytecode).
 *
 * @param name the method name, a Java identifier
 * @param describe what it computes, one line: the IR node (e.g. {@code %12 = matmul %4 %7}), its
 *     source span and, for backward code, the gradient rule that produced it
 * @param kind a short category for reports (elementwise, matmul, reduce, copy, ...)
 */
public record Kernel(String name, String describe, String kind, List<St> body) {
  public Kernel {
    body = List.copyOf(body);
  }
}
