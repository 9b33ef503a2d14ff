package nnc.compiler.kernel;

import java.util.List;
import nnc.compiler.ir.ReduceOp;

/**
 * Statements of the kernel IR: loops over flat buffers. Two loop forms carry the vectorization
 * contract that both emitters share ({@link Vectorizer}): an {@link ElementLoop} whose stores and
 * loads move with unit or zero stride in its variable becomes a Vector API loop plus a scalar
 * tail; a {@link ReduceLoop} likewise becomes a lane-wise accumulation reduced at the end.
 */
public sealed interface St {
  /** {@code for (int var = lo; var < hi; var++) body}. */
  record Loop(String var, Ix lo, Ix hi, List<St> body) implements St {
    public Loop {
      body = List.copyOf(body);
    }
  }

  /**
   * Independent stores for each {@code var} in [lo, hi): the data-parallel inner loop. Contract
   * (the lowering guarantees it, the emitters rely on it): no iteration reads an element that
   * another iteration of the same loop writes, so running the stores a vector at a time computes
   * what running them element by element does. Locals declared inside a loop are not read after it.
   */
  record ElementLoop(String var, Ix lo, Ix hi, List<Store> body) implements St {
    public ElementLoop {
      body = List.copyOf(body);
    }
  }

  /** {@code acc = op(acc, value(var))} for var in [lo, hi); acc is a float local declared before. */
  record ReduceLoop(String var, Ix lo, Ix hi, String acc, ReduceOp op, Fx value) implements St {}

  /** {@code space[index] = value}, or {@code space[index] += value} when accumulating. */
  record Store(Space space, Ix index, Fx value, boolean accumulate) implements St {}

  record DeclareFloat(String name, Fx init) implements St {}

  record SetFloat(String name, Fx value) implements St {}

  record DeclareInt(String name, Ix init) implements St {}

  /**
   * {@code C = alpha * op(A) op(B)}, or {@code C += alpha * op(A) op(B)} with {@code accumulate}:
   * a call of the runtime's register-blocked kernel {@code nnc.runtime.kernels.Gemm.gemm}, whose
   * meaning is the triple loop the {@link KernelInterpreter} runs (the kernel may differ from it
   * by the rounding of fused multiply-adds). Each matrix is dense and row-major at an offset of
   * its arena: A is {@code [m, k]} ({@code [k, m]} stored when {@code transA}), B is {@code [k,
   * n]} ({@code [n, k]} when {@code transB}), C is {@code [m, n]}; C overlaps neither A nor B.
   */
  record Gemm(Space aSpace, Ix a, Space bSpace, Ix b, Space cSpace, Ix c, Ix m, Ix n, Ix k,
      boolean transA, boolean transB, boolean accumulate, Fx alpha) implements St {
    /** The flags argument of the runtime kernel (its TRANS_A, TRANS_B and ACCUMULATE bits). */
    public int flags() {
      return (transA ? 1 : 0) | (transB ? 2 : 0) | (accumulate ? 4 : 0);
    }
  }

  /**
   * {@code C (+)= alpha * sum over t < batch of op(A_t) op(B_t)}, where A_t starts at {@code
   * gemm.a() + t * aStride} and B_t at {@code gemm.b() + t * bStride}, each as in {@link Gemm}: a
   * call of {@code nnc.runtime.kernels.GemmSum.gemmSum}, for a batched product summed over its
   * batch axis (a convolution's weight gradient) without storing the batch of products. Its
   * meaning is the loop the {@link KernelInterpreter} runs: each element one float sum over t,
   * then over k.
   */
  record GemmSum(Gemm gemm, Ix batch, Ix aStride, Ix bStride) implements St {}

  /** Carried into the generated Java source (and ignored by the bytecode emitter). */
  record Comment(String text) implements St {}
}
