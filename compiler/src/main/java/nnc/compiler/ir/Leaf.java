package nnc.compiler.ir;

import java.util.Arrays;
import java.util.List;
import nnc.runtime.DType;
import nnc.runtime.init.Initializer;

/** Nodes without operands: the graph's inputs, parameters, constants and index helpers. */
public final class Leaf {
  private Leaf() {}

  /** A value fed at run time, e.g. {@code input x : f32[B,784]}. */
  public record Input(String name, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of();
    }

    @Override
    public String opName() {
      return "input";
    }

    @Override
    public String attributes() {
      return name;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Input i && name.equals(i.name) && type.equals(i.type);
    }

    @Override
    public int hashCode() {
      return name.hashCode();
    }
  }

  /** A trainable parameter with its initializer, e.g. {@code param W1 : f32[784,500] = normal(0, 0.1)}. */
  public record Param(String name, TensorType type, Initializer init, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of();
    }

    @Override
    public String opName() {
      return "param";
    }

    @Override
    public String attributes() {
      return name + " = " + init.describe();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Param p && name.equals(p.name) && type.equals(p.type) && init.equals(p.init);
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 17;
    }
  }

  /**
   * Non-trainable model state with its initial value, e.g. {@code state running_mean : f32[64] =
   * zeros} (PyTorch's registered buffers): read like a parameter, but never differentiated with
   * respect to, never given optimizer state or weight decay. It changes only through the state
   * updates of the training step ({@link TrainSpec#stateUpdates}), and is saved in checkpoints.
   */
  public record State(String name, TensorType type, Initializer init, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of();
    }

    @Override
    public String opName() {
      return "state";
    }

    @Override
    public String attributes() {
      return name + " = " + init.describe();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof State p && name.equals(p.name) && type.equals(p.type) && init.equals(p.init);
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 19;
    }
  }

  /**
   * A literal tensor. Scalars (one value, shape []) are the common case; they broadcast in
   * elementwise ops, so no constant is ever expanded to a full tensor.
   */
  public record Constant(Literal value, TensorType type, Meta meta) implements Node {
    public Constant {
      if (value.values().length != (type.shape().isStatic() ? type.shape().staticSize() : -1)) {
        throw new IrException("constant: " + value.values().length + " values for shape " + type.shape());
      }
    }

    public boolean isScalar() {
      return type.rank() == 0;
    }

    /** The value of a scalar constant. */
    public double scalar() {
      return value.values()[0];
    }

    @Override
    public List<Node> inputs() {
      return List.of();
    }

    @Override
    public String opName() {
      return "const";
    }

    @Override
    public String attributes() {
      return value.toString();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Constant c && type.equals(c.type) && value.equals(c.value);
    }

    @Override
    public int hashCode() {
      return value.hashCode() * 31 + type.hashCode();
    }
  }

  /** Constant values, compared by content (an array in a record would compare by identity). */
  public record Literal(double[] values) {
    public Literal {
      values = values.clone();
    }

    @Override
    public double[] values() {
      return values.clone();
    }

    public double get(int i) {
      return values[i];
    }

    public int length() {
      return values.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Literal l && Arrays.equals(values, l.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
      if (values.length == 1) return format(values[0]);
      StringBuilder sb = new StringBuilder("[");
      for (int i = 0; i < values.length; i++) {
        if (i > 0) sb.append(", ");
        if (i == 8 && values.length > 10) {
          sb.append("... ").append(values.length - 8).append(" more");
          break;
        }
        sb.append(format(values[i]));
      }
      return sb.append("]").toString();
    }

    /** Shortest text that reads back to the same double; integers print without ".0". */
    public static String format(double v) {
      if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
      return Double.toString(v);
    }
  }

  /** The run-time size of a symbolic dimension as a scalar (used by {@code mean} over the batch). */
  public record DimSize(String dim, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of();
    }

    @Override
    public String opName() {
      return "dimsize";
    }

    @Override
    public String attributes() {
      return dim;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof DimSize d && dim.equals(d.dim) && type.equals(d.type);
    }

    @Override
    public int hashCode() {
      return dim.hashCode() * 7 + type.hashCode();
    }
  }

  /**
   * Fresh uniform random numbers in [0, 1) for every call of a training step (the randomness of
   * dropout). The runtime fills it from a seeded generator whose state goes into checkpoints; the
   * interpreter takes it like an input, named {@code noise.ID}.
   */
  public record Noise(int id, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of();
    }

    @Override
    public String opName() {
      return "noise";
    }

    @Override
    public String attributes() {
      return name();
    }

    /** The name under which its values are fed: {@code noise.3}. */
    public String name() {
      return "noise." + id;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Noise n && id == n.id && type.equals(n.type);
    }

    @Override
    public int hashCode() {
      return id * 31 + type.hashCode();
    }
  }

  /** An i32 tensor whose value at each position is its index along {@code axis} (for one_hot). */
  public record Iota(int axis, TensorType type, Meta meta) implements Node {
    public Iota {
      if (type.dtype() != DType.I32) throw new IrException("iota: dtype must be i32, got " + type);
    }

    @Override
    public List<Node> inputs() {
      return List.of();
    }

    @Override
    public String opName() {
      return "iota";
    }

    @Override
    public String attributes() {
      return "axis=" + axis;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Iota i && axis == i.axis && type.equals(i.type);
    }

    @Override
    public int hashCode() {
      return axis * 13 + type.hashCode();
    }
  }
}
