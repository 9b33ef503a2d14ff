package nnc.compiler.frontend;

import java.util.List;
import nnc.compiler.ir.Axes;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.IrException;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.UnaryOp;
import nnc.runtime.DType;

/**
 * Embedding lookup and the losses of the layer catalog (Huber, distillation's KL divergence),
 * written in primitives, so they need no gradient rule of their own.
 */
final class LayerOps {
  private LayerOps() {}

  static void define() {
    // Rows of an embedding table; the gradient is a scatter-add of the output's cotangent into the
    // rows that were picked (gather's VJP), repeated ids accumulating.
    Builtins.def("embedding", List.of("table", "ids"), (a, b, ex) -> {
      Node table = a.tensor("table"), ids = a.tensor("ids");
      if (!table.type().isFloat() || table.shape().rank() != 2) {
        throw new IrException("embedding: table must be a float matrix [V, D], got " + table.type());
      }
      if (ids.dtype() != DType.I32) throw new IrException("embedding: ids must be i32, got " + ids.type());
      return Builtins.t(b.gather(table, ids));
    });
    Builtins.def("huber", List.of("prediction", "target", "delta=1"), (a, b, ex) -> {
      Node p = a.tensor("prediction");
      Node y = a.tensorLike("target", p);
      double delta = a.number("delta");
      if (!(delta > 0)) throw new IrException("huber: delta must be positive, got " + delta);
      return Builtins.t(huber(b, p, y, delta));
    });
    Builtins.def("kl_div", List.of("student_logits", "teacher_logits", "temperature=1"), (a, b, ex) -> {
      Node s = a.tensor("student_logits");
      Node t = a.tensorLike("teacher_logits", s);
      double temperature = a.number("temperature");
      if (!(temperature > 0)) throw new IrException("kl_div: temperature must be positive, got " + temperature);
      return Builtins.t(klDiv(b, s, t, temperature));
    });
  }

  /**
   * PyTorch's HuberLoss (mean reduction): per element 0.5 d^2 where |d| < delta, else
   * delta (|d| - 0.5 delta), for d = prediction - target. Its gradient is d inside, delta sign(d)
   * outside: quadratic near zero, bounded for outliers.
   */
  static Node huber(IrBuilder b, Node p, Node y, double delta) {
    Node d = y.dtype() == p.dtype() ? broadcastSub(b, p, y) : null;
    if (d == null || !d.shape().equals(p.shape())) {
      throw new IrException("huber: target " + y.type() + " must have the type of the prediction " + p.type() + " and its shape (or broadcast to it)");
    }
    Node abs = b.unary(UnaryOp.ABS, d);
    Node quadratic = b.mul(b.scalar(0.5, d), b.mul(d, d));
    Node linear = b.mul(b.scalar(delta, d), b.sub(abs, b.scalar(0.5 * delta, d)));
    Node perElement = b.where(b.binary(BinaryOp.LT, abs, b.scalar(delta, d)), quadratic, linear);
    return Builtins.mean(b, perElement, Axes.all(perElement.shape().rank()), false);
  }

  /** p - y, or null when the shapes do not broadcast. */
  private static Node broadcastSub(IrBuilder b, Node p, Node y) {
    try {
      return b.sub(p, y);
    } catch (IrException e) {
      return null;
    }
  }

  /**
   * Distillation loss (Hinton et al. 2015): T^2 times the mean over rows (every axis but the last)
   * of KL(p || q) = sum_c p_c (log p_c - log q_c), with p = softmax(teacher / T) and
   * q = softmax(student / T). Both logs come from log_softmax, so it is finite for any logits; T^2
   * keeps the gradient's scale independent of T. Gradients flow to both arguments: wrap a teacher
   * that must not learn from this term in stop_gradient. Equals PyTorch's
   * {@code kl_div(log_softmax(s/T), softmax(t/T), reduction="batchmean") * T*T} for [B, C] logits.
   */
  static Node klDiv(IrBuilder b, Node student, Node teacher, double temperature) {
    if (!teacher.shape().equals(student.shape()) || teacher.dtype() != student.dtype() || student.shape().rank() < 1) {
      throw new IrException("kl_div: student logits " + student.type() + " and teacher logits " + teacher.type()
          + " must have the same type, with a class axis last");
    }
    int classAxis = student.shape().rank() - 1;
    Node invT = b.scalar(1 / temperature, student);
    Node logP = b.logSoftmax(b.mul(teacher, invT), classAxis);
    Node logQ = b.logSoftmax(b.mul(student, invT), classAxis);
    Node p = b.softmax(b.mul(teacher, invT), classAxis);
    Node perRow = b.reduce(ReduceOp.SUM, b.mul(p, b.sub(logP, logQ)), Axes.of(classAxis), false);
    Node mean = Builtins.mean(b, perRow, Axes.all(perRow.shape().rank()), false);
    return b.mul(mean, b.scalar(temperature * temperature, mean));
  }
}
