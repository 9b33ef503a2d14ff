package nnc.compiler.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import nnc.compiler.backend.asm.AsmEmitter;
import nnc.compiler.ir.Graph;
import nnc.compiler.lower.CompiledModel;
import nnc.compiler.lower.ModelCompiler;
import nnc.compiler.pack.ModelJar;
import nnc.runtime.NnModel;
import nnc.runtime.Rng;
import nnc.runtime.train.DataSpec;
import nnc.runtime.train.Dataset;
import nnc.runtime.train.Datasets;

/** What {@code train} and {@code eval} share: compiling in process to a loaded model, loading the declared data. */
final class TrainSupport {
  private TrainSupport() {}

  /** Compiles the model to a temporary JAR (deleted again) and loads it. */
  static NnModel compileAndLoad(Graph g, Path file, long seed) throws IOException {
    if (g.train() == null) throw new UserError(file + ": the model has no train statement (train minimize LOSS with OPTIMIZER)");
    CompiledModel c;
    try {
      c = ModelCompiler.compile(g, Files.readString(file), Version.get(), seed);
    } catch (ModelCompiler.Unsupported e) {
      throw new UserError(e.getMessage());
    }
    byte[] bytes = AsmEmitter.emit(c.program());
    Path jar = Files.createTempFile("nnc-train", ".jar");
    try {
      ModelJar.write(jar, c, Map.of(c.program().className(), bytes), Files.readString(file));
      return NnModel.load(jar);
    } finally {
      Files.deleteIfExists(jar);
    }
  }

  /** The loaded splits: train (minus a held-out validation part), validation and test; absent ones are null. */
  record Splits(Dataset train, Dataset validation, Dataset test) {}

  static Splits load(DataSpec spec, NnModel model, Path file, long seed, boolean needTrain) throws IOException {
    if (spec.isEmpty()) {
      throw new UserError(file + ": the model declares no data; add e.g. data train { x = idx(\"...\") y = idx(\"...\") } (see docs/language.md#data)");
    }
    Map<String, Datasets.InputType> types = Datasets.inputTypes(model, "train");
    Datasets.Stats stats = new Datasets.Stats();
    Dataset train = null, validation = null, test = null;
    DataSpec.Split trainSplit = spec.splits().get("train");
    if (trainSplit != null) train = Datasets.load(trainSplit, types, stats);
    else if (needTrain) throw new UserError(file + ": the model declares no data train");
    if (spec.test() != null && train != null) {
      int[][] parts = nnc.runtime.train.Batches.holdout(train.size(), spec.test().fraction(), Rng.forStream(seed, "test"));
      test = train.select(parts[1]);
      train = train.select(parts[0]);
    }
    if (spec.splits().containsKey("validation")) validation = Datasets.load(spec.splits().get("validation"), types, stats);
    else if (spec.validation() != null && train != null) {
      // the fraction is of the data declared as train (before any test hold-out)
      double f = Math.min(0.9, spec.validation().fraction() / (spec.test() != null ? 1 - spec.test().fraction() : 1));
      int[][] parts = nnc.runtime.train.Batches.holdout(train.size(), f, Rng.forStream(seed, "validation"));
      validation = train.select(parts[1]);
      train = train.select(parts[0]);
    }
    if (spec.splits().containsKey("test") && test == null) test = Datasets.load(spec.splits().get("test"), types, stats);
    return new Splits(train, validation, test);
  }

  static int option(Graph g, String key, int fallback) {
    Object v = g.train() == null ? null : g.train().options().get(key);
    return v instanceof Number n ? n.intValue() : fallback;
  }

  /** "loss 0.1234  acc 0.9781" */
  static String figures(Map<String, Double> m) {
    StringBuilder sb = new StringBuilder();
    m.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : "  ").append(k).append(' ').append(String.format(java.util.Locale.ROOT, "%.4f", v)));
    return sb.toString();
  }
}
