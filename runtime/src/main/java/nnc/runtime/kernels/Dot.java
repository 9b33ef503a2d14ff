package nnc.runtime.kernels;

import static nnc.runtime.kernels.Gemm.L;
import static nnc.runtime.kernels.Gemm.ROWS;
import static nnc.runtime.kernels.Gemm.S;

import jdk.incubator.vector.FloatVector;

/**
 * The dot form of {@link Gemm}: A is {@code [M, K]} and B is stored {@code [N, K]}, both
 * contiguous in k, and each element of C is a dot product: lane accumulators over the whole
 * vectors of k, summed across lanes in lane order, then the scalar k tail. Tiles of four rows by three columns
 * of C share their loads: seven vector loads per twelve fmas.
 */
final class Dot {
  private Dot() {}

  /**
   * Where a tile's accumulators are spilled to be summed lane by lane. Not {@code reduceLanes}: its
   * order is unspecified and differs between the interpreter and C2 (one ulp, measured), which
   * made results depend on how warm the JIT was.
   */
  private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[12 * L]);

  /** Columns of C per tile. */
  static final int COLS = 3;

  static void range(float[] a, int ao, float[] b, int bo, float[] c, int co, int n, int k, float alpha, boolean acc, int i0, int i1, int j0, int j1) {
    int kv = S.loopBound(k);
    float[] lanes = LANES.get();
    int j = j0;
    for (; j + COLS <= j1; j += COLS) {
      int i = i0;
      for (; i + ROWS <= i1; i += ROWS) tile4x3(a, ao + i * k, b, bo + j * k, c, co + i * n + j, n, k, kv, alpha, acc, lanes);
      for (; i < i1; i++) for (int jj = j; jj < j + COLS; jj++) one(a, ao + i * k, b, bo + jj * k, c, co + i * n + jj, k, kv, alpha, acc, lanes);
    }
    for (; j < j1; j++) for (int i = i0; i < i1; i++) one(a, ao + i * k, b, bo + j * k, c, co + i * n + j, k, kv, alpha, acc, lanes);
  }

  private static void tile4x3(float[] a, int ai, float[] b, int bj, float[] c, int cij, int ldc, int k, int kv, float alpha, boolean acc, float[] lanes) {
    FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00;
    FloatVector s10 = s00, s11 = s00, s12 = s00;
    FloatVector s20 = s00, s21 = s00, s22 = s00;
    FloatVector s30 = s00, s31 = s00, s32 = s00;
    int a1 = ai + k, a2 = ai + 2 * k, a3 = ai + 3 * k, b1 = bj + k, b2 = bj + 2 * k;
    for (int p = 0; p < kv; p += L) {
      FloatVector y0 = FloatVector.fromArray(S, b, bj + p);
      FloatVector y1 = FloatVector.fromArray(S, b, b1 + p);
      FloatVector y2 = FloatVector.fromArray(S, b, b2 + p);
      FloatVector x = FloatVector.fromArray(S, a, ai + p);
      s00 = y0.fma(x, s00);
      s01 = y1.fma(x, s01);
      s02 = y2.fma(x, s02);
      x = FloatVector.fromArray(S, a, a1 + p);
      s10 = y0.fma(x, s10);
      s11 = y1.fma(x, s11);
      s12 = y2.fma(x, s12);
      x = FloatVector.fromArray(S, a, a2 + p);
      s20 = y0.fma(x, s20);
      s21 = y1.fma(x, s21);
      s22 = y2.fma(x, s22);
      x = FloatVector.fromArray(S, a, a3 + p);
      s30 = y0.fma(x, s30);
      s31 = y1.fma(x, s31);
      s32 = y2.fma(x, s32);
    }
    s00.intoArray(lanes, 0 * L);
    s01.intoArray(lanes, 1 * L);
    s02.intoArray(lanes, 2 * L);
    s10.intoArray(lanes, 3 * L);
    s11.intoArray(lanes, 4 * L);
    s12.intoArray(lanes, 5 * L);
    s20.intoArray(lanes, 6 * L);
    s21.intoArray(lanes, 7 * L);
    s22.intoArray(lanes, 8 * L);
    s30.intoArray(lanes, 9 * L);
    s31.intoArray(lanes, 10 * L);
    s32.intoArray(lanes, 11 * L);
    finish(a, ai, b, bj, c, cij, k, kv, sum(lanes, 0), alpha, acc);
    finish(a, ai, b, b1, c, cij + 1, k, kv, sum(lanes, 1), alpha, acc);
    finish(a, ai, b, b2, c, cij + 2, k, kv, sum(lanes, 2), alpha, acc);
    finish(a, a1, b, bj, c, cij + ldc, k, kv, sum(lanes, 3), alpha, acc);
    finish(a, a1, b, b1, c, cij + ldc + 1, k, kv, sum(lanes, 4), alpha, acc);
    finish(a, a1, b, b2, c, cij + ldc + 2, k, kv, sum(lanes, 5), alpha, acc);
    finish(a, a2, b, bj, c, cij + 2 * ldc, k, kv, sum(lanes, 6), alpha, acc);
    finish(a, a2, b, b1, c, cij + 2 * ldc + 1, k, kv, sum(lanes, 7), alpha, acc);
    finish(a, a2, b, b2, c, cij + 2 * ldc + 2, k, kv, sum(lanes, 8), alpha, acc);
    finish(a, a3, b, bj, c, cij + 3 * ldc, k, kv, sum(lanes, 9), alpha, acc);
    finish(a, a3, b, b1, c, cij + 3 * ldc + 1, k, kv, sum(lanes, 10), alpha, acc);
    finish(a, a3, b, b2, c, cij + 3 * ldc + 2, k, kv, sum(lanes, 11), alpha, acc);
  }

  /** One element: the same lane accumulation and reduction as a tile's. */
  private static void one(float[] a, int ai, float[] b, int bj, float[] c, int cij, int k, int kv, float alpha, boolean acc, float[] lanes) {
    FloatVector s = FloatVector.zero(S);
    for (int p = 0; p < kv; p += L) s = FloatVector.fromArray(S, b, bj + p).fma(FloatVector.fromArray(S, a, ai + p), s);
    s.intoArray(lanes, 0);
    finish(a, ai, b, bj, c, cij, k, kv, sum(lanes, 0), alpha, acc);
  }

  /** The lanes of spilled accumulator {@code which}, summed in lane order. */
  private static float sum(float[] lanes, int which) {
    float s = 0;
    for (int l = which * L, end = l + L; l < end; l++) s += lanes[l];
    return s;
  }

  /** Adds the scalar k tail [kv, k) to a reduced sum and writes the element. */
  private static void finish(float[] a, int ai, float[] b, int bj, float[] c, int cij, int k, int kv, float s, float alpha, boolean acc) {
    for (int p = kv; p < k; p++) s = Math.fma(b[bj + p], a[ai + p], s);
    Gemm.put(c, cij, s, alpha, acc);
  }
}
