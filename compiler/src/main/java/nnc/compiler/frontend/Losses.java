package nnc.compiler.frontend;

import java.util.List;
import nnc.compiler.ir.Axes;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.IrException;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.UnaryOp;
import nnc.runtime.DType;

/**
 * Loss functions, written in primitives (PyTorch's definitions, mean reduction). Cross-entropy
 * goes through log_softmax, so it is stable for any logits; BCE on probabilities clamps its logs
 * at -100 as PyTorch does; BCE on logits uses softplus, which never overflows.
 */
final class Losses {
  private Losses() {}

  static void define() {
    Builtins.def("cross_entropy", List.of("logits", "target"), (a, b, ex) -> {
      Node logits = a.tensor("logits");
      return Builtins.t(crossEntropy(b, logits, a.tensor("target")));
    });
    Builtins.def("nll", List.of("log_probs", "labels"), (a, b, ex) -> {
      Node logp = a.tensor("log_probs");
      Node labels = a.tensor("labels");
      return Builtins.t(b.neg(meanOverRows(b, picked(b, logp, labels, "nll"))));
    });
    Builtins.def("binary_cross_entropy", List.of("probs", "target"), (a, b, ex) -> {
      Node p = a.tensor("probs");
      Node y = a.tensorLike("target", p);
      sameShape("binary_cross_entropy", p, y);
      Node floor = b.scalar(-100, p);
      Node logP = b.binary(BinaryOp.MAX, b.unary(UnaryOp.LOG, p), floor);
      Node log1mP = b.binary(BinaryOp.MAX, b.unary(UnaryOp.LOG, b.sub(b.scalar(1, p), p)), floor);
      Node one = b.scalar(1, p);
      Node perElement = b.neg(b.add(b.mul(y, logP), b.mul(b.sub(one, y), log1mP)));
      return Builtins.t(Builtins.mean(b, perElement, Axes.all(p.shape().rank()), false));
    });
    // log(1 + e^z) - y z = softplus(z) - y z: the stable form of BCE(sigmoid(z), y).
    Builtins.def("binary_cross_entropy_with_logits", List.of("logits", "target"), (a, b, ex) -> {
      Node z = a.tensor("logits");
      Node y = a.tensorLike("target", z);
      sameShape("binary_cross_entropy_with_logits", z, y);
      Node perElement = b.sub(b.unary(UnaryOp.SOFTPLUS, z), b.mul(y, z));
      return Builtins.t(Builtins.mean(b, perElement, Axes.all(z.shape().rank()), false));
    });
    Builtins.def("mse", List.of("prediction", "target"), (a, b, ex) -> {
      Node p = a.tensor("prediction");
      Node d = difference("mse", b, p, a.tensorLike("target", p));
      return Builtins.t(Builtins.mean(b, b.mul(d, d), Axes.all(d.shape().rank()), false));
    });
    Builtins.def("mae", List.of("prediction", "target"), (a, b, ex) -> {
      Node p = a.tensor("prediction");
      Node d = difference("mae", b, p, a.tensorLike("target", p));
      return Builtins.t(Builtins.mean(b, b.unary(UnaryOp.ABS, d), Axes.all(d.shape().rank()), false));
    });
    Builtins.def("accuracy", List.of("scores", "labels"), (a, b, ex) -> {
      Node s = a.tensor("scores");
      Node labels = a.tensor("labels");
      int classAxis = s.shape().rank() - 1;
      if (classAxis < 0 || labels.dtype() != DType.I32 || !labels.shape().equals(s.shape().remove(classAxis))) {
        throw new IrException("accuracy: labels " + labels.type() + " must be i32 class indices"
            + (classAxis < 0 ? "" : " of shape " + s.shape().remove(classAxis)) + " for scores " + s.type());
      }
      Node hit = b.cast(b.binary(BinaryOp.EQ, b.argMax(s, classAxis), labels), s.dtype());
      return Builtins.t(Builtins.mean(b, hit, Axes.all(hit.shape().rank()), false));
    });
  }

  /**
   * Mean over the batch of -log_softmax(logits)[label] for i32 labels, or of
   * -sum(target * log_softmax(logits)) for probability targets of the logits' shape.
   */
  static Node crossEntropy(IrBuilder b, Node logits, Node target) {
    if (logits.shape().rank() < 1) throw new IrException("cross_entropy: logits " + logits.type() + " need a class axis");
    Node logp = b.logSoftmax(logits, logits.shape().rank() - 1);
    Node perRow;
    if (target.dtype() == DType.I32) {
      perRow = picked(b, logp, target, "cross_entropy");
    } else {
      if (!target.shape().equals(logits.shape()) || target.dtype() != logits.dtype()) {
        throw new IrException("cross_entropy: probability targets " + target.type() + " must have the type of the logits "
            + logits.type() + " (or pass i32 class labels)");
      }
      perRow = b.reduce(ReduceOp.SUM, b.mul(target, logp), Axes.of(logits.shape().rank() - 1), false);
    }
    return b.neg(meanOverRows(b, perRow));
  }

  /** log_probs[..., label] for each row, via a one-hot mask (labels i32 of the leading shape). */
  private static Node picked(IrBuilder b, Node logp, Node labels, String op) {
    int classAxis = logp.shape().rank() - 1;
    if (labels.dtype() != DType.I32 || !labels.shape().equals(logp.shape().remove(classAxis))) {
      throw new IrException(op + ": labels " + labels.type() + " must be i32" + logp.shape().remove(classAxis)
          + " for scores " + logp.type());
    }
    Dim classes = logp.shape().get(classAxis);
    if (!(classes instanceof Dim.Fixed f)) throw new IrException(op + ": the class axis of " + logp.type() + " must be fixed");
    Node mask = Builtins.oneHot(b, labels, f.size(), logp.dtype());
    return b.reduce(ReduceOp.SUM, b.mul(logp, mask), Axes.of(classAxis), false);
  }

  private static Node meanOverRows(IrBuilder b, Node perRow) {
    return Builtins.mean(b, perRow, Axes.all(perRow.shape().rank()), false);
  }

  /** prediction - target, where the target has the prediction's shape or broadcasts to it. */
  private static Node difference(String op, IrBuilder b, Node p, Node y) {
    if (y.dtype() != p.dtype()) {
      throw new IrException(op + ": prediction " + p.type() + " and target " + y.type()
          + ": element types differ (convert one with f32(...), f64(...) or i32(...))");
    }
    Node d = null;
    try {
      d = b.sub(p, y);
    } catch (IrException e) {
      // reported below, naming the target's own shape
    }
    if (d == null || !d.shape().equals(p.shape())) {
      throw new IrException(op + ": prediction " + p.type() + " and target " + y.type() + " differ in shape");
    }
    return d;
  }

  private static void sameShape(String op, Node p, Node y) {
    if (!y.shape().equals(p.shape())) {
      throw new IrException(op + ": prediction " + p.type() + " and target " + y.type() + " differ in shape");
    }
  }
}
