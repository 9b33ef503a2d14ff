package nnc.compiler.ir;

import java.util.Map;

/** Graphviz DOT output: one box per node, operands to users, provenance in tooltips. */
public final class DotPrinter {
  private DotPrinter() {}

  public static String print(Graph g, Map<String, Node> roots) {
    Numbering num = new Numbering(g, roots);
    StringBuilder sb = new StringBuilder("digraph \"").append(escape(g.name())).append("\" {\n");
    sb.append("  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n");
    for (Node n : num.order()) {
      String label = "%" + num.id(n) + " " + n.opName()
          + (n.attributes().isEmpty() ? "" : " " + n.attributes()) + "\\n" + n.type();
      String style = switch (n) {
        case Leaf.Input i -> ", style=filled, fillcolor=\"#dbeafe\"";
        case Leaf.Param p -> ", style=filled, fillcolor=\"#fef3c7\"";
        case Leaf.Constant c -> ", style=filled, fillcolor=\"#f3f4f6\"";
        default -> n.meta().isBackward() ? ", style=filled, fillcolor=\"#fee2e2\"" : "";
      };
      sb.append("  n").append(num.id(n)).append(" [label=\"").append(escape(label)).append("\", tooltip=\"")
          .append(escape(TextPrinter.comment(n.meta()))).append('"').append(style).append("];\n");
    }
    for (Node n : num.order()) {
      for (int i = 0; i < n.inputs().size(); i++) {
        sb.append("  n").append(num.id(n.inputs().get(i))).append(" -> n").append(num.id(n));
        if (n.inputs().size() > 1) sb.append(" [label=\"").append(i).append("\"]");
        sb.append(";\n");
      }
    }
    for (Map.Entry<String, Node> e : roots.entrySet()) {
      String id = "out_" + e.getKey().replaceAll("[^A-Za-z0-9_]", "_");
      sb.append("  ").append(id).append(" [label=\"").append(escape(e.getKey()))
          .append("\", shape=ellipse, style=filled, fillcolor=\"#dcfce7\"];\n");
      sb.append("  n").append(num.id(e.getValue())).append(" -> ").append(id).append(";\n");
    }
    return sb.append("}\n").toString();
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\\\\n", "\\n");
  }
}
