package nnc.compiler.cli;

import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Verifier;
import picocli.CommandLine.Command;

@Command(name = "check", description = "Parse and type/shape-check a model; exit 0, or 1 with file:line:col diagnostics.")
final class CheckCommand extends ModelCommand {
  @Override
  int run(Graph g) {
    Verifier.verify(g);
    out().printf("%s: ok (%d inputs, %d parameters, %d outputs%s)%n", file, g.inputs().size(), g.params().size(),
        g.outputs().size(), g.train() != null ? ", train objective" : "");
    return 0;
  }
}
