package nnc.compiler.ir;

import java.util.List;
import java.util.Objects;

/**
 * A node of the tensor IR: an immutable record with a static {@link TensorType}.
 *
 * <p>Nodes are interned by {@link IrBuilder}: a node's identity is its op, its payload and its
 * inputs compared by reference, so equal sub-expressions are one object (CSE by construction).
 * Each record therefore overrides {@code equals}/{@code hashCode} shallowly (inputs by identity,
 * {@link #meta()} and the derived type ignored); a default record {@code equals} would re-walk
 * shared sub-graphs, and a default {@code hashCode} would be exponential on a DAG.
 *
 * <p>The families, one file each with their shape rules and gradient rules: {@link Leaf},
 * {@link Elementwise}, {@link Reduction}, {@link Linalg}, {@link Movement}, {@link Indexing},
 * {@link Normalizer}, {@link Control}, {@link Window}.
 */
public sealed interface Node
    permits Leaf.Input, Leaf.Param, Leaf.Constant, Leaf.DimSize, Leaf.Iota, Leaf.Noise, Leaf.State,
        Elementwise.Unary, Elementwise.Binary, Elementwise.Where, Elementwise.Cast,
        Reduction.Reduce, Reduction.ArgMax, Reduction.FirstMaxMask,
        Linalg.MatMul,
        Movement.Transpose, Movement.Reshape, Movement.Broadcast, Movement.Slice,
        Movement.Pad, Movement.Concat,
        Indexing.Gather, Indexing.ScatterAdd,
        Normalizer.Softmax, Normalizer.LogSoftmax,
        Control.StopGradient, Control.Dropout, Control.ByMode,
        Window.Unfold, Window.Fold {

  TensorType type();

  Meta meta();

  /** The operand nodes, in order. */
  List<Node> inputs();

  /** The op's printed name, e.g. {@code matmul}; payload is printed by {@link #attributes()}. */
  String opName();

  /** The non-node payload as it appears in printed IR (e.g. {@code axes=[1] keepdims}); may be empty. */
  default String attributes() {
    return "";
  }

  default Shape shape() {
    return type().shape();
  }

  default nnc.runtime.DType dtype() {
    return type().dtype();
  }

  /** Shallow hash: payload values plus the identity of the inputs. */
  static int hash(Object payload, List<Node> inputs) {
    int h = Objects.hashCode(payload);
    for (Node n : inputs) h = 31 * h + System.identityHashCode(n);
    return h;
  }

  /** Reference equality of two input lists, element by element. */
  static boolean sameInputs(List<Node> a, List<Node> b) {
    if (a.size() != b.size()) return false;
    for (int i = 0; i < a.size(); i++) if (a.get(i) != b.get(i)) return false;
    return true;
  }
}
