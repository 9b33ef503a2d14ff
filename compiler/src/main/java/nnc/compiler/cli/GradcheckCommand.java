package nnc.compiler.cli;

import nnc.compiler.autodiff.GradCheck;
import nnc.compiler.ir.Graph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "gradcheck", description = "Compare every symbolic gradient with f64 finite differences; exit 1 on failure.")
final class GradcheckCommand extends ModelCommand {
  @Option(names = "--seed", defaultValue = "0", description = "seed of inputs, parameters and directions (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--order", defaultValue = "1", description = "1, or 2 to check Hessian-vector products too (default: ${DEFAULT-VALUE})")
  int order;

  @Option(names = "--batch", defaultValue = "3", description = "size of symbolic dimensions (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--tolerance", defaultValue = "1e-6", description = "largest relative error accepted (default: ${DEFAULT-VALUE})")
  double tolerance;

  @Override
  int run(Graph g) {
    if (order < 1 || order > 2) throw new UserError("--order must be 1 or 2, got " + order);
    if (batch < 1) throw new UserError("--batch must be positive, got " + batch);
    GradCheck.Report report;
    try {
      report = GradCheck.run(g, seed, batch, order, tolerance);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
    out().print(report.table());
    return report.passed() ? 0 : 1;
  }
}
