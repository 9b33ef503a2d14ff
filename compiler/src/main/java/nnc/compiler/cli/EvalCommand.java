package nnc.compiler.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import nnc.compiler.frontend.CompilationFailed;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.ir.Graph;
import nnc.runtime.NnModel;
import nnc.runtime.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nnc eval FILE.nn --params CKPT}: the objective and the metrics on the model's test data. */
@Command(name = "eval", description = "Evaluate a model's loss and metrics on its test data (or another declared split).")
final class EvalCommand extends ModelCommand {
  @Option(names = "--params", paramLabel = "CKPT.safetensors", description = "parameters (a checkpoint); default: the seeded initial values")
  Path params;

  @Option(names = "--split", paramLabel = "NAME", defaultValue = "test", description = "train, validation or test (default: ${DEFAULT-VALUE})")
  String split;

  @Option(names = "--batch", paramLabel = "B", description = "evaluation batch size; default: the model's 'batch', else 32")
  Integer batch;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "seed of the initial parameters and of the validation hold-out (default: ${DEFAULT-VALUE})")
  long seed;

  @Override
  int run(Graph g) throws IOException {
    Elaborator.Model model;
    try {
      model = Elaborator.compileModel(file);
    } catch (CompilationFailed e) {
      throw new IllegalStateException(e);
    }
    int b = batch != null ? batch : TrainSupport.option(g, "batch", 32);
    if (b < 1) throw new UserError("--batch must be positive");
    if (params != null && !Files.isRegularFile(params)) throw new UserError("--params: " + params + ": no such file");
    try (NnModel m = TrainSupport.compileAndLoad(g, file, seed)) {
      if (params != null) m.loadCheckpoint(params);
      TrainSupport.Splits data = TrainSupport.load(model.data(), m, file, seed, false);
      var set = switch (split) {
        case "train" -> data.train();
        case "validation" -> data.validation();
        case "test" -> data.test();
        default -> throw new UserError("--split: expected train, validation or test, got " + split);
      };
      if (set == null) throw new UserError(file + ": the model declares no " + split + " data");
      Map<String, Double> r = Trainer.evaluate(m, set, b);
      out().println(split + " (" + set.size() + " examples): " + TrainSupport.figures(r));
    }
    return 0;
  }
}
