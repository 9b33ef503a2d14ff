package nnc.compiler.autodiff;

import static nnc.compiler.autodiff.KinkCheck.Kink;
import static nnc.compiler.autodiff.GradHarness.Mode;
import static nnc.compiler.autodiff.GradHarness.Point;
import static nnc.compiler.autodiff.GradHarness.Row;
import static nnc.compiler.autodiff.GradHarness.Row.ir;
import static nnc.compiler.autodiff.GradHarness.Row.src;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.Shape;
import nnc.compiler.ir.UnaryOp;
import nnc.compiler.ir.Window;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gradient check of every primitive, driven by one table. Each row is a small f64 graph;
 * each is checked at two seeded random points and at edge points (0 and ±5, or the edges of
 * its domain), with a plain objective and with fan-out of every input, to first order and to
 * second order (Hessian-vector products), entry by entry against central differences. Points
 * where differences do not apply (kinks, ties, stop_gradient) are in {@link #KINKS}, checked
 * against values computed by hand from the pinned conventions.
 */
class GradientTableTest {
  private static final String XS = "x f64[2,3]";

  /** One row per primitive use; the comments name the IR op each group exercises. */
  static final List<Row> TABLE = List.of(
      // ---- Elementwise.Unary: every UnaryOp ----------------------------------------------------
      src("neg", "-x", XS),
      src("exp", "exp(x)", XS),
      src("log", "log(x)", "x f64[2,3] pos"),
      src("log1p", "log1p(x)", "x f64[2,3] pos"),
      src("sqrt", "sqrt(x)", "x f64[2,3] pos"),
      src("abs", "abs(x)", XS).kinked(),
      src("sign (no gradient)", "sign(x) * y", XS, "y f64[2,3]").kinked().noGrad("x"),
      src("sin", "sin(x)", XS),
      src("cos", "cos(x)", XS),
      src("relu", "relu(x)", XS).kinked(),
      src("sigmoid", "sigmoid(x)", XS),
      src("tanh", "tanh(x)", XS),
      src("softplus", "softplus(x)", XS),
      src("erf", "erf(x)", XS),
      src("heaviside (no gradient)", "heaviside(x) * y", XS, "y f64[2,3]").kinked().noGrad("x"),
      // ---- Elementwise.Binary: every BinaryOp, with broadcasting (the sum-back) ----------------
      src("add [2,3] + [3]", "x + y", XS, "y f64[3]"),
      src("sub [2,1] - [1,3]", "x - y", "x f64[2,1]", "y f64[1,3]"),
      src("mul by a scalar input", "x * y", XS, "y f64[]"),
      src("div [2,3] / [2,1]", "x / y", XS, "y f64[2,1] nonzero"),
      src("pow, base and exponent on the path", "x ^ y", "x f64[2,3] pos", "y f64[3]"),
      src("pow, integer exponent, any base", "x ^ 3", XS),
      src("pow, constant base", "2 ^ y", "y f64[2,3]"),
      src("max [2,3] vs [3]", "maximum(x, y)", XS, "y f64[3]").kinked(),
      src("min [2,3] vs [3]", "minimum(x, y)", XS, "y f64[3]").kinked(),
      src("lt (no gradient)", "f64(x < y) * z", XS, "y f64[3]", "z f64[2,3]").kinked().noGrad("x", "y"),
      src("le (no gradient)", "f64(x <= y) * z", XS, "y f64[3]", "z f64[2,3]").kinked().noGrad("x", "y"),
      src("gt (no gradient)", "f64(x > y) * z", XS, "y f64[3]", "z f64[2,3]").kinked().noGrad("x", "y"),
      src("ge (no gradient)", "f64(x >= y) * z", XS, "y f64[3]", "z f64[2,3]").kinked().noGrad("x", "y"),
      src("eq (no gradient)", "f64(x == y) * z + x * z", XS, "y f64[3]", "z f64[2,3]").kinked().noGrad("y"),
      src("ne (no gradient)", "f64(x != y) * z", XS, "y f64[3]", "z f64[2,3]").kinked().noGrad("x", "y"),
      // ---- Elementwise.Where and Cast ----------------------------------------------------------
      src("where, bool input condition", "where(c, x, y)", "c bool[2,3]", XS, "y f64[3]"),
      src("where, condition from a float (no gradient)", "where(z > 0, x, y)", "z f64[2,3]", XS, "y f64[2,3]")
          .kinked().noGrad("z"),
      src("where, condition input also used", "where(z > 0, x * z, y)", "z f64[2,3]", XS, "y f64[2,3]").kinked(),
      src("cast f64 -> f32 -> f64", "f64(f32(x) * f32(y))", XS, "y f64[2,3]"),
      src("cast of an f32 input", "f64(x) * y", "x f32[2,3]", "y f64[2,3]"),
      src("cast to an f32 output", "f32(x * x)", XS),
      src("cast i32 -> f64 (no gradient)", "f64(k) * x", "k i32[2,3] <3", XS),
      src("cast bool -> f64 (no gradient)", "f64(c) * x", "c bool[2,3]", XS),
      // ---- Reduction.ArgMax (no gradient) ------------------------------------------------------
      src("argmax (no gradient)", "sum(x, axis=1) * f64(argmax(x, axis=1))", XS).kinked(),
      // ---- Linalg.MatMul -----------------------------------------------------------------------
      src("matmul 2-D", "a @ b", "a f64[2,3]", "b f64[3,4]"),
      src("matmul batched 3-D", "a @ b", "a f64[2,2,3]", "b f64[2,3,4]"),
      src("matmul broadcast batch, matrix rhs", "a @ b", "a f64[2,2,3]", "b f64[3,4]"),
      src("matmul broadcast batch, both sides", "a @ b", "a f64[2,1,2,3]", "b f64[3,3,2]"),
      src("matmul vector @ matrix", "v @ b", "v f64[3]", "b f64[3,4]"),
      src("matmul matrix @ vector", "a @ v", "a f64[2,3]", "v f64[3]"),
      src("matmul fan-out a @ a", "a @ a", "a f64[3,3]"),
      src("matmul symbolic batch", "x @ w", "x f64[B,3]", "w f64[3,2]"),
      // ---- Movement ----------------------------------------------------------------------------
      src("transpose, last two axes", "transpose(x)", XS),
      src("transpose perm=[2,0,1]", "transpose(x, [2,0,1])", "x f64[2,3,4]"),
      src("reshape", "reshape(x, [3,2])", XS),
      src("reshape with -1 over the batch", "reshape(x, [-1, 2, 3])", "x f64[B,6]"),
      src("flatten", "flatten(x)", "x f64[2,3,2]"),
      ir("broadcast [3] -> [2,3]", (b, in) -> b.broadcast(in.get("x"), Shape.of(2, 3)), "x f64[3]"),
      ir("broadcast [2,1] -> [2,2,3]", (b, in) -> b.broadcast(in.get("x"), Shape.of(2, 2, 3)), "x f64[2,1]"),
      ir("broadcast scalar -> [2,3]", (b, in) -> b.broadcast(in.get("x"), Shape.of(2, 3)), "x f64[]"),
      src("slice x[1:3, :]", "x[1:3, :]", "x f64[3,4]"),
      src("slice fan-out x[:, 1:] * x[0, 1:]", "x[:, 1:] * x[0, 1:]", "x f64[3,4]"),
      src("slice x[-1]", "x[-1]", "x f64[3,4]"),
      ir("pad lo=[1,0] hi=[0,2]", (b, in) -> b.pad(in.get("x"), List.of(1, 0), List.of(0, 2)), XS),
      src("concat axis=1", "concat([x, y], axis=1)", XS, "y f64[2,2]"),
      src("concat axis=0 with fan-out", "concat([x, y, x], 0)", XS, "y f64[1,3]"),
      // ---- Indexing ----------------------------------------------------------------------------
      src("gather rows (repeated indices)", "E[idx]", "E f64[5,3]", "idx i32[4] <5"),
      src("gather with 2-D indices", "E[idx]", "E f64[4,2]", "idx i32[2,3] <4"),
      ir("scatter_add (repeated indices)", (b, in) -> b.scatterAdd(in.get("src"), in.get("idx"), Shape.of(4, 2)),
          "src f64[5,2]", "idx i32[5] <4"),
      // ---- Normalizer --------------------------------------------------------------------------
      src("softmax, last axis", "softmax(x)", "x f64[2,4]"),
      src("softmax axis=0", "softmax(x, axis=0)", "x f64[3,2]"),
      src("log_softmax, last axis", "log_softmax(x)", "x f64[2,4]"),
      src("log_softmax axis=0", "log_softmax(x, axis=0)", "x f64[3,2]"),
      // ---- Leaf.DimSize and Leaf.Iota ----------------------------------------------------------
      src("mean over a symbolic batch (dimsize)", "mean(x)", "x f64[B,3]"),
      src("one_hot: iota, eq, cast (no gradient to labels)", "f64(one_hot(y, 4)) * x", "x f64[3,4]", "y i32[3] <4"),
      // ---- language-level composites -----------------------------------------------------------
      src("leaky_relu", "leaky_relu(x)", XS).kinked(),
      src("leaky_relu slope 0.2", "leaky_relu(x, 0.2)", XS).kinked(),
      src("elu", "elu(x)", XS).kinked(),
      src("elu alpha 0.5", "elu(x, 0.5)", XS).kinked(),
      src("gelu (erf form)", "gelu(x)", XS),
      src("gelu (tanh form)", "gelu(x, approximate=\"tanh\")", XS),
      src("silu", "silu(x)", XS),
      src("snake", "snake(x)", XS),
      src("snake with alpha on the path", "snake(x, a)", XS, "a f64[3] pos"),
      src("mean", "mean(x)", XS),
      src("mean axis=1 keepdims", "mean(x, axis=1, keepdims=true)", XS),
      src("var (Bessel)", "var(x)", XS),
      src("var axis=1 correction=0 keepdims", "var(x, axis=1, keepdims=true, correction=0)", XS),
      src("std", "std(x)", XS),
      src("std axis=0", "std(x, axis=0)", "x f64[3,2]"),
      src("maximum with a scalar", "maximum(x, 0.5)", XS).kinked(),
      src("minimum with a scalar", "minimum(0.5, x)", XS).kinked(),
      src("cross_entropy, i32 labels", "cross_entropy(z, y)", "z f64[B,4]", "y i32[B] <4"),
      src("cross_entropy, probability targets", "cross_entropy(z, p)", "z f64[3,4]", "p f64[3,4] unit"),
      src("nll of log_softmax", "nll(log_softmax(z), y)", "z f64[B,4]", "y i32[B] <4"),
      src("nll of raw scores", "nll(z, y)", "z f64[3,4]", "y i32[3] <4"),
      src("binary_cross_entropy", "binary_cross_entropy(p, t)", "p f64[2,3] unit", "t f64[2,3] unit"),
      src("binary_cross_entropy of sigmoid", "binary_cross_entropy(sigmoid(z), t)", "z f64[2,3]", "t f64[2,3] unit"),
      src("binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits(z, t)", "z f64[2,3]", "t f64[2,3] unit"),
      src("mse", "mse(x, y)", "x f64[B,3]", "y f64[B,3]"),
      src("mae", "mae(x, y)", "x f64[B,3]", "y f64[B,3]").kinked(),
      // ---- fan-out -----------------------------------------------------------------------------
      src("fan-out x * x", "x * x", XS),
      src("fan-out f(x) + x", "sin(x) + x", XS),
      src("fan-out x / (x^2 + 1)", "x / (x ^ 2 + 1)", XS),
      src("two-layer perceptron", "cross_entropy(relu(x @ W1 + b1) @ W2 + b2, y)", "x f64[B,3]", "W1 f64[3,4]",
          "b1 f64[4]", "W2 f64[4,2]", "b2 f64[2]", "y i32[B] <2").kinked());

  /** Normalization and attention composites (frontend/Normalization): layer/RMS norm, DyT, attention. */
  static final List<Row> NORMALIZATION_ATTENTION = List.of(
      src("layer_norm, last axis", "layer_norm(x)", "x f64[2,4]"),
      src("layer_norm with gamma and beta", "layer_norm(x, g, b)", "x f64[B,4]", "g f64[4]", "b f64[4]"),
      src("layer_norm over axes [1,2], eps 0.1", "layer_norm(x, axis=[1,2], eps=0.1)", "x f64[2,2,3]"),
      src("rms_norm, last axis", "rms_norm(x)", "x f64[2,4]"),
      src("rms_norm with gamma, axis=0", "rms_norm(x, g, axis=0)", "x f64[3,2]", "g f64[3,1]"),
      src("dyt with alpha, gamma, beta on the path", "dyt(x, a, g, b)", "x f64[B,3]", "a f64[]", "g f64[3]", "b f64[3]"),
      src("scaled_dot_product_attention", "scaled_dot_product_attention(q, k, v)", "q f64[2,3,4]", "k f64[2,2,4]",
          "v f64[2,2,3]"),
      src("scaled_dot_product_attention, causal", "scaled_dot_product_attention(q, k, v, causal=true)",
          "q f64[2,3,2]", "k f64[2,3,2]", "v f64[2,3,2]"),
      src("scaled_dot_product_attention, causal self-attention", "scaled_dot_product_attention(x, x, x, true)",
          "x f64[3,2]"));

  /** Reduction.Reduce with every ReduceOp: one axis, several axes, all axes, with and without keepdims. */
  static final List<Row> REDUCTIONS = reductions();

  private static List<Row> reductions() {
    List<Row> rows = new ArrayList<>();
    for (ReduceOp op : ReduceOp.values()) {
      String f = op.printName();
      for (String args : List.of(", axis=1", ", axis=1, keepdims=true", ", axis=[0,2]", ", axis=[0,2], keepdims=true", "")) {
        Row r = src("reduce_" + f + args.replace(", ", " "), f + "(x" + args + ")", "x f64[2,3,2]");
        rows.add(op == ReduceOp.SUM ? r : r.kinked());
      }
    }
    return rows;
  }

  /** Window.Unfold and Window.Fold, and the convolution and pooling built on them. */
  static final List<Row> WINDOWS = List.of(
      // ---- Window (unfold, fold) ---------------------------------------------------------------
      ir("unfold 2x2 stride 1", (b, in) -> b.unfold(in.get("x"), new Window.Geometry(2, 2, 1, 1, 1, 1)), "x f64[2,3,4]"),
      ir("unfold 2x3 stride [2,1] dilation [1,2], symbolic batch",
          (b, in) -> b.unfold(in.get("x"), new Window.Geometry(2, 3, 2, 1, 1, 2)), "x f64[B,5,6]"),
      ir("fold 2x2 stride 1 (overlapping windows sum)",
          (b, in) -> b.fold(in.get("x"), new Window.Geometry(2, 2, 1, 1, 1, 1), 3, 4), "x f64[2,2,2,2,3]"),
      ir("fold 2x2 stride 2 dilation [1,2]",
          (b, in) -> b.fold(in.get("x"), new Window.Geometry(2, 2, 2, 2, 1, 2), 4, 5), "x f64[2,2,2,2]"),
      // ---- convolution and pooling built-ins ---------------------------------------------------
      src("conv2d", "conv2d(x, w)", "x f64[B,2,4,4]", "w f64[3,2,2,2]"),
      src("conv2d stride 2 padding 1 bias", "conv2d(x, w, b, stride=2, padding=1)", "x f64[2,2,5,5]", "w f64[3,2,3,3]",
          "b f64[3]"),
      src("conv2d dilation 2", "conv2d(x, w, dilation=2)", "x f64[1,2,5,5]", "w f64[2,2,2,2]"),
      src("conv2d groups 2 bias, pairs", "conv2d(x, w, b, stride=[1,2], padding=[1,0], groups=2)", "x f64[2,4,3,4]",
          "w f64[4,2,2,2]", "b f64[4]"),
      src("conv2d fan-out conv(x, x)", "conv2d(x, x)", "x f64[2,2,2,2]"),
      src("conv1d stride 2 padding 1 bias", "conv1d(x, w, b, stride=2, padding=1)", "x f64[2,2,7]", "w f64[3,2,3]", "b f64[3]"),
      src("conv1d groups 2 dilation 2", "conv1d(x, w, groups=2, dilation=2)", "x f64[1,4,6]", "w f64[2,2,2]"),
      src("max_pool2d 2x2", "max_pool2d(x, 2)", "x f64[B,2,4,4]").kinked(),
      src("max_pool2d 3x3 stride 2 padding 1", "max_pool2d(x, 3, stride=2, padding=1)", "x f64[2,1,5,5]").kinked(),
      src("avg_pool2d 2x2", "avg_pool2d(x, 2)", "x f64[2,2,4,4]"),
      src("avg_pool2d 3x2 stride 1 padding 1 (padding counts)", "avg_pool2d(x, [3,2], stride=1, padding=1)", "x f64[1,2,3,4]"),
      src("global_avg_pool", "global_avg_pool(x)", "x f64[B,3,2,3]"),
      src("pad the last two axes", "pad(x, [[1,0],[2,1]])", "x f64[2,2,3]"),
      src("pad then conv2d then relu", "relu(conv2d(pad(x, [[1,1],[1,1]]), w))", "x f64[1,1,3,3]", "w f64[2,1,2,2]").kinked());
  /**
   * Batch norm (by_mode and model state), embedding and the layer catalog's losses. Batch norm is
   * checked in training mode (batch statistics: the gradient flows through the mean and variance)
   * and in evaluation mode (running statistics, which are state and get no gradient).
   */
  static final List<Row> NORM_ROWS = List.of(
      src("batch_norm [N,C], training", "batch_norm(x, g, b, rm, rv)", "x f64[3,4]", "g f64[4]", "b f64[4]",
          "rm f64[4] state", "rv f64[4] state pos").training(),
      src("batch_norm [N,C,H,W], training", "batch_norm(x, g, b, rm, rv)", "x f64[2,2,2,3]", "g f64[2]", "b f64[2]",
          "rm f64[2] state", "rv f64[2] state pos").training(),
      src("batch_norm symbolic batch, eps 0.1, training", "batch_norm(x, g, b, rm, rv, eps=0.1)", "x f64[B,4]", "g f64[4]",
          "b f64[4]", "rm f64[4] state", "rv f64[4] state pos").training(),
      src("batch_norm [N,C], evaluation", "batch_norm(x, g, b, rm, rv)", "x f64[3,4]", "g f64[4]", "b f64[4]",
          "rm f64[4] state", "rv f64[4] state pos"),
      src("batch_norm [N,C,H,W], evaluation", "batch_norm(x, g, b, rm, rv)", "x f64[2,2,2,3]", "g f64[2]", "b f64[2]",
          "rm f64[2] state", "rv f64[2] state pos"),
      ir("by_mode, evaluation", (b, in) -> b.byMode(b.unary(UnaryOp.SIN, in.get("x")), b.mul(in.get("x"), in.get("y"))), XS, "y f64[2,3]"),
      ir("by_mode, training", (b, in) -> b.byMode(b.unary(UnaryOp.SIN, in.get("x")), b.mul(in.get("x"), in.get("y"))), XS, "y f64[2,3]")
          .training(),
      src("embedding (repeated ids)", "embedding(E, ids)", "E f64[5,3]", "ids i32[6] <5"),
      src("embedding with 2-D ids", "embedding(E, ids)", "E f64[4,2]", "ids i32[2,3] <4"),
      src("huber", "huber(x, y)", "x f64[B,3]", "y f64[B,3]"),
      src("huber delta 0.5", "huber(x, y, delta=0.5)", XS, "y f64[2,3]"),
      src("kl_div", "kl_div(s, t)", "s f64[B,4]", "t f64[B,4]"),
      src("kl_div temperature 3", "kl_div(s, t, temperature=3)", "s f64[3,4]", "t f64[3,4]"));

  static List<Row> allRows() {
    List<Row> all = new ArrayList<>(TABLE);
    all.addAll(REDUCTIONS);
    all.addAll(WINDOWS);
    all.addAll(NORM_ROWS);
    all.addAll(NORMALIZATION_ATTENTION);
    return all;
  }

  static Stream<Arguments> cases() {
    List<Point> points = List.of(Point.ordinary(1), Point.ordinary(2), Point.edge());
    return allRows().stream().flatMap(r -> points.stream()
        .flatMap(p -> Stream.of(Mode.values()).map(m -> Arguments.of(r, p, m))));
  }

  @ParameterizedTest(name = "{0} at {1}, {2}")
  @MethodSource("cases")
  void firstAndSecondOrderMatchDifferences(Row row, Point p, Mode mode) {
    GradHarness.check(row, p, mode);
  }

  /** Kinks, ties and cuts, where the gradient is a convention: expected values computed by hand. */
  static final List<Kink> KINKS = List.of(
      Kink.of("relu'(0) = 0", "relu(x)", "x f64[4]").at("x", 0, -0.0, 2, -2)
          .grad("x", 0, 0, 1, 0).hvp("x", 0, 0, 0, 0),
      Kink.of("relu(x)^2: second order at 0 is 0", "relu(x) * relu(x)", "x f64[3]").at("x", 0, 2, -2)
          .grad("x", 0, 4, 0).hvp("x", 0, 2, 0),
      Kink.of("abs'(0) = sign(0) = 0", "abs(x)", "x f64[4]").at("x", 0, -0.0, 3, -3)
          .grad("x", 0, 0, 1, -1).hvp("x", 0, 0, 0, 0),
      Kink.of("sign has no gradient", "sign(x) * y", "x f64[3]", "y f64[3]").at("x", 0, 1, -1).at("y", 2, 2, 2)
          .grad("y", 0, 1, -1).noGrad("x").hvp("y", 0, 0, 0),
      Kink.of("heaviside(0) = 0, no gradient", "heaviside(x) * y", "x f64[3]", "y f64[3]").at("x", 0, 1, -1)
          .at("y", 2, 2, 2).grad("y", 0, 1, 0).noGrad("x").hvp("y", 0, 0, 0),
      Kink.of("maximum ties go to the first operand", "maximum(x, y)", "x f64[4]", "y f64[4]")
          .at("x", 1, 2, -3, 0).at("y", 1, 2, -3, 1).grad("x", 1, 1, 1, 0).grad("y", 0, 0, 0, 1).hvp("x", 0, 0, 0, 0),
      Kink.of("minimum ties go to the first operand", "minimum(x, y)", "x f64[4]", "y f64[4]")
          .at("x", 1, 2, -3, 2).at("y", 1, 2, -3, 1).grad("x", 1, 1, 1, 0).grad("y", 0, 0, 0, 1),
      Kink.of("maximum(x, 0) at 0 is 1 (first operand), unlike relu", "maximum(x, 0)", "x f64[3]")
          .at("x", 0, -1, 1).grad("x", 1, 0, 1),
      Kink.of("maximum(0, x) at 0 is 0", "maximum(0, x)", "x f64[3]").at("x", 0, -1, 1).grad("x", 0, 0, 1),
      Kink.of("reduce_max ties go to the first maximum", "max(x, axis=1)", "x f64[2,3]")
          .at("x", 1, 3, 3, 2, 2, 2).grad("x", 0, 1, 0, 1, 0, 0).hvp("x", 0, 0, 0, 0, 0, 0),
      Kink.of("reduce_max over axes [0,2]: first in row-major order", "max(x, axis=[0,2])", "x f64[2,2,2]")
          .at("x", 1, 5, 2, 2, 5, 0, 2, 1).grad("x", 0, 1, 1, 0, 0, 0, 0, 0),
      Kink.of("reduce_max of a constant tensor: the first element", "max(x)", "x f64[2,2]")
          .at("x", 7, 7, 7, 7).grad("x", 1, 0, 0, 0),
      Kink.of("reduce_min ties go to the first minimum", "min(x, axis=1, keepdims=true)", "x f64[2,3]")
          .at("x", 3, 1, 1, 2, 2, 2).grad("x", 0, 1, 0, 1, 0, 0),
      Kink.of("leaky_relu'(0) = slope", "leaky_relu(x, 0.2)", "x f64[3]").at("x", 0, 1, -1)
          .grad("x", 0.2, 1, 0.2).hvp("x", 0, 0, 0),
      Kink.of("elu'(0) = alpha, elu''(0) = alpha (left side)", "elu(x, 0.5)", "x f64[3]").at("x", 0, 1, -1)
          .grad("x", 0.5, 1, 0.5 * Math.exp(-1)).hvp("x", 0.5, 0, 0.5 * Math.exp(-1)),
      Kink.of("mae at zero error: abs'(0) = 0", "mae(x, y)", "x f64[2]", "y f64[2]").at("x", 1, 2).at("y", 1, 0)
          .grad("x", 0, 0.5).grad("y", 0, -0.5),
      Kink.of("where picks the false branch when the condition is false at 0", "where(x > 0, 2 * x, -x)", "x f64[3]")
          .at("x", 0, 1, -1).grad("x", -1, 2, -1).hvp("x", 0, 0, 0),
      Kink.of("eq at a tie has no gradient", "f64(x == y) * z", "x f64[2]", "y f64[2]", "z f64[2]")
          .at("x", 1, 2).at("y", 1, 3).at("z", 5, 5).grad("z", 1, 0).noGrad("x", "y"),
      Kink.of("le/ge at a tie have no gradient", "f64(x <= y) * z + f64(x >= y) * z", "x f64[2]", "y f64[2]", "z f64[2]")
          .at("x", 1, 2).at("y", 1, 3).at("z", 5, 5).grad("z", 2, 1).noGrad("x", "y"),
      Kink.of("stop_gradient(x) * x: only the second factor", "stop_gradient(x) * x", "x f64[3]").at("x", 1, -2, 3)
          .grad("x", 1, -2, 3).hvp("x", 0, 0, 0),
      Kink.of("stop_gradient cuts its input off", "stop_gradient(x) * y", "x f64[3]", "y f64[3]")
          .at("x", 1, -2, 3).at("y", 4, 5, 6).grad("y", 1, -2, 3).noGrad("x").hvp("y", 0, 0, 0),
      Kink.of("argmax has no gradient", "f64(argmax(x)) + y", "x f64[3]", "y f64[2]").at("x", 1, 3, 2).at("y", 0, 0)
          .grad("y", 1, 1).noGrad("x"),
      Kink.of("binary_cross_entropy with the log clamped at -100: derivative of the clamped function",
          "binary_cross_entropy(p, t)", "p f64[1]", "t f64[1]").at("p", 1e-50).at("t", 1).grad("p", 0).grad("t", 100),
      Kink.of("pow: d/dy x^y at x = 0 is 0", "x ^ y", "x f64[2]", "y f64[2]").at("x", 0, 0).at("y", 2, 3)
          .grad("x", 0, 0).grad("y", 0, 0),
      Kink.of("pow: second order at x = 0 (convention 0 for the log x terms)", "x ^ y", "x f64[2]", "y f64[2]")
          .at("x", 0, 0).at("y", 2, 3).grad("x", 0, 0).grad("y", 0, 0).hvp("x", 2, 0).hvp("y", 0, 0),
      Kink.of("pow: d/dx x^0 at x = 0 is 0 (PyTorch masks exponent 0)", "x ^ y", "x f64[1]", "y f64[1]")
          .at("x", 0).at("y", 0).grad("x", 0).grad("y", 0),
      // ---- pooling ties (Window) ---------------------------------------------------------------
      Kink.of("max_pool2d ties go to the first maximum of each window (row-major)", "max_pool2d(x, 2)", "x f64[1,1,2,4]")
          .at("x", 3, 3, 1, 2, 3, 3, 2, 2).grad("x", 1, 0, 0, 1, 0, 0, 0, 0).hvp("x", 0, 0, 0, 0, 0, 0, 0, 0),
      Kink.of("max_pool2d padding never wins, even against negative inputs", "max_pool2d(x, 2, padding=1)", "x f64[1,1,2,2]")
          .at("x", -1, -2, -3, -4).grad("x", 1, 1, 1, 1),
      // ---- the layer catalog's losses --------------------------------------------------------
      Kink.of("huber at |d| = delta takes the linear branch: derivative delta sign(d), second 0", "huber(x, 0)", "x f64[3]")
          .at("x", 1, -1, 0.5).grad("x", 1.0 / 3, -1.0 / 3, 0.5 / 3).hvp("x", 0, 0, 1.0 / 3));

  static Stream<Kink> kinks() {
    return KINKS.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinks")
  void conventionsAtKinksAndTies(Kink k) {
    KinkCheck.check(k);
  }

  /** Every primitive of the IR appears in the forward or gradient graph of some row or kink. */
  @Test
  void tableCoversEveryPrimitive() {
    Set<String> seen = new TreeSet<>();
    Set<Class<?>> kinds = new java.util.HashSet<>();
    List<Row> rows = new ArrayList<>(allRows());
    for (Kink k : KINKS) rows.add(new Row(k.name(), k.expr(), null, k.inputs(), true, k.noGrad()));
    for (Row row : rows) {
      GradHarness.Built c = GradHarness.build(row);
      Node f = GradHarness.objective(c, Mode.PLAIN, new java.util.Random(0));
      List<Node> roots = new ArrayList<>(List.of(f));
      Map<Node, Node> g1 = Autodiff.grad(c.b(), f, c.floatInputs());
      roots.addAll(g1.values());
      Node s = GradHarness.directional(c.b(), g1, new java.util.Random(0));
      if (s != null) roots.addAll(Autodiff.grad(c.b(), s, c.floatInputs()).values());
      for (Node n : Graph.topoOrder(roots)) {
        seen.add(n.opName());
        kinds.add(n.getClass());
      }
    }
    List<String> missing = new ArrayList<>();
    for (Class<?> k : Node.class.getPermittedSubclasses()) {
      // Parameters behave as inputs here; they are checked by gradCheckOfAModelWithParameters.
      // Dropout's gradient is its training form, which needs fixed noise: dropoutInTrainingMode.
      boolean elsewhere = k == Leaf.Param.class || k == Leaf.Noise.class || k == nnc.compiler.ir.Control.Dropout.class;
      if (!kinds.contains(k) && !elsewhere) missing.add(k.getSimpleName());
    }
    for (UnaryOp op : UnaryOp.values()) if (!seen.contains(op.printName())) missing.add(op.printName());
    for (BinaryOp op : BinaryOp.values()) if (!seen.contains(op.printName())) missing.add(op.printName());
    for (ReduceOp op : ReduceOp.values()) if (!seen.contains("reduce_" + op.printName())) missing.add("reduce_" + op.printName());
    for (String op : List.of("first_max_mask", "first_min_mask")) if (!seen.contains(op)) missing.add(op);
    assertEquals(List.of(), missing, "primitives without a row in the gradient table");
  }

  /** Dropout in training mode (one fixed draw of noise): first and second order against differences. */
  @Test
  void dropoutInTrainingMode() {
    Graph g = GradHarness.compile("drop.nn", """
        input x : f64[B, 6]
        param W : f64[6, 4] = normal(0, 0.5)
        h = dropout(tanh(x @ W), 0.3)
        train minimize mean(h * h) + sum(dropout(W, 0.5) ^ 2) with sgd
        """);
    GradCheck.Report r = GradCheck.run(g, 3, 5, 2, 1e-6);
    assertTrue(r.passed(), r.table());
  }

  /** GradCheck (the checker behind `nnc gradcheck`) passes on a model with parameters, to second order. */
  @Test
  void gradCheckOfAModelWithParameters() {
    Graph g = GradHarness.compile("mlp.nn", """
        input x : f64[B, 3]
        input y : i32[B]
        param W1 : f64[3, 5] = normal(0, 0.5)
        param b1 : f64[5] = zeros
        param W2 : f64[5, 2] = normal(0, 0.5)
        h = tanh(x @ W1 + b1)
        train minimize cross_entropy(h @ W2, y) + 0.1 * mean(W1 * W1) with sgd
        """);
    GradCheck.Report r = GradCheck.run(g, 7, 4, 2, 1e-6);
    assertTrue(r.passed(), r.table());
    assertTrue(r.rows().stream().anyMatch(row -> row.order() == 2), "no second-order rows:\n" + r.table());
    assertTrue(r.rows().stream().anyMatch(row -> row.wrt().equals("W1")), r.table());
  }
}
