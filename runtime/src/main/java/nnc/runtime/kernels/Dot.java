package nnc.runtime.kernels;

import static nnc.runtime.kernels.Gemm.L;
import static nnc.runtime.kernels.Gemm.ROWS;
import static nnc.runtime.kernels.Gemm.S;
import static jdk.incubator.vector.VectorOperators.ADD;

import jdk.incubator.vector.FloatVector;

/**
 * The dot form of {@link Gemm}: A is {@code [M, K]} and B is stored {@code [N, K]}, both
 * contiguous in k, and each element of C is a dot product: lane accumulators over the whole
 * vectors of k, summed across lanes ({@code reduceLanes}, a fixed order for a given vector
 * length), then the scalar k tail. Tiles of four rows by three columns
 * of C share their loads: seven vector loads per twelve fmas.
 */
final class Dot {
  private Dot() {}

  /** Columns of C per tile. */
  static final int COLS = 3;

  static void range(float[] a, int ao, float[] b, int bo, float[] c, int co, int n, int k, float alpha, boolean acc, int i0, int i1, int j0, int j1) {
    int kv = S.loopBound(k);
    int j = j0;
    for (; j + COLS <= j1; j += COLS) {
      int i = i0;
      for (; i + ROWS <= i1; i += ROWS) tile4x3(a, ao + i * k, b, bo + j * k, c, co + i * n + j, n, k, kv, alpha, acc);
      for (; i < i1; i++) for (int jj = j; jj < j + COLS; jj++) one(a, ao + i * k, b, bo + jj * k, c, co + i * n + jj, k, kv, alpha, acc);
    }
    for (; j < j1; j++) for (int i = i0; i < i1; i++) one(a, ao + i * k, b, bo + j * k, c, co + i * n + j, k, kv, alpha, acc);
  }

  private static void tile4x3(float[] a, int ai, float[] b, int bj, float[] c, int cij, int ldc, int k, int kv, float alpha, boolean acc) {
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
    finish(a, ai, b, bj, c, cij, k, kv, s00.reduceLanes(ADD), alpha, acc);
    finish(a, ai, b, b1, c, cij + 1, k, kv, s01.reduceLanes(ADD), alpha, acc);
    finish(a, ai, b, b2, c, cij + 2, k, kv, s02.reduceLanes(ADD), alpha, acc);
    finish(a, a1, b, bj, c, cij + ldc, k, kv, s10.reduceLanes(ADD), alpha, acc);
    finish(a, a1, b, b1, c, cij + ldc + 1, k, kv, s11.reduceLanes(ADD), alpha, acc);
    finish(a, a1, b, b2, c, cij + ldc + 2, k, kv, s12.reduceLanes(ADD), alpha, acc);
    finish(a, a2, b, bj, c, cij + 2 * ldc, k, kv, s20.reduceLanes(ADD), alpha, acc);
    finish(a, a2, b, b1, c, cij + 2 * ldc + 1, k, kv, s21.reduceLanes(ADD), alpha, acc);
    finish(a, a2, b, b2, c, cij + 2 * ldc + 2, k, kv, s22.reduceLanes(ADD), alpha, acc);
    finish(a, a3, b, bj, c, cij + 3 * ldc, k, kv, s30.reduceLanes(ADD), alpha, acc);
    finish(a, a3, b, b1, c, cij + 3 * ldc + 1, k, kv, s31.reduceLanes(ADD), alpha, acc);
    finish(a, a3, b, b2, c, cij + 3 * ldc + 2, k, kv, s32.reduceLanes(ADD), alpha, acc);
  }

  /** One element: the same lane accumulation and reduction as a tile's. */
  private static void one(float[] a, int ai, float[] b, int bj, float[] c, int cij, int k, int kv, float alpha, boolean acc) {
    FloatVector s = FloatVector.zero(S);
    for (int p = 0; p < kv; p += L) s = FloatVector.fromArray(S, b, bj + p).fma(FloatVector.fromArray(S, a, ai + p), s);
    finish(a, ai, b, bj, c, cij, k, kv, s.reduceLanes(ADD), alpha, acc);
  }

  /** Adds the scalar k tail [kv, k) to a reduced sum and writes the element. */
  private static void finish(float[] a, int ai, float[] b, int bj, float[] c, int cij, int k, int kv, float s, float alpha, boolean acc) {
    for (int p = kv; p < k; p++) s = Math.fma(b[bj + p], a[ai + p], s);
    Gemm.put(c, cij, s, alpha, acc);
  }
}
