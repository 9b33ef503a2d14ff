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

  private UpdateRules(EntryLowering e, Layout layout, TrainSpec.Call opt) {
    this.e = e;
    this.layout = layout;
    this.opt = opt;
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
    UpdateRules u = new UpdateRules(e, layout, opt);
    int lrAt = layout.hyper("lr", (float) Optimizers.get(opt, "lr"));
    int stepAt = layout.hyper("step", 0f);
    // The step counter first: Adam's bias corrections use the step being taken (t = 1, 2, ...).
    e.emitRaw("step", "step += 1", "update", List.of(new St.Store(Space.P, Ix.c(stepAt),
        add(new Fx.Load(Space.P, Ix.c(stepAt)), Fx.c(1)), false)), List.of());
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
          body.addAll(MatMuls.lower(e, m, layout.pBuffer(p), false, minusLr));
          e.emitRaw("sgd_" + ModelCompiler.javaName(p.name()), describe, "matmul+update", body, List.of(e.buffer(m.a()), e.buffer(m.b())));
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
          Fx w = load(pb, idx), g = l2(e.value(grad, s, idx), w, wd);
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
          Fx w = load(pb, idx), g = l2(e.value(grad, s, idx), w, wd);
          return List.of(store(sq, idx, add(mul(c(alpha), load(sq, idx)), mul(c(1 - alpha), mul(g, g)))),
              store(pb, idx, sub(w, div(mul(local("lr"), g), add(sqrt(load(sq, idx)), c(eps))))));
        });
      }
      case "adam", "adamw" -> adam(p, grad, pb, s, wd);
      case "lion" -> {
        double b1 = Optimizers.get(opt, "beta1"), b2 = Optimizers.get(opt, "beta2");
        Buffer m = layout.state("state." + p.name() + ".exp_avg", p);
        yield Loops.elementwise(layout, s, "i", idx -> {
          Fx w = load(pb, idx), g = e.value(grad, s, idx);
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
      Fx g = decoupled ? e.value(grad, s, idx) : l2(e.value(grad, s, idx), w, wd);
      Fx wDecayed = decoupled && wd != 0 ? sub(w, mul(mul(local("lr"), c(wd)), w)) : w;
      Fx mHat = div(load(m, idx), local("bc1")), vHat = div(load(v, idx), local("bc2"));
      return List.of(
          store(m, idx, add(mul(c(b1), load(m, idx)), mul(c(1 - b1), g))),
          store(v, idx, add(mul(c(b2), load(v, idx)), mul(c(1 - b2), mul(g, g)))),
          store(pb, idx, sub(wDecayed, div(mul(local("lr"), mHat), add(sqrt(vHat), c(eps))))));
    }));
    return body;
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
