package nnc.compiler.lower;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Linalg;
import nnc.compiler.ir.Reduction;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.Optimizers;
import nnc.compiler.ir.Shape;
import nnc.compiler.ir.TrainSpec;
import nnc.compiler.ir.UnaryOp;
import nnc.compiler.kernel.Fx;
import nnc.compiler.kernel.Ix;
import nnc.compiler.kernel.Space;
import nnc.compiler.kernel.St;

/**
 * The parameter update at the end of the training step, one fused loop per parameter, following
 * PyTorch's definitions of each optimizer. The learning rate and the step count live in P as
 * hyper-parameters, so schedules and checkpoints see them; optimizer state (momentum, moments)
 * lives in P beside the parameters.
 */
final class UpdateRules {
  private final EntryLowering e;
  private final Layout layout;
  private final TrainSpec.Call opt;

  private final double l1;
  private final double l2;
  private final boolean clip;
  private final double lossScale;

  private UpdateRules(EntryLowering e, Layout layout, Graph g) {
    this.e = e;
    this.layout = layout;
    this.opt = g.train().optimizer();
    this.l1 = option(g, "l1");
    this.l2 = option(g, "l2");
    this.clip = option(g, "clip") > 0;
    this.lossScale = option(g, "loss_scale") > 0 ? option(g, "loss_scale") : 1;
  }

  /** A numeric train clause ({@code clip 1.0}, {@code l2 1e-4}), or 0 when absent. */
  static double option(Graph g, String name) {
    Object v = g.train().options().get(name);
    return v instanceof Number n ? n.doubleValue() : 0;
  }

  /**
   * Parameters whose plain SGD step can be fused into their gradient's matmul (W += (-lr) X^T G),
   * so the weight gradient is never stored: sgd without momentum or weight decay, a gradient that
   * is a matmul of the parameter's shape, used by nothing but the update.
   */
  static Map<String, Node> directSgd(Graph g, Map<String, Node> roots) {
    Map<String, Node> out = new java.util.LinkedHashMap<>();
    TrainSpec.Call opt = g.train().optimizer();
    if (!opt.name().equals("sgd") || Optimizers.get(opt, "momentum") != 0 || Optimizers.get(opt, "weight_decay") != 0) return out;
    if (option(g, "clip") > 0 || option(g, "l1") != 0 || option(g, "l2") != 0 || option(g, "loss_scale") > 0) {
      return out; // they need the whole gradient
    }
    for (Leaf.Param p : g.params()) {
      Node grad = roots.get("grad." + p.name());
      boolean fusable = grad instanceof Linalg.MatMul
          || (grad instanceof Reduction.Reduce r && r.op() == nnc.compiler.ir.ReduceOp.SUM
              && !r.axes().contains(r.x().shape().rank() - 1));
      if (!fusable || !grad.shape().equals(p.shape())) continue;
      Map<String, Node> others = new java.util.LinkedHashMap<>(roots);
      others.remove("grad." + p.name());
      if (Graph.topoOrder(others.values()).contains(grad)) continue;
      out.put(p.name(), grad);
    }
    return out;
  }

  static void emit(EntryLowering e, Graph g, Map<String, Node> roots, Layout layout) {
    emit(e, g, roots, layout, Map.of());
  }

  static void emit(EntryLowering e, Graph g, Map<String, Node> roots, Layout layout, Map<String, Node> direct) {
    TrainSpec.Call opt = g.train().optimizer();
    UpdateRules u = new UpdateRules(e, layout, g);
    int lrAt = layout.hyper("lr", (float) Optimizers.get(opt, "lr"));
    int stepAt = layout.hyper("step", 0f);
    // The step counter first: Adam's bias corrections use the step being taken (t = 1, 2, ...).
    e.emitRaw("step", "step += 1", "update", List.of(new St.Store(Space.P, Ix.c(stepAt),
        add(new Fx.Load(Space.P, Ix.c(stepAt)), Fx.c(1)), false)), List.of());
    if (u.clip) u.gradientNorm(g, roots, stepAt);
    for (Leaf.Param p : g.params()) {
      Node grad = roots.get("grad." + p.name());
      if (grad == null) continue;
      Node d = direct.get(p.name());
      if (d != null) {
        List<St> body = new ArrayList<>();
        body.add(new St.DeclareFloat("lr", new Fx.Load(Space.P, Ix.c(lrAt))));
        Fx minusLr = new Fx.Unary(UnaryOp.NEG, new Fx.Local("lr"));
        String describe = opt + ": " + p.name() + " += (-lr) * (" + d.opName() + " of its gradient), the gradient never stored";
        if (d instanceof Linalg.MatMul m) {
          body.addAll(MatMuls.lower(e, m, layout.pBuffer(p), true, minusLr));
          e.emitRaw("sgd_" + ModelCompiler.javaName(p.name()), describe, "matmul+update", body,
              MatMuls.reads(e, m).stream().map(e::buffer).toList());
        } else {
          Reduction.Reduce r = (Reduction.Reduce) d;
          body.addAll(Reductions.accumulateInto(e, r, layout.pBuffer(p), minusLr));
          e.emitRaw("sgd_" + ModelCompiler.javaName(p.name()), describe, "reduce+update", body, List.of(e.buffer(r.x())));
        }
        continue;
      }
      List<St> body = new ArrayList<>();
      body.add(new St.DeclareFloat("lr", new Fx.Load(Space.P, Ix.c(lrAt))));
      body.add(new St.DeclareFloat("t", new Fx.Load(Space.P, Ix.c(stepAt))));
      if (u.clip) body.add(u.clipFactor(g));
      body.addAll(u.update(p, grad));
      List<Buffer> reads = EntryLowering.inlined(grad) ? List.of() : List.of(e.buffer(grad));
      e.emitRaw(opt.name() + "_" + ModelCompiler.javaName(p.name()), opt + ": update " + p.name(), "update", body, reads);
    }
  }

  private List<St> update(Leaf.Param p, Node grad) {
    Buffer pb = layout.pBuffer(p);
    Shape s = p.shape();
    double wd = Optimizers.get(opt, "weight_decay");
    return switch (opt.name()) {
      case "sgd", "momentum", "nesterov" -> {
        double mu = Optimizers.get(opt, "momentum");
        Buffer v = mu != 0 ? layout.state("state." + p.name() + ".momentum", p) : null;
        yield Loops.elementwise(layout, s, "i", idx -> {
          Fx w = load(pb, idx), g = l2(grad(grad, s, idx, load(pb, idx)), w, wd);
          if (v == null) return List.of(store(pb, idx, sub(w, mul(local("lr"), g))));
          // v = mu v + g;  p -= lr * v  (nesterov: p -= lr * (g + mu v))
          Fx vNew = add(mul(c(mu), load(v, idx)), g);
          Fx dir = opt.name().equals("nesterov") ? add(g, mul(c(mu), load(v, idx))) : load(v, idx);
          return List.of(store(v, idx, vNew), store(pb, idx, sub(w, mul(local("lr"), dir))));
        });
      }
      case "rmsprop" -> {
        double alpha = Optimizers.get(opt, "alpha"), eps = Optimizers.get(opt, "eps");
        Buffer sq = layout.state("state." + p.name() + ".square_avg", p);
        yield Loops.elementwise(layout, s, "i", idx -> {
          Fx w = load(pb, idx), g = l2(grad(grad, s, idx, load(pb, idx)), w, wd);
          return List.of(store(sq, idx, add(mul(c(alpha), load(sq, idx)), mul(c(1 - alpha), mul(g, g)))),
              store(pb, idx, sub(w, div(mul(local("lr"), g), add(sqrt(load(sq, idx)), c(eps))))));
        });
      }
      case "adam", "adamw" -> adam(p, grad, pb, s, wd);
      case "lion" -> {
        double b1 = Optimizers.get(opt, "beta1"), b2 = Optimizers.get(opt, "beta2");
        Buffer m = layout.state("state." + p.name() + ".exp_avg", p);
        yield Loops.elementwise(layout, s, "i", idx -> {
          Fx w = load(pb, idx), g = grad(grad, s, idx, load(pb, idx));
          // p -= lr * (sign(b1 m + (1 - b1) g) + wd p);  m = b2 m + (1 - b2) g
          Fx dir = new Fx.Unary(UnaryOp.SIGN, add(mul(c(b1), load(m, idx)), mul(c(1 - b1), g)));
          return List.of(store(pb, idx, sub(w, mul(local("lr"), add(dir, mul(c(wd), w))))),
              store(m, idx, add(mul(c(b2), load(m, idx)), mul(c(1 - b2), g))));
        });
      }
      default -> throw new ModelCompiler.Unsupported("compile: unknown optimizer " + opt.name());
    };
  }

  /** Adam (L2 weight decay in the gradient) or AdamW (decoupled weight decay on the weights). */
  private List<St> adam(Leaf.Param p, Node grad, Buffer pb, Shape s, double wd) {
    double b1 = Optimizers.get(opt, "beta1"), b2 = Optimizers.get(opt, "beta2"), eps = Optimizers.get(opt, "eps");
    boolean decoupled = opt.name().equals("adamw");
    Buffer m = layout.state("state." + p.name() + ".exp_avg", p);
    Buffer v = layout.state("state." + p.name() + ".exp_avg_sq", p);
    List<St> body = new ArrayList<>();
    body.add(new St.DeclareFloat("bc1", sub(c(1), new Fx.Binary(BinaryOp.POW, c(b1), local("t")))));
    body.add(new St.DeclareFloat("bc2", sub(c(1), new Fx.Binary(BinaryOp.POW, c(b2), local("t")))));
    body.addAll(Loops.elementwise(layout, s, "i", idx -> {
      Fx w = load(pb, idx);
      Fx g = decoupled ? grad(grad, s, idx, load(pb, idx)) : l2(grad(grad, s, idx, load(pb, idx)), w, wd);
      Fx wDecayed = decoupled && wd != 0 ? sub(w, mul(mul(local("lr"), c(wd)), w)) : w;
      Fx mHat = div(load(m, idx), local("bc1")), vHat = div(load(v, idx), local("bc2"));
      return List.of(
          store(m, idx, add(mul(c(b1), load(m, idx)), mul(c(1 - b1), g))),
          store(v, idx, add(mul(c(b2), load(v, idx)), mul(c(1 - b2), mul(g, g)))),
          store(pb, idx, sub(wDecayed, div(mul(local("lr"), mHat), add(sqrt(vHat), c(eps))))));
    }));
    return body;
  }

  /**
   * The gradient as the update uses it: scaled by the clipping factor, plus the L2 term
   * {@code l2 * w} (penalty l2/2 ||w||^2) and the L1 term {@code l1 * sign(w)}.
   */
  private Fx grad(Node grad, Shape s, Ix[] idx, Fx w) {
    Fx g = e.value(grad, s, idx);
    if (lossScale != 1) g = mul(g, c(1 / lossScale)); // undo loss scaling before anything else
    if (clip) g = mul(g, local("clip_factor"));
    if (l2 != 0) g = add(g, mul(c(l2), w));
    if (l1 != 0) g = add(g, mul(c(l1), new Fx.Unary(UnaryOp.SIGN, w)));
    return g;
  }

  /**
   * Global-norm clipping (PyTorch's clip_grad_norm_): the squared norm of all gradients is summed
   * into a hyper-parameter slot before any update, then every update scales its gradient by
   * min(1, clip / (norm + 1e-6)).
   */
  private void gradientNorm(Graph g, Map<String, Node> roots, int stepAt) {
    int at = layout.hyper("grad_norm2", 0f);
    List<St> body = new ArrayList<>();
    body.add(new St.Store(Space.P, Ix.c(at), Fx.c(0), false));
    List<Buffer> reads = new ArrayList<>();
    for (Leaf.Param p : g.params()) {
      Node grad = roots.get("grad." + p.name());
      if (grad == null) continue;
      if (!EntryLowering.inlined(grad)) reads.add(e.buffer(grad));
      int n = (int) p.shape().staticSize();
      // Gradients are stored row-major like their parameters: sum their squares as flat arrays.
      Fx gq = EntryLowering.inlined(grad) ? e.value(grad, Shape.SCALAR, new Ix[0])
          : new Fx.Load(e.buffer(grad).space(), Ix.add(e.offset(e.buffer(grad)), Ix.v("q")));
      body.add(new St.DeclareFloat("ss", Fx.c(0)));
      if (lossScale != 1) gq = mul(gq, c(1 / lossScale));
      body.add(new St.ReduceLoop("q", Ix.c(0), Ix.c(n), "ss", nnc.compiler.ir.ReduceOp.SUM, mul(gq, gq)));
      body.add(new St.Store(Space.P, Ix.c(at), add(new Fx.Load(Space.P, Ix.c(at)), local("ss")), false));
    }
    e.emitRaw("grad_norm", "clip: the squared global norm of the gradients", "update", body, reads);
  }

  private St clipFactor(Graph g) {
    int at = layout.hypers().get("grad_norm2");
    Fx norm = sqrt(new Fx.Load(Space.P, Ix.c(at)));
    Fx coef = div(c(option(g, "clip")), add(norm, c(1e-6)));
    return new St.DeclareFloat("clip_factor", new Fx.Binary(nnc.compiler.ir.BinaryOp.MIN, c(1), coef));
  }

  private Fx l2(Fx g, Fx w, double wd) {
    return wd == 0 ? g : add(g, mul(c(wd), w));
  }

  private Fx load(Buffer b, Ix[] idx) {
    return new Fx.Load(Space.P, e.at(b, idx));
  }

  private St.Store store(Buffer b, Ix[] idx, Fx v) {
    return new St.Store(Space.P, e.at(b, idx), v, false);
  }

  private static Fx local(String n) {
    return new Fx.Local(n);
  }

  private static Fx c(double v) {
    return Fx.c((float) v);
  }

  private static Fx add(Fx a, Fx b) {
    return new Fx.Binary(BinaryOp.ADD, a, b);
  }

  private static Fx sub(Fx a, Fx b) {
    return new Fx.Binary(BinaryOp.SUB, a, b);
  }

  private static Fx mul(Fx a, Fx b) {
    return new Fx.Binary(BinaryOp.MUL, a, b);
  }

  private static Fx div(Fx a, Fx b) {
    return new Fx.Binary(BinaryOp.DIV, a, b);
  }

  private static Fx sqrt(Fx a) {
    return new Fx.Unary(UnaryOp.SQRT, a);
  }
}
