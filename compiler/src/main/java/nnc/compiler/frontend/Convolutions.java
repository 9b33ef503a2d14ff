package nnc.compiler.frontend;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import nnc.compiler.ir.Axes;
import nnc.compiler.ir.Dim;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.Shape;
import nnc.compiler.ir.TensorType;
import nnc.compiler.ir.Window;

/**
 * Convolution and pooling (PyTorch's semantics and NCHW layout), written in primitives: a zero
 * {@code pad}, an {@code unfold} that lays every window out as a column, and then a matmul with
 * the weights (convolution) or a reduction over the window axes (pooling). Their gradients come
 * from those primitives' rules: the input gradient of a convolution is a matmul followed by a
 * {@code fold}, the weight gradient a matmul with the unfolded input.
 * Output size along an axis: floor((H + 2p - d(k-1) - 1)/s) + 1.
 */
final class Convolutions {
  private Convolutions() {}

  /** Kernel, stride, padding or dilation along height and width. */
  private record Pair(int h, int w) {}

  static void define() {
    Builtins.def("conv2d", List.of("x", "w", "b=none", "stride=1", "padding=0", "dilation=1", "groups=1"), (a, b, ex) -> {
      Node x = a.tensor("x");
      Node w = a.tensor("w");
      Node bias = a.has("b") ? a.tensorLike("b", x) : null;
      return Builtins.t(conv2d(a, b, ex, "conv2d", x, w, bias, pair(a, ex, "conv2d", "stride", 1), pair(a, ex, "conv2d", "padding", 0),
          pair(a, ex, "conv2d", "dilation", 1), a.integer("groups")));
    });
    Builtins.def("conv1d", List.of("x", "w", "b=none", "stride=1", "padding=0", "dilation=1", "groups=1"), (a, b, ex) -> {
      Node x = a.tensor("x");
      Node w = a.tensor("w");
      Node bias = a.has("b") ? a.tensorLike("b", x) : null;
      rank(a, ex, "conv1d", "x", x, 3, "[N, C, L]");
      rank(a, ex, "conv1d", "w", w, 3, "[O, C/groups, k]");
      // A convolution over a unit height: [N, C, 1, L] with a [O, C/g, 1, k] kernel.
      Node x4 = b.reshape(x, x.shape().insert(2, Dim.of(1)));
      Node w4 = b.reshape(w, w.shape().insert(2, Dim.of(1)));
      Node y = conv2d(a, b, ex, "conv1d", x4, w4, bias, new Pair(1, single(a, ex, "conv1d", "stride", 1)),
          new Pair(0, single(a, ex, "conv1d", "padding", 0)), new Pair(1, single(a, ex, "conv1d", "dilation", 1)), a.integer("groups"));
      return Builtins.t(b.reshape(y, y.shape().remove(2)));
    });
    Builtins.def("max_pool2d", List.of("x", "kernel", "stride=none", "padding=0"), (a, b, ex) -> {
      Node x = a.tensor("x");
      Node u = pooled(a, b, ex, "max_pool2d", x, true);
      int r = u.shape().rank();
      return Builtins.t(b.reduce(ReduceOp.MAX, u, Axes.of(r - 4, r - 3), false));
    });
    // count_include_pad, as PyTorch's default: padded zeros count in the mean.
    Builtins.def("avg_pool2d", List.of("x", "kernel", "stride=none", "padding=0"), (a, b, ex) -> {
      Node x = a.tensor("x");
      Node u = pooled(a, b, ex, "avg_pool2d", x, false);
      int r = u.shape().rank();
      return Builtins.t(Builtins.mean(b, u, Axes.of(r - 4, r - 3), false));
    });
    Builtins.def("global_avg_pool", List.of("x"), (a, b, ex) -> {
      Node x = a.tensor("x");
      rank(a, ex, "global_avg_pool", "x", x, 4, "[N, C, H, W]");
      return Builtins.t(Builtins.mean(b, x, Axes.of(2, 3), false));
    });
    Builtins.def("pad", List.of("x", "widths"), (a, b, ex) -> {
      Node x = a.tensor("x");
      return Builtins.t(zeroPad(a, b, ex, x));
    });
  }

  /** pad -> unfold -> [N, (G,) C/G*kh*kw, OH*OW], times the weights as [(G,) O/G, C/G*kh*kw]. */
  private static Node conv2d(Args a, IrBuilder b, Expressions ex, String fn, Node x, Node w, Node bias,
      Pair stride, Pair padding, Pair dilation, int groups) {
    rank(a, ex, fn, "x", x, 4, fn.equals("conv1d") ? "[N, C, L]" : "[N, C, H, W]");
    rank(a, ex, fn, "w", w, 4, fn.equals("conv1d") ? "[O, C/groups, k]" : "[O, C/groups, kh, kw]");
    if (!w.shape().isStatic()) throw ex.elaborator().error(a.at("w"), fn + ": weight " + w.type() + " must have fixed sizes");
    int o = size(w, 0), cg = size(w, 1), kh = size(w, 2), kw = size(w, 3);
    int c = fixedAxis(a, ex, fn, x, 1, "channel");
    if (groups < 1) throw ex.elaborator().error(a.at("groups"), fn + ": groups must be positive, got " + groups);
    if (c % groups != 0 || o % groups != 0) {
      throw ex.elaborator().error(a.at("groups"), fn + ": groups=" + groups + " must divide both the " + c
          + " input channels of " + x.type() + " and the " + o + " output channels of " + w.type());
    }
    if (cg != c / groups) {
      throw ex.elaborator().error(a.at("w"), fn + ": input " + x.type() + " has " + c + " channels, so weight " + w.type()
          + " needs " + (c / groups) + " input channels per group (groups=" + groups + "), not " + cg);
    }
    if (bias != null && !bias.shape().equals(Shape.of(o))) {
      throw ex.elaborator().error(a.at("b"), fn + ": bias " + bias.type() + " must have shape [" + o + "] (one per output channel)");
    }
    Node u = windows(a, ex, b, fn, x, new Pair(kh, kw), stride, padding, dilation, false);
    Shape us = u.shape();
    int oh = size(u, 4), ow = size(u, 5), k = cg * kh * kw, l = oh * ow;
    Dim n = x.shape().get(0);
    Node y;
    if (groups == 1) {
      Node cols = b.reshape(u, Shape.of(n, Dim.of(k), Dim.of(l)));
      y = b.matmul(b.reshape(w, Shape.of(o, k)), cols);
    } else {
      Node cols = b.reshape(u, Shape.of(n, Dim.of(groups), Dim.of(k), Dim.of(l)));
      y = b.matmul(b.reshape(w, Shape.of(groups, o / groups, k)), cols);
    }
    y = b.reshape(y, Shape.of(n, Dim.of(o), us.get(4), us.get(5)));
    return bias == null ? y : b.add(y, b.reshape(bias, Shape.of(o, 1, 1)));
  }

  /**
   * The windows of a pooling: pad (with -inf for max pooling, so padding never wins; zeros for
   * average pooling) and unfold, giving [..., kh, kw, OH, OW].
   */
  private static Node pooled(Args a, IrBuilder b, Expressions ex, String fn, Node x, boolean max) {
    if (x.shape().rank() < 3) {
      throw ex.elaborator().error(a.at("x"), fn + ": expects [N, C, H, W] (or [C, H, W]), got " + x.type());
    }
    Pair kernel = pair(a, ex, fn, "kernel", 1);
    Pair stride = a.has("stride") ? pair(a, ex, fn, "stride", 1) : kernel;
    Pair padding = pair(a, ex, fn, "padding", 0);
    if (2 * padding.h() > kernel.h() || 2 * padding.w() > kernel.w()) {
      throw ex.elaborator().error(a.at("padding"), fn + ": padding " + padding.h() + "x" + padding.w()
          + " must be at most half the kernel " + kernel.h() + "x" + kernel.w());
    }
    return windows(a, ex, b, fn, x, kernel, stride, padding, new Pair(1, 1), max);
  }

  /** Pads the last two axes of x and unfolds them; errors name the function and the sizes. */
  private static Node windows(Args a, Expressions ex, IrBuilder b, String fn, Node x, Pair kernel, Pair stride,
      Pair padding, Pair dilation, boolean negInfPadding) {
    int r = x.shape().rank();
    int h = fixedAxis(a, ex, fn, x, r - 2, "height"), w = fixedAxis(a, ex, fn, x, r - 1, "width");
    int hp = h + 2 * padding.h(), wp = w + 2 * padding.w();
    int oh = Window.Geometry.positions(hp, kernel.h(), stride.h(), dilation.h());
    int ow = Window.Geometry.positions(wp, kernel.w(), stride.w(), dilation.w());
    if (oh < 1 || ow < 1) {
      throw ex.elaborator().error(a.at(), fn + ": the " + (dilation.h() > 1 || dilation.w() > 1 ? "dilated " : "") + "kernel "
          + (dilation.h() * (kernel.h() - 1) + 1) + "x" + (dilation.w() * (kernel.w() - 1) + 1) + " does not fit in the "
          + hp + "x" + wp + " image of " + x.type() + (padding.h() > 0 || padding.w() > 0
              ? " padded by " + padding.h() + "x" + padding.w() : "") + " (output size " + oh + "x" + ow + ")");
    }
    List<Integer> lo = new ArrayList<>(Collections.nCopies(r, 0));
    lo.set(r - 2, padding.h());
    lo.set(r - 1, padding.w());
    Node xp = b.pad(x, lo, lo);
    if (negInfPadding && (padding.h() > 0 || padding.w() > 0)) {
      // -inf on the padded frame, 0 inside: adding it leaves x and makes the padding lose every max.
      double[] frame = new double[hp * wp];
      for (int i = 0; i < hp; i++) {
        for (int j = 0; j < wp; j++) {
          boolean inside = i >= padding.h() && i < padding.h() + h && j >= padding.w() && j < padding.w() + w;
          frame[i * wp + j] = inside ? 0 : Double.NEGATIVE_INFINITY;
        }
      }
      xp = b.add(xp, b.constant(frame, new TensorType(x.dtype(), Shape.of(hp, wp))));
    }
    return b.unfold(xp, new Window.Geometry(kernel.h(), kernel.w(), stride.h(), stride.w(), dilation.h(), dilation.w()));
  }

  /** {@code pad(x, widths)}: widths lists [lo, hi] zero counts for the last len(widths) axes. */
  private static Node zeroPad(Args a, IrBuilder b, Expressions ex, Node x) {
    List<Value> widths = a.list("widths");
    int r = x.shape().rank();
    if (widths.size() > r) {
      throw ex.elaborator().error(a.at("widths"), "pad: " + widths.size() + " [lo, hi] pairs for " + x.type() + " of rank " + r);
    }
    List<Integer> lo = new ArrayList<>(Collections.nCopies(r, 0)), hi = new ArrayList<>(Collections.nCopies(r, 0));
    for (int i = 0; i < widths.size(); i++) {
      int axis = r - widths.size() + i;
      if (!(widths.get(i) instanceof Value.Items p) || p.items().size() != 2 || !nonNegative(p.items().get(0))
          || !nonNegative(p.items().get(1))) {
        throw ex.elaborator().error(a.at("widths"), "pad: each width must be a pair [lo, hi] of non-negative integers, got "
            + Value.describe(widths.get(i)) + " for axis " + axis);
      }
      lo.set(axis, (int) ((Value.Num) p.items().get(0)).value());
      hi.set(axis, (int) ((Value.Num) p.items().get(1)).value());
      if ((lo.get(axis) > 0 || hi.get(axis) > 0) && !(x.shape().get(axis) instanceof Dim.Fixed)) {
        throw ex.elaborator().error(a.at("widths"), "pad: cannot pad the symbolic axis " + axis + " of " + x.type());
      }
    }
    return b.pad(x, lo, hi);
  }

  private static boolean nonNegative(Value v) {
    return v instanceof Value.Num n && n.integral() && n.value() >= 0;
  }

  /** An int (both axes) or a pair [h, w]; at least {@code min}. */
  private static Pair pair(Args a, Expressions ex, String fn, String name, int min) {
    Value v = a.value(name);
    List<Value> items = v instanceof Value.Items l ? l.items() : List.of(v, v);
    if (items.size() != 2 || !items.stream().allMatch(i -> i instanceof Value.Num n && n.integral() && n.value() >= min)) {
      throw ex.elaborator().error(a.at(name), fn + ": " + name + " must be " + (min > 0 ? "a positive" : "a non-negative")
          + " integer or a pair of them, got " + describe(v));
    }
    return new Pair((int) ((Value.Num) items.get(0)).value(), (int) ((Value.Num) items.get(1)).value());
  }

  /** An int (or a one-element list) for conv1d. */
  private static int single(Args a, Expressions ex, String fn, String name, int min) {
    Value v = a.value(name);
    Value item = v instanceof Value.Items l && l.items().size() == 1 ? l.items().get(0) : v;
    if (!(item instanceof Value.Num n && n.integral() && n.value() >= min)) {
      throw ex.elaborator().error(a.at(name), fn + ": " + name + " must be " + (min > 0 ? "a positive" : "a non-negative")
          + " integer, got " + describe(v));
    }
    return (int) n.value();
  }

  private static String describe(Value v) {
    return v instanceof Value.Num n ? nnc.compiler.ir.Leaf.Literal.format(n.value()) : Value.describe(v);
  }

  private static void rank(Args a, Expressions ex, String fn, String arg, Node t, int rank, String layout) {
    if (t.shape().rank() != rank) {
      throw ex.elaborator().error(a.at(arg), fn + ": " + arg + " must be " + layout + ", got " + t.type());
    }
  }

  private static int fixedAxis(Args a, Expressions ex, String fn, Node x, int axis, String what) {
    if (x.shape().get(axis) instanceof Dim.Fixed f) return f.size();
    throw ex.elaborator().error(a.at("x"), fn + ": the " + what + " axis of " + x.type() + " must have a fixed size");
  }

  private static int size(Node t, int axis) {
    return ((Dim.Fixed) t.shape().get(axis)).size();
  }
}
