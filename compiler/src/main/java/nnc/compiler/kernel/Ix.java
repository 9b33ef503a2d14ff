package nnc.compiler.kernel;

/**
 * Integer expressions of the kernel IR: indices into the arenas, loop bounds, and offsets. The
 * run-time table {@code rt} (see {@link Program}) supplies the values known only when a model is
 * called: the symbolic dimensions (the batch) and the arena offset of every buffer.
 */
public sealed interface Ix {
  record Const(int value) implements Ix {}

  /** A loop variable or an int local declared by {@link St.DeclareInt}. */
  record Var(String name) implements Ix {}

  /** {@code rt[slot]}: a dimension or a buffer offset known at call time. */
  record Rt(int slot) implements Ix {}

  record Add(Ix a, Ix b) implements Ix {}

  record Mul(Ix a, Ix b) implements Ix {}

  /** Integer division (truncating); used to split a flat index into coordinates. */
  record Div(Ix a, Ix b) implements Ix {}

  record Rem(Ix a, Ix b) implements Ix {}

  /** {@code (int) value}: a float that holds an index (labels, gather indices, argmax results). */
  record FromFloat(Fx value) implements Ix {}

  static Ix c(int v) {
    return new Const(v);
  }

  static Ix v(String name) {
    return new Var(name);
  }

  /** a + b, folding constants so that emitted index arithmetic stays small. */
  static Ix add(Ix a, Ix b) {
    if (a instanceof Const ca && ca.value() == 0) return b;
    if (b instanceof Const cb && cb.value() == 0) return a;
    if (a instanceof Const ca && b instanceof Const cb) return new Const(ca.value() + cb.value());
    return new Add(a, b);
  }

  /** a * b, folding constants and multiplications by 0 and 1. */
  static Ix mul(Ix a, Ix b) {
    if (a instanceof Const ca) {
      if (ca.value() == 0) return ca;
      if (ca.value() == 1) return b;
      if (b instanceof Const cb) return new Const(ca.value() * cb.value());
    }
    if (b instanceof Const cb) {
      if (cb.value() == 0) return cb;
      if (cb.value() == 1) return a;
    }
    return new Mul(a, b);
  }
}
