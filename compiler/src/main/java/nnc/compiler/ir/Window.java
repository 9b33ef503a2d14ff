package nnc.compiler.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * Sliding windows over the last two axes: {@link Unfold} (im2col) copies every kernel-sized patch
 * out of an image, {@link Fold} (col2im) sums patches back into an image. Both are linear and each
 * is the other's transpose, so the family is closed under differentiation: convolution and pooling
 * are built from them with pad, reshape, matmul and reductions, and need no rules of their own.
 * Padding is not part of the window: a separate {@link Movement.Pad} node does it.
 */
public final class Window {
  private Window() {}

  /** Kernel size, stride and dilation along the two window axes (height, width). */
  public record Geometry(int kh, int kw, int sh, int sw, int dh, int dw) {
    /** Output positions along an axis of {@code size}: floor((size - d(k-1) - 1) / s) + 1 (may be < 1). */
    public static int positions(int size, int k, int s, int d) {
      return Math.floorDiv(size - d * (k - 1) - 1, s) + 1;
    }

    int outH(int h) {
      return positions(h, kh, sh, dh);
    }

    int outW(int w) {
      return positions(w, kw, sw, dw);
    }

    @Override
    public String toString() {
      return "kernel=[" + kh + "," + kw + "] stride=[" + sh + "," + sw + "] dilation=[" + dh + "," + dw + "]";
    }
  }

  /** {@code x[..., H, W] -> out[..., kh, kw, OH, OW]} with out[..., i, j, p, q] = x[..., p*sh + i*dh, q*sw + j*dw]. */
  public record Unfold(Node x, Geometry geometry, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(x);
    }

    @Override
    public String opName() {
      return "unfold";
    }

    @Override
    public String attributes() {
      return geometry.toString();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Unfold u && x == u.x && geometry.equals(u.geometry);
    }

    @Override
    public int hashCode() {
      return Node.hash(geometry, inputs());
    }
  }

  /**
   * {@code x[..., kh, kw, OH, OW] -> out[..., H, W]}: every element x[..., i, j, p, q] is added to
   * out[..., p*sh + i*dh, q*sw + j*dw] (the transpose of {@link Unfold} for an image of H x W).
   */
  public record Fold(Node x, Geometry geometry, int h, int w, TensorType type, Meta meta) implements Node {
    @Override
    public List<Node> inputs() {
      return List.of(x);
    }

    @Override
    public String opName() {
      return "fold";
    }

    @Override
    public String attributes() {
      return geometry + " size=[" + h + "," + w + "]";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Fold f && x == f.x && geometry.equals(f.geometry) && h == f.h && w == f.w;
    }

    @Override
    public int hashCode() {
      return Node.hash(List.of(geometry, h, w), inputs());
    }
  }

  // ---- shape rules ----------------------------------------------------------------------------

  static TensorType unfoldType(TensorType x, Geometry g) {
    String what = "unfold: " + x + " with " + g;
    checkGeometry(what, g);
    if (!x.isFloat()) throw new IrException(what + ": expects a float tensor");
    int r = x.rank();
    if (r < 2) throw new IrException(what + ": needs at least two axes (height, width)");
    int h = fixed(what, x.shape(), r - 2), w = fixed(what, x.shape(), r - 1);
    int oh = g.outH(h), ow = g.outW(w);
    if (oh < 1 || ow < 1) {
      throw new IrException(what + ": the dilated kernel " + (g.dh() * (g.kh() - 1) + 1) + "x" + (g.dw() * (g.kw() - 1) + 1)
          + " does not fit in " + h + "x" + w);
    }
    List<Dim> out = new ArrayList<>(x.shape().dims().subList(0, r - 2));
    out.addAll(List.of(Dim.of(g.kh()), Dim.of(g.kw()), Dim.of(oh), Dim.of(ow)));
    return x.withShape(new Shape(out));
  }

  static TensorType foldType(TensorType x, Geometry g, int h, int w) {
    String what = "fold: " + x + " with " + g + " to size [" + h + "," + w + "]";
    checkGeometry(what, g);
    if (!x.isFloat()) throw new IrException(what + ": expects a float tensor");
    int r = x.rank();
    if (r < 4) throw new IrException(what + ": needs at least four axes (kh, kw, OH, OW)");
    if (h < 1 || w < 1) throw new IrException(what + ": the image size must be positive");
    List<Dim> want = List.of(Dim.of(g.kh()), Dim.of(g.kw()), Dim.of(g.outH(h)), Dim.of(g.outW(w)));
    if (!x.shape().dims().subList(r - 4, r).equals(want)) {
      throw new IrException(what + ": the last four axes must be " + want.toString().replace(" ", ""));
    }
    List<Dim> out = new ArrayList<>(x.shape().dims().subList(0, r - 4));
    out.addAll(List.of(Dim.of(h), Dim.of(w)));
    return x.withShape(new Shape(out));
  }

  private static void checkGeometry(String what, Geometry g) {
    if (g.kh() < 1 || g.kw() < 1 || g.sh() < 1 || g.sw() < 1 || g.dh() < 1 || g.dw() < 1) {
      throw new IrException(what + ": kernel size, stride and dilation must be positive");
    }
  }

  private static int fixed(String what, Shape s, int axis) {
    if (s.get(axis) instanceof Dim.Fixed f) return f.size();
    throw new IrException(what + ": window axis " + axis + " must have a fixed size, got " + s.get(axis));
  }

  // ---- gradient rules -------------------------------------------------------------------------

  /** Unfold is linear with transpose Fold: each output element copies one input element. */
  static Node[] vjp(IrBuilder b, Unfold n, Node g) {
    Shape s = n.x().shape();
    int r = s.rank();
    return new Node[] {b.fold(g, n.geometry(), ((Dim.Fixed) s.get(r - 2)).size(), ((Dim.Fixed) s.get(r - 1)).size())};
  }

  /** Fold sums copies, so its transpose gathers them again: the cotangent of a patch element is g at its target. */
  static Node[] vjp(IrBuilder b, Fold n, Node g) {
    return new Node[] {b.unfold(g, n.geometry())};
  }
}
