package nnc.compiler.frontend;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import nnc.compiler.ir.Axes;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.IrException;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.Shape;
import nnc.compiler.ir.UnaryOp;
import nnc.runtime.DType;
import org.antlr.v4.runtime.ParserRuleContext;

/**
 * The built-in functions of the language. Primitives map to one IR node; the others (activations
 * such as gelu, mean and var, the losses in {@link Losses}) are compositions of primitives, so
 * they need no gradient rule of their own. Each entry lists its parameters, Python-style.
 */
final class Builtins {
  /** One argument as written at a call site. */
  record Arg(String name, Value value, ParserRuleContext at) {}

  @FunctionalInterface
  interface Impl {
    Value apply(Args a, IrBuilder b, Expressions ex);
  }

  private record Entry(List<String> params, Impl impl) {}

  static final Set<String> OPTIMIZERS = new TreeSet<>(nnc.compiler.ir.Optimizers.names());
  static final Set<String> SCHEDULES = new TreeSet<>(List.of("constant", "step", "warmup", "cosine", "warmup_cosine", "one_cycle"));
  static final Map<String, Double> CONSTANTS = Map.of("pi", Math.PI, "e", Math.E);

  private static final Map<String, Entry> TABLE = new LinkedHashMap<>();

  private Builtins() {}

  static boolean has(String name) {
    return TABLE.containsKey(name);
  }

  static Set<String> names() {
    Set<String> all = new TreeSet<>(TABLE.keySet());
    all.addAll(CONSTANTS.keySet());
    return all;
  }

  /** The parameter list of a built-in, as documented ({@code softmax(x, axis=-1)}). */
  static String signature(String name) {
    return name + "(" + String.join(", ", TABLE.get(name).params()) + ")";
  }

  static Set<String> all() {
    return TABLE.keySet();
  }

  static Value call(String name, List<Arg> args, Expressions ex, ParserRuleContext at) {
    Entry e = TABLE.get(name);
    Args a = Args.bind(name, e.params(), args, ex, at);
    return e.impl().apply(a, ex.ir(), ex);
  }

  static void def(String name, List<String> params, Impl impl) {
    TABLE.put(name, new Entry(params, impl));
  }

  static Value t(Node n) {
    return new Value.Tensor(n);
  }

  static {
    for (UnaryOp op : UnaryOp.values()) {
      if (op == UnaryOp.NEG) continue;
      def(op.printName(), List.of("x"), (a, b, ex) -> t(b.unary(op, a.tensor("x"))));
    }
    defineActivations();
    defineElementwise();
    defineReductions();
    defineShapes();
    Losses.define();
    Convolutions.define();
    BatchNorms.define();
    LayerOps.define();
    Normalization.define();
    Sequences.define();
    Gradients.define();
    Initializers.NAMES.forEach(n -> def(n, List.of(), (a, b, ex) -> {
      throw ex.elaborator().error(a.at(), n + " is an initializer: use it in a param declaration");
    }));
  }

  private static void defineActivations() {
    def("leaky_relu", List.of("x", "slope=0.01"), (a, b, ex) -> {
      Node x = a.tensor("x");
      Node zero = b.scalar(0, x);
      return t(b.where(b.binary(BinaryOp.GT, x, zero), x, b.mul(a.tensorLike("slope", x), x)));
    });
    // The negative branch uses exp(min(x, 0)) so that its (masked) gradient stays finite for large x.
    def("elu", List.of("x", "alpha=1"), (a, b, ex) -> {
      Node x = a.tensor("x");
      Node zero = b.scalar(0, x);
      Node neg = b.mul(a.tensorLike("alpha", x), b.sub(b.unary(UnaryOp.EXP, b.binary(BinaryOp.MIN, x, zero)), b.scalar(1, x)));
      return t(b.where(b.binary(BinaryOp.GT, x, zero), x, neg));
    });
    def("gelu", List.of("x", "approximate=\"none\""), (a, b, ex) -> {
      Node x = a.tensor("x");
      String mode = a.string("approximate");
      Node inner = switch (mode) {
        case "none" -> b.unary(UnaryOp.ERF, b.mul(x, b.scalar(1 / Math.sqrt(2), x)));
        // tanh(sqrt(2/pi) (x + 0.044715 x^3))
        case "tanh" -> b.unary(UnaryOp.TANH, b.mul(b.scalar(Math.sqrt(2 / Math.PI), x),
            b.add(x, b.mul(b.scalar(0.044715, x), b.mul(x, b.mul(x, x))))));
        default -> throw ex.elaborator().error(a.at("approximate"), "gelu: approximate must be \"none\" or \"tanh\", got \"" + mode + "\"");
      };
      return t(b.mul(b.mul(b.scalar(0.5, x), x), b.add(b.scalar(1, x), inner)));
    });
    Impl silu = (a, b, ex) -> {
      Node x = a.tensor("x");
      return t(b.mul(x, b.unary(UnaryOp.SIGMOID, x)));
    };
    def("silu", List.of("x"), silu);
    def("swish", List.of("x"), silu);
    // snake(x) = x + sin^2(alpha x) / alpha  (Ziyin et al. 2020); alpha may be a parameter.
    def("snake", List.of("x", "alpha=1"), (a, b, ex) -> {
      Node x = a.tensor("x");
      Node alpha = a.tensorLike("alpha", x);
      Node s = b.unary(UnaryOp.SIN, b.mul(alpha, x));
      return t(b.add(x, b.div(b.mul(s, s), alpha)));
    });
  }

  private static void defineElementwise() {
    def("maximum", List.of("a", "b"), (a, b, ex) -> binaryLike(BinaryOp.MAX, a, b));
    def("minimum", List.of("a", "b"), (a, b, ex) -> binaryLike(BinaryOp.MIN, a, b));
    def("pow", List.of("a", "b"), (a, b, ex) -> binaryLike(BinaryOp.POW, a, b));
    def("where", List.of("cond", "a", "b"), (a, b, ex) -> {
      Node c = a.tensor("cond");
      Value va = a.value("a");
      Node x = va instanceof Value.Tensor vt ? vt.node() : a.tensorLike("b", b.constant(0, DType.F32));
      return t(b.where(c, a.tensorLike("a", x), a.tensorLike("b", x)));
    });
    def("stop_gradient", List.of("x"), (a, b, ex) -> t(b.stopGradient(a.tensor("x"))));
    // Inverted dropout: active in the compiled training step, the identity in inference and eval.
    def("dropout", List.of("x", "p=0.5"), (a, b, ex) -> {
      Node x = a.tensor("x");
      return t(b.dropout(x, b.noise(x.shape(), x.dtype()), a.number("p")));
    });
    def("matmul", List.of("a", "b"), (a, b, ex) -> ex.matmul(a.at(), a.value("a"), a.value("b")));
  }

  private static Value binaryLike(BinaryOp op, Args a, IrBuilder b) {
    Value va = a.value("a");
    Node x = va instanceof Value.Tensor vt ? vt.node() : a.tensor("b");
    return t(b.binary(op, a.tensorLike("a", x), a.tensorLike("b", x)));
  }

  private static void defineReductions() {
    for (ReduceOp op : ReduceOp.values()) {
      def(op.printName(), List.of("x", "axis=none", "keepdims=false"), (a, b, ex) -> {
        Node x = a.tensor("x");
        return t(b.reduce(op, x, a.axes("axis", x.shape().rank()), a.bool("keepdims")));
      });
    }
    def("mean", List.of("x", "axis=none", "keepdims=false"), (a, b, ex) -> {
      Node x = a.tensor("x");
      return t(mean(b, x, a.axes("axis", x.shape().rank()), a.bool("keepdims")));
    });
    // var and std follow PyTorch: correction=1 (Bessel) unless told otherwise.
    def("var", List.of("x", "axis=none", "keepdims=false", "correction=1"), (a, b, ex) -> t(variance(a, b)));
    def("std", List.of("x", "axis=none", "keepdims=false", "correction=1"), (a, b, ex) -> t(b.unary(UnaryOp.SQRT, variance(a, b))));
    def("argmax", List.of("x", "axis=-1"), (a, b, ex) -> {
      Node x = a.tensor("x");
      return t(b.argMax(x, a.axis("axis", x.shape().rank())));
    });
    def("softmax", List.of("x", "axis=-1"), (a, b, ex) -> {
      Node x = a.tensor("x");
      return t(b.softmax(x, a.axis("axis", x.shape().rank())));
    });
    def("log_softmax", List.of("x", "axis=-1"), (a, b, ex) -> {
      Node x = a.tensor("x");
      return t(b.logSoftmax(x, a.axis("axis", x.shape().rank())));
    });
    def("size", List.of("x", "axis"), (a, b, ex) -> {
      Node x = a.tensor("x");
      Dim d = x.shape().get(a.axis("axis", x.shape().rank()));
      return d instanceof Dim.Fixed f ? new Value.Num(f.size(), true) : t(b.dimSize(((Dim.Sym) d).name(), DType.F32));
    });
  }

  private static Node variance(Args a, IrBuilder b) {
    Node x = a.tensor("x");
    Axes axes = a.axes("axis", x.shape().rank());
    Node centered = b.sub(x, mean(b, x, axes, true));
    Node ss = b.reduce(ReduceOp.SUM, b.mul(centered, centered), axes, a.bool("keepdims"));
    return b.div(ss, b.sub(count(b, x, axes), b.scalar(a.number("correction"), x)));
  }

  /** The mean as sum / count; the count of a symbolic axis is read at run time. */
  static Node mean(IrBuilder b, Node x, Axes axes, boolean keepDims) {
    return b.div(b.reduce(ReduceOp.SUM, x, axes, keepDims), count(b, x, axes));
  }

  /** The number of elements over {@code axes} as a scalar of x's type. */
  static Node count(IrBuilder b, Node x, Axes axes) {
    long fixed = 1;
    Node symbolic = null;
    for (int axis : axes.list()) {
      switch (x.shape().get(axis)) {
        case Dim.Fixed f -> fixed *= f.size();
        case Dim.Sym s -> {
          Node d = b.dimSize(s.name(), x.dtype());
          symbolic = symbolic == null ? d : b.mul(symbolic, d);
        }
      }
    }
    Node c = b.scalar(fixed, x);
    return symbolic == null ? c : fixed == 1 ? symbolic : b.mul(symbolic, c);
  }

  private static void defineShapes() {
    def("reshape", List.of("x", "shape"), (a, b, ex) -> {
      Node x = a.tensor("x");
      return t(b.reshape(x, targetShape(x, a.list("shape"), a, ex)));
    });
    def("flatten", List.of("x", "start=1"), (a, b, ex) -> {
      Node x = a.tensor("x");
      int start = a.axis("start", x.shape().rank());
      List<Dim> dims = new ArrayList<>(x.shape().dims().subList(0, start));
      Shape tail = new Shape(x.shape().dims().subList(start, x.shape().rank()));
      if (!tail.isStatic()) throw new IrException("flatten: cannot merge symbolic dimensions of " + x.type());
      dims.add(Dim.of((int) tail.staticSize()));
      return t(b.reshape(x, new Shape(dims)));
    });
    def("transpose", List.of("x", "perm=none"), (a, b, ex) -> {
      Node x = a.tensor("x");
      if (!a.has("perm")) {
        if (x.shape().rank() < 2) throw new IrException("transpose: " + x.type() + " has fewer than two axes");
        return t(b.swapLastTwo(x));
      }
      List<Integer> perm = new ArrayList<>();
      for (Value v : a.list("perm")) {
        if (!(v instanceof Value.Num n) || !n.integral()) throw new IrException("transpose: perm must list integers");
        perm.add((int) n.value());
      }
      return t(b.transpose(x, perm));
    });
    def("concat", List.of("xs", "axis=0"), (a, b, ex) -> {
      List<Node> parts = new ArrayList<>();
      for (Value v : a.list("xs")) parts.add(ex.toTensor(v, DType.F32, a.at("xs")));
      if (parts.isEmpty()) throw new IrException("concat: nothing to concatenate");
      return t(b.concat(parts, a.axis("axis", parts.get(0).shape().rank())));
    });
    def("gather", List.of("table", "indices"), (a, b, ex) -> t(b.gather(a.tensor("table"), a.tensor("indices"))));
    def("one_hot", List.of("labels", "classes"), (a, b, ex) -> t(oneHot(b, a.tensor("labels"), a.integer("classes"), DType.F32)));
  }

  /** {@code one_hot(y, n)}: compares y (i32) with an iota over a new last axis of size n. */
  static Node oneHot(IrBuilder b, Node labels, int classes, DType dtype) {
    if (labels.dtype() != DType.I32) throw new IrException("one_hot: labels must be i32, got " + labels.type());
    if (classes < 1) throw new IrException("one_hot: number of classes must be positive, got " + classes);
    Shape out = labels.shape().insert(labels.shape().rank(), Dim.of(classes));
    Node column = b.reshape(labels, labels.shape().insert(labels.shape().rank(), Dim.of(1)));
    return b.cast(b.binary(BinaryOp.EQ, column, b.iota(out, out.rank() - 1)), dtype);
  }

  /** The target of reshape: integers, at most one -1 (inferred, possibly a symbolic dimension). */
  private static Shape targetShape(Node x, List<Value> items, Args a, Expressions ex) {
    List<Dim> dims = new ArrayList<>();
    int infer = -1;
    long known = 1;
    for (int i = 0; i < items.size(); i++) {
      if (!(items.get(i) instanceof Value.Num n) || !n.integral()) {
        throw new IrException("reshape: shape entries must be integers (use -1 for the batch dimension)");
      }
      int v = (int) n.value();
      if (v == -1) {
        if (infer >= 0) throw new IrException("reshape: only one dimension may be -1");
        infer = i;
        dims.add(null);
      } else if (v < 1) {
        throw new IrException("reshape: dimension " + v + " is not positive");
      } else {
        known *= v;
        dims.add(Dim.of(v));
      }
    }
    if (infer >= 0) {
      Shape.Volume vol = x.shape().volume();
      if (vol.symbols().isEmpty() && vol.fixed() % known == 0) {
        dims.set(infer, Dim.of((int) (vol.fixed() / known)));
      } else if (vol.symbols().size() == 1 && vol.symbols().values().iterator().next() == 1 && vol.fixed() == known) {
        dims.set(infer, Dim.sym(vol.symbols().keySet().iterator().next()));
      } else {
        throw new IrException("reshape: cannot infer the -1 dimension when reshaping " + x.type() + " to "
            + items.size() + " axes");
      }
    }
    return new Shape(dims);
  }
}
