package nnc.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import nnc.compiler.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden diagnostics: every {@code src/test/resources/errors/NAME.nn} is a malformed model, and
 * {@code NAME.expected} holds the exact stderr of {@code nnc check} on it, with the directory
 * shown as {@code errors/}. Files under {@code errors/imports/} are only imported by the cases.
 *
 * <p>After a deliberate change of wording, regenerate the goldens and review the diff:
 * <pre>
 *   mvn -q -pl compiler -am verify -Dtest=DiagnosticsGoldenTest -Dsurefire.failIfNoSpecifiedTests=false -Dnnc.updateGolden=true
 * </pre>
 * ({@code -Dnnc.updateGolden=true} makes each case write its {@code .expected} file instead of
 * comparing against it.)
 */
class DiagnosticsGoldenTest {
  private static final boolean UPDATE = Boolean.getBoolean("nnc.updateGolden");
  private static final Path DIR = locate();

  private static final Pattern HEADER = Pattern.compile("(?:errors/|<nnc>/std/)[\\w./-]+\\.nn:(\\d+):(\\d+): error: \\S.*");
  private static final Pattern CARET = Pattern.compile("  ( *)\\^~*");
  private static final Pattern COUNT = Pattern.compile("(\\d+) errors?");

  /** The errors directory: Maven runs tests in the module directory, an IDE maybe at the root. */
  private static Path locate() {
    for (String candidate : List.of("src/test/resources/errors", "compiler/src/test/resources/errors")) {
      Path p = Path.of(candidate);
      if (Files.isDirectory(p)) return p;
    }
    throw new IllegalStateException("cannot find src/test/resources/errors from " + Path.of("").toAbsolutePath());
  }

  static Stream<String> cases() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      return files.filter(Files::isRegularFile)
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".nn"))
          .map(n -> n.substring(0, n.length() - ".nn".length()))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void diagnostics(String name) throws IOException {
    Path model = DIR.resolve(name + ".nn");
    StringWriter out = new StringWriter(), err = new StringWriter();
    int status = Main.execute(new PrintWriter(out), new PrintWriter(err), "check", model.toString());
    String text = normalise(err.toString());

    assertEquals(1, status, "exit status of nnc check " + name + ".nn; stderr:\n" + text);
    assertEquals("", out.toString(), "nnc check printed on stdout for a failing model");
    assertFalse(text.contains("Exception"), "a Java exception leaked into the diagnostics:\n" + text);
    assertFalse(text.contains("\tat "), "a stack trace leaked into the diagnostics:\n" + text);
    checkForm(text);

    Path expected = DIR.resolve(name + ".expected");
    if (UPDATE) {
      Files.writeString(expected, text, StandardCharsets.UTF_8);
      return;
    }
    if (!Files.isRegularFile(expected)) {
      fail(expected + " is missing; write it (or run with -Dnnc.updateGolden=true) after checking this output:\n" + text);
    }
    assertEquals(Files.readString(expected, StandardCharsets.UTF_8).replace("\r\n", "\n"), text,
        "diagnostics of " + name + ".nn differ from " + expected);
  }

  /** Every golden belongs to a model: a stale {@code .expected} is an error too. */
  @Test
  void everyGoldenHasAModel() throws IOException {
    List<String> orphans = new ArrayList<>();
    try (Stream<Path> files = Files.list(DIR)) {
      files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".expected"))
          .filter(n -> !Files.exists(DIR.resolve(n.replaceFirst("\\.expected$", ".nn"))))
          .forEach(orphans::add);
    }
    assertEquals(List.of(), orphans, "golden files without a model");
    assertTrue(cases().count() >= 35, "the suite should keep at least 35 malformed models");
  }

  /** The displayed path of the case directory becomes {@code errors/}, whatever the working directory. */
  private static String normalise(String text) {
    String t = text.replace("\r\n", "\n");
    String sep = java.io.File.separator;
    t = t.replace(DIR.toAbsolutePath().normalize() + sep, "errors/");
    t = t.replace(DIR + sep, "errors/");
    if (!sep.equals("/")) t = t.replace("errors" + sep + "imports" + sep, "errors/imports/");
    return t;
  }

  /**
   * {@code FILE:LINE:COL: error: message}, the source line indented by two spaces, a caret under
   * column COL; repeated; then {@code N error(s)}.
   */
  private static void checkForm(String text) {
    List<String> lines = text.lines().toList();
    assertFalse(lines.isEmpty(), "no diagnostics");
    Matcher count = COUNT.matcher(lines.get(lines.size() - 1));
    assertTrue(count.matches(), "the last line should count the errors:\n" + text);
    int n = Integer.parseInt(count.group(1));
    assertEquals(n == 1 ? "1 error" : n + " errors", lines.get(lines.size() - 1));
    assertEquals(3 * n + 1, lines.size(), "expected " + n + " diagnostics of three lines each:\n" + text);
    for (int k = 0; k < n; k++) {
      String header = lines.get(3 * k), source = lines.get(3 * k + 1), caret = lines.get(3 * k + 2);
      Matcher h = HEADER.matcher(header);
      assertTrue(h.matches(), "not FILE:LINE:COL: error: message: " + header);
      assertTrue(source.startsWith("  "), "the source line should follow the header: " + source);
      Matcher c = CARET.matcher(caret);
      assertTrue(c.matches(), "not a caret line: " + caret);
      int col = Integer.parseInt(h.group(2));
      int sourceLength = source.length() - 2;
      assertEquals(Math.min(col - 1, sourceLength), c.group(1).length(), "caret not under column " + col + ":\n"
          + source + "\n" + caret);
    }
  }
}
