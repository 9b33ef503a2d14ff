package nnc.compiler.kernel;

import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.UnaryOp;

/**
 * Float expressions of the kernel IR. Every tensor of a compiled f32 model lives in a float
 * arena: i32 values (labels, indices) and bools (0 or 1) are stored as floats, exact below 2^24.
 * The scalar meaning of each op is its {@link UnaryOp}/{@link BinaryOp}, the same table the
 * interpreter uses; comparisons give 1 or 0.
 */
public sealed interface Fx {
  record Const(float value) implements Fx {}

  /** {@code space[index]}: a float from the parameter arena or the workspace. */
  record Load(Space space, Ix index) implements Fx {}

  /** A float local declared by {@link St.DeclareFloat} (or the accumulator of a reduction). */
  record Local(String name) implements Fx {}

  record Unary(UnaryOp op, Fx x) implements Fx {}

  record Binary(BinaryOp op, Fx a, Fx b) implements Fx {}

  /** {@code cond != 0 ? a : b}. */
  record Select(Fx cond, Fx a, Fx b) implements Fx {}

  /** An integer as a float: an iota coordinate, an argmax index, a symbolic dimension's size. */
  record FromInt(Ix value) implements Fx {}

  /** Truncation toward zero, {@code (float) (int) x}: i32 arithmetic and casts to i32. */
  record Trunc(Fx x) implements Fx {}

  static Fx c(float v) {
    return new Const(v);
  }
}
