package nnc.compiler.frontend;

import java.util.ArrayList;
import java.util.List;
import nnc.compiler.ir.Axes;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.IrException;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Shape;
import nnc.compiler.ir.UnaryOp;

/**
 * Batch normalization (Ioffe & Szegedy 2015) with PyTorch's conventions, pinned in DESIGN.md:
 * the training step normalizes by the batch's statistics (biased variance) and moves the running
 * statistics toward them, {@code running = (1 - momentum) * running + momentum * batch_stat}
 * with the unbiased (Bessel-corrected) batch variance; inference and evaluation normalize by the
 * running statistics. One compiled model does both: the choice is a {@code by_mode} node that
 * each entry point resolves, and the running statistics are model state updated by the step.
 * Built from primitives, so autodiff derives the (well-known, three-term) gradient itself.
 */
final class BatchNorms {
  private BatchNorms() {}

  static void define() {
    Builtins.def("batch_norm", List.of("x", "gamma", "beta", "running_mean", "running_var", "momentum=0.1", "eps=1e-5"),
        (a, b, ex) -> {
          Node x = a.tensor("x");
          if (!x.type().isFloat() || x.shape().rank() < 2) {
            throw new IrException("batch_norm: x must be a float tensor [N, C] or [N, C, H, W] (channels on axis 1), got " + x.type());
          }
          if (!(x.shape().get(1) instanceof Dim.Fixed c)) throw new IrException("batch_norm: the channel axis of " + x.type() + " must be fixed");
          Shape channels = Shape.of(c.size());
          Node gamma = perChannel(a, "gamma", x, channels), beta = perChannel(a, "beta", x, channels);
          Node mean = perChannel(a, "running_mean", x, channels), var = perChannel(a, "running_var", x, channels);
          double momentum = a.number("momentum"), eps = a.number("eps");
          if (!(momentum >= 0 && momentum <= 1)) throw new IrException("batch_norm: momentum must be in [0, 1], got " + momentum);
          if (!(eps > 0)) throw new IrException("batch_norm: eps must be positive, got " + eps);
          Norm n = batchNorm(b, x, gamma, beta, mean, var, momentum, eps);
          Elaborator el = ex.elaborator();
          // momentum 0 freezes the running statistics: nothing to update
          if (momentum > 0) {
            el.updateState(mean, n.nextMean(), a.at("running_mean"), "batch_norm");
            el.updateState(var, n.nextVar(), a.at("running_var"), "batch_norm");
          } else {
            requireState(el, mean, a, "running_mean");
            requireState(el, var, a, "running_var");
          }
          return Builtins.t(n.y());
        });
  }

  /** The normalized output (by mode) and the new running statistics computed by the training forward pass. */
  record Norm(Node y, Node nextMean, Node nextVar) {}

  /**
   * y = gamma * (x - mu) / sqrt(var + eps) + beta per channel (axis 1), with (mu, var) the batch's
   * mean and biased variance over every other axis in training, the running ones otherwise.
   */
  static Norm batchNorm(IrBuilder b, Node x, Node gamma, Node beta, Node runningMean, Node runningVar, double momentum, double eps) {
    Axes over = statisticsAxes(x.shape().rank());
    Shape bcast = broadcastShape(x.shape());
    Node eps0 = b.scalar(eps, x);
    // training: batch statistics (kept [1, C, 1, ...] so that they broadcast against x)
    Node mu = Builtins.mean(b, x, over, true);
    Node centered = b.sub(x, mu);
    Node biased = Builtins.mean(b, b.mul(centered, centered), over, true);
    Node train = affine(b, b.div(centered, b.unary(UnaryOp.SQRT, b.add(biased, eps0))), gamma, beta, bcast);
    // evaluation: running statistics
    Node evalCentered = b.sub(x, b.reshape(runningMean, bcast));
    Node eval = affine(b, b.div(evalCentered, b.unary(UnaryOp.SQRT, b.add(b.reshape(runningVar, bcast), eps0))), gamma, beta, bcast);
    // running updates: the unbiased variance n/(n-1) * biased. PyTorch refuses a single value per
    // channel (n = 1); dividing by max(n - 1, 1) keeps the running variance finite instead.
    Node n = Builtins.count(b, x, over);
    Node bessel = b.div(n, b.binary(BinaryOp.MAX, b.sub(n, b.scalar(1, x)), b.scalar(1, x)));
    Shape channels = runningMean.shape();
    Node m = b.scalar(momentum, x), keep = b.scalar(1 - momentum, x);
    Node nextMean = b.add(b.mul(keep, runningMean), b.mul(m, b.reshape(mu, channels)));
    Node nextVar = b.add(b.mul(keep, runningVar), b.mul(m, b.mul(b.reshape(biased, channels), bessel)));
    return new Norm(b.byMode(train, eval), nextMean, nextVar);
  }

  private static Node affine(IrBuilder b, Node xhat, Node gamma, Node beta, Shape bcast) {
    return b.add(b.mul(xhat, b.reshape(gamma, bcast)), b.reshape(beta, bcast));
  }

  /** Every axis but the channel axis 1. */
  static Axes statisticsAxes(int rank) {
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < rank; i++) if (i != 1) axes.add(i);
    return new Axes(axes);
  }

  /** [C] viewed as [C, 1, ...] so that it broadcasts along axis 1 of x (the leading 1 is implied). */
  private static Shape broadcastShape(Shape x) {
    List<Dim> dims = new ArrayList<>();
    dims.add(x.get(1));
    for (int i = 2; i < x.rank(); i++) dims.add(Dim.of(1));
    return new Shape(dims);
  }

  private static Node perChannel(Args a, String name, Node x, Shape channels) {
    Node v = a.tensorLike(name, x);
    if (v.dtype() != x.dtype() || !v.shape().equals(channels)) {
      throw new IrException("batch_norm: " + name + " must be " + x.dtype().languageName() + channels + " (one value per channel of "
          + x.type() + "), got " + v.type());
    }
    return v;
  }

  private static void requireState(Elaborator el, Node v, Args a, String name) {
    if (!(v instanceof Leaf.State)) {
      throw el.error(a.at(name), "batch_norm: " + name + " must be a model state declared with 'state', got " + v.opName() + " " + v.type());
    }
  }
}
