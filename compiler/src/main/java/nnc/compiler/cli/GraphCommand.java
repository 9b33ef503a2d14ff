package nnc.compiler.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nnc.compiler.autodiff.GradientGraph;
import nnc.compiler.ir.DotPrinter;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.JsonPrinter;
import nnc.compiler.ir.Node;
import nnc.compiler.ir.TextPrinter;
import nnc.compiler.ir.Verifier;
import nnc.compiler.passes.Pipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "graph", description = "Print the forward graph, or with --grad the derived gradient graph of the training objective.")
final class GraphCommand extends ModelCommand {
  enum Format { text, dot, json }

  @Option(names = "--grad", description = "print the gradients of the objective (default: with respect to every parameter)")
  boolean grad;

  @Option(names = "--wrt", paramLabel = "NAME", description = "with --grad: differentiate with respect to this value (repeatable)")
  List<String> wrt = new ArrayList<>();

  @Option(names = "--format", defaultValue = "text", description = "text, dot or json (default: ${DEFAULT-VALUE})")
  Format format;

  @Option(names = "--optimized", description = "print the graph after the optimizer's pipeline")
  boolean optimized;

  @Option(names = "--dump-after", paramLabel = "PASS", description = "print the graph as it is after this pass of the pipeline")
  String dumpAfter;

  @Override
  int run(Graph g) {
    if (!wrt.isEmpty() && !grad) throw new UserError("--wrt needs --grad");
    Map<String, Node> roots;
    try {
      roots = grad ? GradientGraph.roots(g, wrt) : g.roots();
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
    Graph shown = grad ? g.withOutputs(roots) : g;
    if (optimized || dumpAfter != null) {
      shown = optimize(shown);
      roots = grad ? shown.outputs() : shown.roots();
    }
    List<String> problems = Verifier.check(shown, roots);
    if (!problems.isEmpty()) throw new IllegalStateException("IR verification failed: " + problems);
    out().print(switch (format) {
      case text -> grad ? TextPrinter.print(shown, roots) : TextPrinter.print(shown);
      case dot -> DotPrinter.print(shown, roots);
      case json -> JsonPrinter.print(shown, roots);
    });
    return 0;
  }

  /** The graph after the pipeline, or with --dump-after as it is after that pass. */
  private Graph optimize(Graph g) {
    Pipeline p = Pipeline.standard();
    Pipeline.Optimized[] dumped = {null};
    if (dumpAfter != null) {
      try {
        p = p.dumpAfter(dumpAfter, o -> dumped[0] = o);
      } catch (IllegalArgumentException e) {
        throw new UserError(e.getMessage());
      }
    }
    Pipeline.Optimized o = p.run(g);
    return (dumped[0] != null ? dumped[0] : o).graph();
  }
}
