package nnc.compiler.ir;

import java.util.Map;

/**
 * The canonical text form of a graph, one node a line:
 * <pre>
 *   %6 : f32[B,500] = matmul %0 %2                       # mnist_mlp.nn:9:10
 *   %21 : f32[B,500] = mul %19 %20                       # from mnist_mlp.nn:9 relu
 * </pre>
 * Forward nodes show their span; nodes built by autodiff show the forward node's line and the
 * rule that produced them.
 */
public final class TextPrinter {
  private static final int COMMENT_COLUMN = 56;

  private TextPrinter() {}

  public static String print(Graph g) {
    return print(g, g.roots());
  }

  public static String print(Graph g, Map<String, Node> roots) {
    Numbering num = new Numbering(g, roots, true);
    StringBuilder sb = new StringBuilder("graph ").append(g.name()).append('\n');
    for (Node n : num.order()) {
      if (Numbering.isInlined(n)) continue;
      StringBuilder line = new StringBuilder("  %").append(num.id(n)).append(" : ").append(n.type())
          .append(" = ").append(n.opName());
      String attrs = n.attributes();
      if (!attrs.isEmpty()) line.append(' ').append(attrs);
      for (Node in : n.inputs()) line.append(' ').append(num.ref(in));
      String comment = comment(n.meta());
      if (!comment.isEmpty()) {
        while (line.length() < COMMENT_COLUMN) line.append(' ');
        line.append("  # ").append(comment);
      }
      sb.append(line).append('\n');
    }
    for (Map.Entry<String, Node> e : roots.entrySet()) {
      sb.append("  ").append(isLoss(g, e) ? "loss" : "output ").append(isLoss(g, e) ? "" : e.getKey())
          .append(" = ").append(num.ref(e.getValue())).append('\n');
    }
    if (g.train() != null) {
      sb.append("  train minimize %").append(num.id(g.train().objective())).append(" with ")
          .append(g.train().optimizer());
      g.train().options().entrySet().stream().sorted(Map.Entry.comparingByKey())
          .forEach(o -> sb.append(' ').append(o.getKey()).append(' ').append(o.getValue()));
      sb.append('\n');
    }
    return sb.toString();
  }

  private static boolean isLoss(Graph g, Map.Entry<String, Node> e) {
    return g.train() != null && e.getKey().equals("loss") && !g.outputs().containsKey("loss")
        && e.getValue() == g.train().objective();
  }

  /** {@code file:line:col} for forward nodes, {@code from file:line rule} for backward ones. */
  public static String comment(Meta m) {
    if (m.isBackward()) {
      Span s = m.origin().meta().span();
      return "from " + (s.isKnown() ? s.shortFile() + ":" + s.line() : "?") + " " + m.rule();
    }
    return m.span().isKnown() ? m.span().toString() : "";
  }
}
