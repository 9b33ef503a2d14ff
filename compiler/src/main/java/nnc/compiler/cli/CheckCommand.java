package nnc.compiler.cli;

import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Verifier;
import picocli.CommandLine.Command;

@Command(name = "check", description = "Parse and type/shape-check a model; exit 0, or 1 with file:line:col diagnostics.")
final class CheckCommand extends ModelCommand {
  @Override
  int run(Graph g) {
    Verifier.verify(g);
    out().printf("%s: ok (%s, %s, %s%s)%n", file, count(g.inputs().size(), "input"), count(g.params().size(), "parameter"),
        count(g.outputs().size(), "output"), g.train() != null ? ", train objective" : "");
    return 0;
  }

  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }
}
