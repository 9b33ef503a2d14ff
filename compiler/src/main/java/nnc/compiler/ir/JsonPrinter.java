package nnc.compiler.ir;

import java.util.Map;

/** Machine-readable graph: nodes with ids, ops, types, operand ids, spans and provenance. */
public final class JsonPrinter {
  private JsonPrinter() {}

  public static String print(Graph g, Map<String, Node> roots) {
    Numbering num = new Numbering(g, roots);
    StringBuilder sb = new StringBuilder("{\n  \"name\": ").append(str(g.name())).append(",\n  \"nodes\": [\n");
    for (int k = 0; k < num.order().size(); k++) {
      Node n = num.order().get(k);
      sb.append("    {\"id\": ").append(num.id(n)).append(", \"op\": ").append(str(n.opName()))
          .append(", \"type\": ").append(str(n.type().toString()))
          .append(", \"dtype\": ").append(str(n.dtype().languageName()))
          .append(", \"shape\": ").append(str(n.shape().toString()));
      if (!n.attributes().isEmpty()) sb.append(", \"attrs\": ").append(str(n.attributes()));
      sb.append(", \"inputs\": [");
      for (int i = 0; i < n.inputs().size(); i++) sb.append(i > 0 ? ", " : "").append(num.id(n.inputs().get(i)));
      sb.append(']');
      Meta m = n.meta();
      if (m.span().isKnown()) sb.append(", \"span\": ").append(str(m.span().toString()));
      if (m.isBackward()) {
        Span s = m.origin().meta().span();
        sb.append(", \"rule\": ").append(str(m.rule()));
        if (num.contains(m.origin())) sb.append(", \"origin\": ").append(num.id(m.origin()));
        if (s.isKnown()) sb.append(", \"origin_span\": ").append(str(s.toString()));
      }
      sb.append(k + 1 < num.order().size() ? "},\n" : "}\n");
    }
    sb.append("  ],\n  \"outputs\": {");
    int i = 0;
    for (Map.Entry<String, Node> e : roots.entrySet()) {
      sb.append(i++ > 0 ? ", " : "").append(str(e.getKey())).append(": ").append(num.id(e.getValue()));
    }
    return sb.append("}\n}\n").toString();
  }

  static String str(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
          else sb.append(c);
        }
      }
    }
    return sb.append('"').toString();
  }
}
