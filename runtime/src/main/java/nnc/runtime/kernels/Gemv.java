package nnc.runtime.kernels;

import static nnc.runtime.kernels.Gemm.L;
import static nnc.runtime.kernels.Gemm.S;

import jdk.incubator.vector.FloatVector;

/**
 * Single-row products {@code c (+)= alpha * a B} ({@code a} one row of K, B {@code [K, N]}
 * row-major): the layers of a batch-1 inference call. They are bound by reading B once (the
 * 784 x 500 weights of an MLP layer are 1.5 MB, L2-resident at best), so the loop order is chosen
 * for the memory system, not for registers:
 *
 * <ul>
 *   <li><b>wide</b> (N at least one vector): B is read row after row, four rows at a time, in
 *       its storage order (one sequential stream for the prefetcher), and the N accumulators live
 *       in a small per-thread array (L1). {@link Gemm}'s axpy tiles read a 48-column panel down
 *       all K rows instead (a 2 KB stride per row): ~45 us for 784 x 500 where this takes ~15.
 *   <li><b>narrow</b> (N under one vector, the logits): {@link Gemm} would transpose B into a
 *       scratch array on every call for its dot form; this computes the dot form's lane
 *       accumulators straight from B's rows.
 * </ul>
 *
 * <p><b>Bit-identical to {@link Gemm}.</b> Each element goes through exactly the float operations
 * Gemm's form for that shape would apply: wide, one fma per k in increasing k from zero (the
 * columns past the last whole vector are scalar fma chains, which is what Gemm's zero-padded
 * lanes compute), then {@code acc * alpha} or {@code fma(acc, alpha, c)}; narrow, one accumulator
 * per {@code k mod L} over the whole vectors of k, summed in lane order from zero, then the scalar
 * k tail, as {@link Dot} does.
 */
final class Gemv {
  private Gemv() {}

  /** Rows of B per pass over the accumulators: each accumulator load and store serves four fmas. */
  private static final int KB = 4;

  /**
   * Internal flag of a wide row product split between {@link Workers}: each thread streams the
   * rows of its own share of B's columns (whole vectors), which then stays in that core's cache
   * from call to call, halving the bytes one core reads per call.
   */
  static final int SPLIT = 16;

  /** Part {@code part} of {@code parts} of a {@link #SPLIT} product: a share of whole column vectors. */
  static void part(float[] a, int ao, float[] b, int bo, float[] c, int co, int n, int k, int flags, float alpha, int part, int parts) {
    int vectors = (n + L - 1) / L;
    int j0 = Math.min(n, vectors * part / parts * L), j1 = Math.min(n, vectors * (part + 1) / parts * L);
    if (j0 < j1) wide(a, ao, b, bo, c, co, n, k, alpha, (flags & Gemm.ACCUMULATE) != 0, j0, j1);
  }

  /** The accumulators, per thread (grown, never shrunk). */
  private static final ThreadLocal<float[][]> ACC = ThreadLocal.withInitial(() -> new float[1][0]);

  /**
   * Computes the product when it is a single row this class handles (B not transposed; a one-row
   * A is the same with or without {@link Gemm#TRANS_A}) and returns true; false leaves it to the
   * caller. {@code narrowDot} says Gemm would use its dot form for a narrow N (K long enough).
   */
  static boolean gemv(float[] a, int ao, float[] b, int bo, float[] c, int co, int n, int k, int flags, float alpha, boolean narrowDot) {
    if ((flags & Gemm.TRANS_B) != 0 || k <= 0) return false;
    boolean acc = (flags & Gemm.ACCUMULATE) != 0;
    if (n >= L) {
      Workers w = Workers.current();
      if (w == null || (long) n * k < Gemm.PARALLEL_MIN || n < 2 * L || !w.gemm(a, ao, b, bo, c, co, 1, n, k, flags | SPLIT, alpha)) {
        wide(a, ao, b, bo, c, co, n, k, alpha, acc, 0, n);
      }
      return true;
    }
    if (narrowDot) {
      narrow(a, ao, b, bo, c, co, n, k, alpha, acc);
      return true;
    }
    return false;
  }

  private static float[] accumulators(int size) {
    float[][] holder = ACC.get();
    if (holder[0].length < size) holder[0] = new float[size];
    float[] t = holder[0];
    java.util.Arrays.fill(t, 0, size, 0f);
    return t;
  }

  /** Columns [j0, j1) of the wide form; j0 is a multiple of the vector length. */
  private static void wide(float[] a, int ao, float[] b, int bo, float[] c, int co, int n, int k, float alpha, boolean acc, int j0, int j1) {
    int w = j1 - j0, wv = w - w % L;
    float[] t = accumulators(w);
    int bj = bo + j0;
    int p = 0;
    for (; p + KB <= k; p += KB) {
      FloatVector x0 = FloatVector.broadcast(S, a[ao + p]), x1 = FloatVector.broadcast(S, a[ao + p + 1]);
      FloatVector x2 = FloatVector.broadcast(S, a[ao + p + 2]), x3 = FloatVector.broadcast(S, a[ao + p + 3]);
      int r0 = bj + p * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      for (int j = 0; j < wv; j += L) {
        FloatVector s = FloatVector.fromArray(S, t, j);
        s = FloatVector.fromArray(S, b, r0 + j).fma(x0, s);
        s = FloatVector.fromArray(S, b, r1 + j).fma(x1, s);
        s = FloatVector.fromArray(S, b, r2 + j).fma(x2, s);
        s = FloatVector.fromArray(S, b, r3 + j).fma(x3, s);
        s.intoArray(t, j);
      }
      for (int j = wv; j < w; j++) {
        float s = t[j];
        s = Math.fma(b[r0 + j], a[ao + p], s);
        s = Math.fma(b[r1 + j], a[ao + p + 1], s);
        s = Math.fma(b[r2 + j], a[ao + p + 2], s);
        s = Math.fma(b[r3 + j], a[ao + p + 3], s);
        t[j] = s;
      }
    }
    for (; p < k; p++) {
      FloatVector x = FloatVector.broadcast(S, a[ao + p]);
      int r = bj + p * n;
      for (int j = 0; j < wv; j += L) FloatVector.fromArray(S, b, r + j).fma(x, FloatVector.fromArray(S, t, j)).intoArray(t, j);
      for (int j = wv; j < w; j++) t[j] = Math.fma(b[r + j], a[ao + p], t[j]);
    }
    FloatVector al = FloatVector.broadcast(S, alpha);
    int cj = co + j0;
    for (int j = 0; j < wv; j += L) {
      FloatVector s = FloatVector.fromArray(S, t, j);
      (acc ? s.fma(al, FloatVector.fromArray(S, c, cj + j)) : s.mul(al)).intoArray(c, cj + j);
    }
    for (int j = wv; j < w; j++) Gemm.put(c, cj + j, t[j], alpha, acc);
  }

  /**
   * Dot form without the transpose: lane accumulator l of column j, {@code t[l * n + j]}, takes the
   * k with {@code k mod L == l}. Within one block of L rows, B's rows are contiguous, so the block
   * is {@code L * n} consecutive floats matched element by element with the accumulators.
   */
  private static void narrow(float[] a, int ao, float[] b, int bo, float[] c, int co, int n, int k, float alpha, boolean acc) {
    int kv = S.loopBound(k), block = L * n;
    float[] t = accumulators(block);
    for (int p = 0; p < kv; p += L) {
      int r = bo + p * n;
      for (int l = 0, at = 0; l < L; l++) {
        float x = a[ao + p + l];
        for (int j = 0; j < n; j++, at++) t[at] = Math.fma(b[r + at], x, t[at]);
      }
    }
    for (int j = 0; j < n; j++) {
      float s = 0;
      for (int l = 0; l < L; l++) s += t[l * n + j];
      for (int p = kv; p < k; p++) s = Math.fma(b[bo + p * n + j], a[ao + p], s);
      Gemm.put(c, co + j, s, alpha, acc);
    }
  }
}
