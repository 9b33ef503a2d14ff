package nnc.compiler.ir;

/**
 * One dimension of a tensor shape: a fixed size, or a named symbolic size (the batch) that is
 * bound when the graph runs. Two symbolic dimensions are the same dimension iff their names are
 * equal, which is what lets shape rules check {@code [B,784] @ [784,500]} at compile time.
 */
public sealed interface Dim {
  record Fixed(int size) implements Dim {
    public Fixed {
      if (size < 0) throw new IllegalArgumentException("negative dimension " + size);
    }

    @Override
    public String toString() {
      return Integer.toString(size);
    }
  }

  record Sym(String name) implements Dim {
    @Override
    public String toString() {
      return name;
    }
  }

  static Dim of(int size) {
    return new Fixed(size);
  }

  static Dim sym(String name) {
    return new Sym(name);
  }

  default boolean isOne() {
    return this instanceof Fixed f && f.size() == 1;
  }
}
