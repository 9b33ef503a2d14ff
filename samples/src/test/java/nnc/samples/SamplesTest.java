package nnc.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import nnc.compiler.autodiff.GradCheck;
import nnc.compiler.autodiff.GradientGraph;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.TextPrinter;
import nnc.compiler.ir.Verifier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every sample: it compiles, verifies, prints as its golden IR (forward and gradient), and its gradients check. */
class SamplesTest {
  static final Path SAMPLES = Path.of(".");
  /** Samples whose second-order gradients are checked too (they differentiate gradients). */
  static final List<String> SECOND_ORDER = List.of("hvp", "gradient_penalty", "batchnorm_manual");

  static Stream<String> samples() throws IOException {
    try (Stream<Path> files = Files.list(SAMPLES)) {
      List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".nn"))
          .map(n -> n.substring(0, n.length() - 3)).sorted().toList();
      assertTrue(names.size() >= 9, "samples found: " + names);
      return names.stream();
    }
  }

  static Graph compile(String name) throws Exception {
    return Elaborator.compile(SAMPLES.resolve(name + ".nn"));
  }

  @ParameterizedTest
  @MethodSource("samples")
  void forwardIrMatchesGolden(String name) throws Exception {
    Graph g = compile(name);
    assertEquals(List.of(), Verifier.check(g, g.roots()));
    Golden.check(SAMPLES.resolve("golden/" + name + ".ir"), TextPrinter.print(g));
  }

  @ParameterizedTest
  @MethodSource("samples")
  void gradientIrMatchesGolden(String name) throws Exception {
    Graph g = compile(name);
    Map<String, Node> roots = GradientGraph.roots(g, List.of());
    Graph grad = g.withOutputs(roots);
    assertEquals(List.of(), Verifier.check(grad, roots));
    Golden.check(SAMPLES.resolve("golden/" + name + ".grad.ir"), TextPrinter.print(grad, roots));
  }

  @ParameterizedTest
  @MethodSource("samples")
  void gradientsMatchFiniteDifferences(String name) throws Exception {
    Graph g = compile(name);
    int order = SECOND_ORDER.contains(name) ? 2 : 1;
    GradCheck.Report report = GradCheck.run(g, 7, 3, order, 1e-6);
    assertTrue(report.passed(), report.table());
    assertTrue(report.rows().size() >= g.params().size() * order, report.table());
  }
}
