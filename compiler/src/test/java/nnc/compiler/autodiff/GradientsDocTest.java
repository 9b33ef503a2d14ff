package nnc.compiler.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import nnc.compiler.ir.Axes;
import nnc.compiler.ir.BinaryOp;
import nnc.compiler.ir.GradientRules;
import nnc.compiler.ir.IrBuilder;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.ReduceOp;
import nnc.compiler.ir.Shape;
import nnc.compiler.ir.TensorType;
import nnc.compiler.ir.UnaryOp;
import nnc.runtime.DType;
import nnc.runtime.init.Initializer;
import org.junit.jupiter.api.Test;

/**
 * Keeps {@code docs/gradients.md} in step with the IR: its table of primitives must have exactly
 * one row per printed op name of the IR (every permitted node record, every UnaryOp, BinaryOp and
 * ReduceOp), and a row says "no gradient" exactly when the op's rule returns none.
 */
class GradientsDocTest {
  private static final String SECTION = "## The primitives";

  /** One node of every kind the IR has (all enum values of the families with an op enum). */
  static List<Node> samples() {
    IrBuilder b = new IrBuilder();
    Node x = b.input("x", type("f64", 2, 3));
    Node v = b.input("v", type("f64", 3));
    Node m = b.input("m", type("f64", 3, 4));
    Node idx = b.input("idx", type("i32", 2));
    List<Node> out = new ArrayList<>(List.of(
        x,
        b.param("p", type("f64", 3), new Initializer.Zeros()),
        b.constant(1, DType.F64),
        b.dimSize("B", DType.F64),
        b.iota(Shape.of(2, 3), 1),
        b.where(b.binary(BinaryOp.GT, x, v), x, v),
        b.cast(x, DType.F32),
        b.argMax(x, 1),
        b.firstMaxMask(x, Axes.of(1), false),
        b.firstMaxMask(x, Axes.of(1), true),
        b.matmul(x, m),
        b.transpose(x, List.of(1, 0)),
        b.reshape(x, Shape.of(3, 2)),
        b.broadcast(v, Shape.of(2, 3)),
        b.slice(x, List.of(0, 1), List.of(2, 2)),
        b.pad(x, List.of(1, 0), List.of(0, 1)),
        b.concat(List.of(x, x), 0),
        b.gather(m, idx),
        b.scatterAdd(x, idx, Shape.of(5, 3)),
        b.softmax(x, 1),
        b.logSoftmax(x, 1),
        b.stopGradient(x),
        b.noise(Shape.of(2, 3), DType.F64),
        b.dropout(x, b.noise(Shape.of(2, 3), DType.F64), 0.5),
        // Window
        b.unfold(x, new nnc.compiler.ir.Window.Geometry(2, 2, 1, 1, 1, 1)),
        b.fold(b.unfold(x, new nnc.compiler.ir.Window.Geometry(2, 2, 1, 1, 1, 1)), new nnc.compiler.ir.Window.Geometry(2, 2, 1, 1, 1, 1), 2, 3)));
    // model state and modes (batch norm)
    out.add(b.state("s", type("f64", 3), new Initializer.Zeros()));
    out.add(b.byMode(x, b.unary(UnaryOp.SIN, x)));
    for (UnaryOp op : UnaryOp.values()) out.add(b.unary(op, x));
    for (BinaryOp op : BinaryOp.values()) out.add(b.binary(op, x, v));
    for (ReduceOp op : ReduceOp.values()) out.add(b.reduce(op, x, Axes.of(1), false));
    return out;
  }

  private static TensorType type(String dtype, int... dims) {
    return new TensorType(DType.parse(dtype), Shape.of(dims));
  }

  /** The op names the IR can print: one per sample, plus every enum value's name directly. */
  static Set<String> irOpNames() {
    Set<String> names = new TreeSet<>();
    for (Node n : samples()) names.add(n.opName());
    for (UnaryOp op : UnaryOp.values()) names.add(op.printName());
    for (BinaryOp op : BinaryOp.values()) names.add(op.printName());
    for (ReduceOp op : ReduceOp.values()) names.add("reduce_" + op.printName());
    return names;
  }

  /** The table under {@value #SECTION}: op name (backticks removed) to its cells. */
  static Map<String, List<String>> docTable() throws IOException {
    List<String> lines = Files.readAllLines(locate(), StandardCharsets.UTF_8);
    int start = lines.indexOf(SECTION);
    assertTrue(start >= 0, "docs/gradients.md has no section '" + SECTION + "'");
    Map<String, List<String>> rows = new LinkedHashMap<>();
    List<String> duplicates = new ArrayList<>();
    for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
      String line = lines.get(i).trim();
      if (!line.startsWith("| `")) continue;
      List<String> cells = splitRow(line);
      assertEquals(4, cells.size(), "row needs 4 cells (op, family, VJP, kinks): " + line);
      String op = cells.get(0).replace("`", "").trim();
      if (rows.put(op, cells) != null) duplicates.add(op);
    }
    assertEquals(List.of(), duplicates, "ops with more than one row in docs/gradients.md");
    return rows;
  }

  /** Splits a Markdown table row on unescaped bars. */
  private static List<String> splitRow(String line) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    for (int i = 1; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\\' && i + 1 < line.length() && line.charAt(i + 1) == '|') {
        cell.append('|');
        i++;
      } else if (c == '|') {
        cells.add(cell.toString().trim());
        cell.setLength(0);
      } else {
        cell.append(c);
      }
    }
    return cells;
  }

  /** docs/gradients.md, found from the working directory (the module or the repository root). */
  static Path locate() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path doc = p.resolve("docs/gradients.md");
      if (Files.isRegularFile(doc)) return doc;
    }
    throw new AssertionError("docs/gradients.md not found above " + Path.of("").toAbsolutePath());
  }

  @Test
  void everyNodeKindHasASample() {
    Set<Class<?>> sampled = new java.util.HashSet<>();
    for (Node n : samples()) sampled.add(n.getClass());
    List<String> missing = Arrays.stream(Node.class.getPermittedSubclasses())
        .filter(k -> !sampled.contains(k)).map(Class::getName).toList();
    assertEquals(List.of(), missing,
        "new node kinds: add a sample to GradientsDocTest.samples(), a row to docs/gradients.md and to the gradient table");
  }

  @Test
  void everyOpOfTheIrHasARow() throws IOException {
    Set<String> documented = docTable().keySet();
    List<String> missing = irOpNames().stream().filter(op -> !documented.contains(op)).toList();
    assertEquals(List.of(), missing, "ops of the IR without a row in docs/gradients.md");
  }

  @Test
  void everyRowNamesAnOpOfTheIr() throws IOException {
    Set<String> ops = irOpNames();
    List<String> unknown = docTable().keySet().stream().filter(op -> !ops.contains(op)).toList();
    assertEquals(List.of(), unknown, "rows of docs/gradients.md naming no op of the IR");
  }

  /** "no gradient" in the VJP column exactly when the rule gives no cotangent to any operand. */
  @Test
  void noGradientRowsAgreeWithTheRules() throws IOException {
    Map<String, List<String>> table = docTable();
    IrBuilder b = new IrBuilder();
    List<String> wrong = new ArrayList<>();
    for (Node n : samples()) {
      if (!table.containsKey(n.opName())) continue; // reported by everyOpOfTheIrHasARow
      String vjp = table.get(n.opName()).get(2);
      if (n instanceof Leaf.Input || n instanceof Leaf.Param) {
        if (!vjp.startsWith("leaf")) wrong.add(n.opName() + ": an input or parameter is a leaf");
        continue;
      }
      Node[] rule = GradientRules.vjp(b, n, b.input("cotangent", n.type()));
      boolean none = Arrays.stream(rule).allMatch(Objects::isNull);
      if (none != vjp.startsWith("no gradient")) {
        wrong.add(n.opName() + ": the rule returns " + (none ? "no gradient" : "a gradient") + ", the doc says '" + vjp + "'");
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void theNonObviousDerivationsAreWrittenDown() throws IOException {
    String doc = Files.readString(locate(), StandardCharsets.UTF_8);
    for (String heading : List.of("### The sum-back of broadcasting", "### softmax", "### log_softmax",
        "### matmul with a broadcast batch", "### pow with respect to the exponent at 0")) {
      assertTrue(doc.contains("\n" + heading), "docs/gradients.md lacks the derivation '" + heading + "'");
    }
    assertFalse(doc.contains("TODO"), "docs/gradients.md has a TODO");
  }
}
