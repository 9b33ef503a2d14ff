package nnc.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Leaf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps {@code docs/language.md} true to the compiler.
 *
 * <ul>
 *   <li>Every built-in registered in {@link Builtins} appears in the tables of the "Built-in
 *       functions" section with its exact signature ({@code softmax(x, axis=-1)}); initializers,
 *       whose parameters live in {@link Initializers}, need only their name. Conversely, every
 *       function named there exists.</li>
 *   <li>Every fenced block tagged {@code nn} is a complete model and must compile without errors;
 *       blocks tagged {@code nn-fragment} are excerpts and are skipped. A comment line
 *       {@code // parameters: a, b} or {@code // outputs: a, b} in a block asserts the exact
 *       parameter or output names, in order, of the compiled graph.</li>
 * </ul>
 */
class LanguageDocTest {
  private static final Path DOC = locate();
  private static final Pattern FENCE = Pattern.compile("^```(\\S*)\\s*$");
  private static final Pattern FIRST_CELL_NAME = Pattern.compile("^\\|\\s*`([A-Za-z_][A-Za-z_0-9]*)[(`]");

  private static Path locate() {
    for (String candidate : List.of("../docs/language.md", "docs/language.md")) {
      Path p = Path.of(candidate);
      if (Files.isRegularFile(p)) return p;
    }
    throw new IllegalStateException("cannot find docs/language.md from " + Path.of("").toAbsolutePath());
  }

  private static List<String> lines() throws IOException {
    return Files.readString(DOC, StandardCharsets.UTF_8).lines().toList();
  }

  /** A fenced block: its tag, the line of its opening fence, its text. */
  record Block(String tag, int line, String code) {
    @Override
    public String toString() {
      return "language.md:" + line;
    }
  }

  static List<Block> blocks() throws IOException {
    List<String> lines = lines();
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher open = FENCE.matcher(lines.get(i));
      if (!open.matches()) continue;
      int start = i;
      StringBuilder code = new StringBuilder();
      for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) code.append(lines.get(i)).append('\n');
      if (i == lines.size()) throw new IllegalStateException("unclosed code block at language.md:" + (start + 1));
      out.add(new Block(open.group(1), start + 1, code.toString()));
    }
    return out;
  }

  static Stream<Block> models() throws IOException {
    return blocks().stream().filter(b -> b.tag().equals("nn"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("models")
  void everyModelCompiles(Block block) {
    Graph g;
    try {
      g = Elaborator.compile(new SourceText("language.md", block.code()));
    } catch (CompilationFailed e) {
      fail("the example at language.md:" + block.line() + " does not compile:\n" + e.render() + "\n--- code:\n" + block.code());
      return;
    }
    for (String line : block.code().lines().toList()) {
      String t = line.strip();
      if (t.startsWith("// parameters:")) {
        assertEquals(names(t), g.params().stream().map(Leaf.Param::name).toList(),
            "parameter names of the example at language.md:" + block.line());
      } else if (t.startsWith("// outputs:")) {
        assertEquals(names(t), List.copyOf(g.outputs().keySet()), "outputs of the example at language.md:" + block.line());
      }
    }
  }

  private static List<String> names(String comment) {
    return Arrays.stream(comment.substring(comment.indexOf(':') + 1).split(",")).map(String::strip).toList();
  }

  @Test
  void everyBlockIsTagged() throws IOException {
    List<String> untagged = blocks().stream().filter(b -> b.tag().isEmpty() && looksLikeNn(b.code()))
        .map(Block::toString).toList();
    assertEquals(List.of(), untagged, "code blocks that look like .nn but are tagged neither nn nor nn-fragment");
    assertTrue(models().count() >= 10, "the reference should keep its compiled examples");
  }

  private static boolean looksLikeNn(String code) {
    return code.lines().anyMatch(l -> l.matches("\\s*(input|param|output)\\s+\\w+.*"));
  }

  /** Table rows of the "Built-in functions" section (up to the next second-level heading). */
  private static List<String> builtinRows() throws IOException {
    List<String> rows = new ArrayList<>();
    boolean inside = false;
    for (String line : lines()) {
      if (line.startsWith("## ")) inside = line.equals("## Built-in functions");
      else if (inside && line.startsWith("|")) rows.add(line);
    }
    assertFalse(rows.isEmpty(), "docs/language.md has no tables under '## Built-in functions'");
    return rows;
  }

  private static String firstCell(String row) {
    String[] cells = row.split("\\|");
    return cells.length > 1 ? cells[1].strip() : "";
  }

  @Test
  void everyBuiltinIsDocumented() throws IOException {
    List<String> cells = builtinRows().stream().map(LanguageDocTest::firstCell).toList();
    List<String> missing = new ArrayList<>();
    for (String name : Builtins.all()) {
      boolean found = Initializers.has(name)
          ? cells.stream().anyMatch(c -> c.startsWith("`" + name + "`") || c.startsWith("`" + name + "("))
          : cells.stream().anyMatch(c -> c.contains("`" + Builtins.signature(name) + "`"));
      if (!found) missing.add(Initializers.has(name) ? name : Builtins.signature(name));
    }
    assertEquals(List.of(), missing, "built-ins missing from the tables of '## Built-in functions' in " + DOC
        + " (document them with exactly this signature)");
  }

  @Test
  void everyDocumentedBuiltinExists() throws IOException {
    List<String> unknown = new ArrayList<>();
    for (String row : builtinRows()) {
      Matcher m = FIRST_CELL_NAME.matcher(row);
      if (m.find() && !Builtins.has(m.group(1))) unknown.add(m.group(1));
    }
    assertEquals(List.of(), unknown, "functions documented in " + DOC + " that Builtins does not define");
  }
}
