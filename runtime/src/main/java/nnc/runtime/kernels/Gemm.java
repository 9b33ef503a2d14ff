package nnc.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix products over the flat arenas of compiled models, called from
 * generated code: {@code C = alpha * op(A) op(B)}, or {@code C += alpha * op(A) op(B)}, where
 * {@code op(X)} is X or its transpose. All matrices are dense and row-major at an offset: A is
 * {@code [M, K]} ({@code [K, M]} with {@link #TRANS_A}), B is {@code [K, N]} ({@code [N, K]} with
 * {@link #TRANS_B}), C is {@code [M, N]}.
 *
 * <p>Two register-blocked forms, both over whole {@link FloatVector}s with zero-padded or scalar
 * tails (masked vector operations in these loops were measured 10-100x slower on this JDK):
 *
 * <ul>
 *   <li><b>axpy</b>, when B's rows run along N: a tile of six (or {@link #ROWS}) rows by four
 *       vectors of C is held in 24 (16) accumulators while k runs, each step broadcasting one
 *       element of A per row and loading four vectors of one row of B. The
 *       column panel of B a tile reads (packed, for tall C) stays in cache while the row blocks of
 *       A pass over it. A transposed A costs nothing here: the broadcast elements are then
 *       adjacent in memory.
 *   <li><b>dot</b>, when B is transposed (the input gradient {@code G W^T}, W stored
 *       {@code [K, N]}) and C is short: rows of A and rows of the stored B are both contiguous in
 *       k, so a 4 x 3 tile of C is twelve vector dot products, summed across lanes at the end.
 *       For a short k (under {@link #DOT_MIN_K}) B is transposed into a scratch array instead and
 *       the axpy form runs; for a tall C (from {@link #PACK_TRANSPOSED_MIN_ROWS} rows) the axpy
 *       form computes {@code C^T = B A^T} (B as stored is then the broadcast operand, only A is
 *       packed) while A and C are small beside B, else packs each panel from the transposed B.
 * </ul>
 *
 * <p><b>Determinism.</b> Every element of C is computed by the same sequence of float operations
 * whatever tile, tail or thread computes it: in the axpy form one fused multiply-add per k in
 * increasing k from zero (zero-padded vectors for the last columns); in the dot form one lane
 * accumulator per {@code k mod L}, reduced by {@code reduceLanes}, then the scalar k tail. So
 * splitting the work between threads ({@link Workers}) gives bit-identical results, and the scale
 * is applied once at the end: {@code c = acc * alpha} or {@code c = fma(acc, alpha, c)}.
 */
public final class Gemm {
  private Gemm() {}

  /** A is stored transposed, {@code [K, M]}. */
  public static final int TRANS_A = 1;
  /** B is stored transposed, {@code [N, K]}. */
  public static final int TRANS_B = 2;
  /** Add the product to C instead of overwriting it. */
  public static final int ACCUMULATE = 4;

  /** Internal: the dot form was chosen (B stored [N, K], A [M, K]). */
  static final int DOT = 8;

  static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  static final int L = S.length();
  /** Rows of C per register tile. */
  static final int ROWS = 4;
  /** Columns of C per register tile in the axpy form: four vectors. */
  static final int COLS = 4 * L;
  /** Below this inner dimension a transposed B is copied rather than multiplied in dot form. */
  static final int DOT_MIN_K = 4 * L;
  /**
   * From this many rows of C a transposed B is packed (transposed) panel by panel for the axpy
   * form, which then outruns the dot form; below, the packing would cost more than it saves.
   */
  static final int PACK_TRANSPOSED_MIN_ROWS = 32;
  /** Multiply-adds below which a product runs on the calling thread alone. */
  static final long PARALLEL_MIN = 1 << 17;

  /** Scratch arrays per calling thread (grown, never shrunk): a transposed operand, a transposed result. */
  private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

  /**
   * {@code C (+)= alpha * op(A) op(B)} with the layouts of the class comment; {@code flags} is a
   * sum of {@link #TRANS_A}, {@link #TRANS_B} and {@link #ACCUMULATE}. Uses the workers bound to
   * the calling thread ({@link Workers#bind}) when the product is large enough.
   */
  public static void gemm(float[] a, int ao, float[] b, int bo, float[] c, int co, int m, int n, int k, int flags, float alpha) {
    if (m <= 0 || n <= 0) return;
    boolean transA = (flags & TRANS_A) != 0, transB = (flags & TRANS_B) != 0;
    // --- batch-1 rows (Gemv, issue #8): one row of C streams B in storage order; same results. ---
    if (m == 1 && Gemv.gemv(a, ao, b, bo, c, co, n, k, flags, alpha, !transA && k >= DOT_MIN_K)) return;
    // --- end Gemv dispatch ---
    if (transB && m < PACK_TRANSPOSED_MIN_ROWS && !transA && k >= DOT_MIN_K) {
      run(a, ao, b, bo, c, co, m, n, k, flags | DOT, alpha);
    } else if (transB && m < PACK_TRANSPOSED_MIN_ROWS) {
      // No dot form (A not contiguous in k, or k too short to fill vectors): B to [K, N], axpy form.
      float[] t = scratch(0, k * n);
      transpose(b, bo, n, k, t);
      run(a, ao, t, 0, c, co, m, n, k, flags & ~TRANS_B, alpha);
    } else if (!transB && n < L && !transA && k >= DOT_MIN_K) {
      // A narrow C (the last layer's logits): B to [N, K], dot form, instead of scalar columns.
      float[] t = scratch(0, k * n);
      transpose(b, bo, k, n, t);
      run(a, ao, t, 0, c, co, m, n, k, flags | TRANS_B | DOT, alpha);
    } else if (!transB && n < L && transA && m >= 2 * L) {
      // A narrow C from a transposed A (the last layer's weight gradient, k = the batch): C^T =
      // B^T A is an axpy product with m wide columns, written back transposed.
      float[] t = scratch(1, m * n);
      run(b, bo, a, ao, t, 0, n, m, k, TRANS_A, 1f);
      putTransposed(t, n, m, c, co, alpha, (flags & ACCUMULATE) != 0);
    } else if (transB && 2L * m * (k + n) <= (long) n * k) {
      // A tall C from a transposed B (the input gradient G W^T, W stored [N, K]): C^T = B A^T is
      // an axpy product whose broadcast operand is the stored B itself (rows contiguous in k) and
      // whose packed panels come from A, so only A's m x k and the result's m x n are moved,
      // not all of B's n x k (packing B transposed, element by element, was a third of the time
      // at m = 64). It pays while those moves are well under B's (measured: 1.25x at 64 x 784 x
      // 500, 1.4x at 64 x 1024 x 1024; 4x slower at 64 x 500 x 10, equal at 256 x 784 x 500).
      // Each element is still one fma per k in increasing k from zero.
      float[] t = scratch(1, m * n);
      run(b, bo, a, ao, t, 0, n, m, k, transA ? 0 : TRANS_B, 1f);
      putTransposed(t, n, m, c, co, alpha, (flags & ACCUMULATE) != 0);
    } else {
      // The axpy form.
      run(a, ao, b, bo, c, co, m, n, k, flags, alpha);
    }
  }

  /** {@code C[i, j] (+)= alpha * t[j, i]}: t is [rows, cols] and C is [cols, rows], in cache-sized blocks. */
  private static void putTransposed(float[] t, int rows, int cols, float[] c, int co, float alpha, boolean acc) {
    final int block = 32;
    for (int i0 = 0; i0 < cols; i0 += block) {
      int i1 = Math.min(cols, i0 + block);
      for (int j0 = 0; j0 < rows; j0 += block) {
        int j1 = Math.min(rows, j0 + block);
        for (int i = i0; i < i1; i++) {
          int to = co + i * rows;
          for (int j = j0; j < j1; j++) put(c, to + j, t[j * cols + i], alpha, acc);
        }
      }
    }
  }

  /** The product in the chosen form, split between the bound workers when it is large enough. */
  private static void run(float[] a, int ao, float[] b, int bo, float[] c, int co, int m, int n, int k, int flags, float alpha) {
    Workers w = Workers.current();
    if (w != null && (long) m * n * k >= PARALLEL_MIN && w.gemm(a, ao, b, bo, c, co, m, n, k, flags, alpha)) return;
    range(a, ao, b, bo, c, co, m, n, k, flags, alpha, 0, m, 0, n);
  }

  /** Rows [i0, i1) and columns [j0, j1) of the product; the unit of work of one thread. */
  static void range(float[] a, int ao, float[] b, int bo, float[] c, int co, int m, int n, int k, int flags, float alpha, int i0, int i1, int j0, int j1) {
    boolean acc = (flags & ACCUMULATE) != 0, transB = (flags & TRANS_B) != 0;
    if ((flags & DOT) != 0) {
      Dot.range(a, ao, b, bo, c, co, n, k, alpha, acc, i0, i1, j0, j1);
      return;
    }
    // A(i, k) is at a[ao + i * si + k * sk].
    int si = (flags & TRANS_A) != 0 ? 1 : k, sk = (flags & TRANS_A) != 0 ? m : 1;
    Axpy.range(a, ao, si, sk, b, bo, transB, c, co, n, k, alpha, acc, i0, i1, j0, j1);
  }

  /** How to split m x n between {@code parts} threads: along N in whole column tiles, else along M. */
  static boolean splitColumns(int m, int n) {
    return n >= 2 * COLS || n >= m;
  }

  private static float[] scratch(int which, int size) {
    float[][] holder = SCRATCH.get();
    if (holder[which].length < size) holder[which] = new float[size];
    return holder[which];
  }

  /** {@code t[c * rows + r] = x[xo + r * cols + c]}: a row-major [rows, cols] matrix to [cols, rows]. */
  static void transpose(float[] x, int xo, int rows, int cols, float[] t) {
    for (int r = 0; r < rows; r++) {
      int from = xo + r * cols;
      for (int col = 0; col < cols; col++) t[col * rows + r] = x[from + col];
    }
  }

  /** The final write of one accumulated element; the vector tiles do the same lane-wise. */
  static void put(float[] c, int at, float v, float alpha, boolean acc) {
    c[at] = acc ? Math.fma(v, alpha, c[at]) : v * alpha;
  }

}
