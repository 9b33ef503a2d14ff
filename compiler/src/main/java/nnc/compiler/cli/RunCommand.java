package nnc.compiler.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnc.compiler.interp.Interpreter;
import nnc.compiler.interp.NDArray;
import nnc.compiler.interp.Parameters;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.Leaf;
import nnc.compiler.ir.Node;
import nnc.runtime.io.Npy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "run", description = "Evaluate a model (.nn with the reference interpreter, or a compiled .jar); write each output as DIR/NAME.npy.")
final class RunCommand extends ModelCommand {
  @Option(names = "--in", paramLabel = "NAME=FILE", description = "an input value: .npy, IDX (MNIST) or .csv (repeatable)")
  Map<String, Path> in = new LinkedHashMap<>();

  @Option(names = "--limit", paramLabel = "N", defaultValue = "0",
      description = "use only the first N records of each input file (default: all)")
  int limit;

  @Option(names = "--params", paramLabel = "P.safetensors", description = "parameter values (default: the seeded initial values)")
  Path paramsFile;

  @Option(names = "--seed", defaultValue = "0", description = "seed of the initial parameter values (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--out", paramLabel = "DIR", description = "write every evaluated output as DIR/NAME.npy")
  Path outDir;

  @Option(names = "--nan-guard", description = "(model JARs) stop at the first NaN or infinity a kernel produces, naming its node and .nn line")
  boolean nanGuard;

  @Option(names = "--threads", paramLabel = "T", defaultValue = "1",
      description = "(model JARs) threads sharing each call's matrix products; results are identical for any count (default: ${DEFAULT-VALUE})")
  int threads;

  @Override
  int run(Graph g) throws IOException {
    if (threads != 1) throw new UserError("--threads applies to compiled model JARs (nnc compile); the interpreter runs on one thread");
    if (nanGuard) throw new UserError("--nan-guard applies to compiled model JARs (nnc compile); the interpreter has no kernels to guard");
    Map<String, NDArray> inputs = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : in.entrySet()) {
      if (g.inputs().stream().noneMatch(i -> i.name().equals(e.getKey()))) {
        throw new UserError("--in " + e.getKey() + ": the model has no input '" + e.getKey() + "' (inputs: "
            + String.join(", ", g.inputs().stream().map(Leaf.Input::name).toList()) + ")");
      }
      Leaf.Input declared = g.inputs().stream().filter(i -> i.name().equals(e.getKey())).findFirst().orElseThrow();
      inputs.put(e.getKey(), InputFiles.read(e.getKey(), e.getValue(), declared.type(), limit));
    }
    for (Leaf.Input i : g.inputs()) {
      NDArray v = inputs.get(i.name());
      if (v != null && v.dtype() != i.dtype()) {
        throw new UserError("--in " + i.name() + ": " + in.get(i.name()) + " holds " + v.dtype().languageName()
            + " values, the model declares " + i.type());
      }
    }
    Map<String, NDArray> params = paramsFile != null ? Parameters.read(g, paramsFile) : Parameters.initial(g, seed);
    Map<String, Node> roots = new LinkedHashMap<>();
    List<String> skipped = new ArrayList<>();
    for (Map.Entry<String, Node> r : g.roots().entrySet()) {
      List<String> missing = missingInputs(g, r.getValue(), inputs);
      if (missing.isEmpty()) roots.put(r.getKey(), r.getValue());
      else skipped.add(r.getKey() + " (needs " + String.join(", ", missing) + ")");
    }
    if (roots.isEmpty()) throw new UserError("nothing to evaluate: every output needs inputs that were not given: " + String.join("; ", skipped));
    Map<String, NDArray> results = new Interpreter(g, inputs, params, false).run(roots);
    Map<String, nnc.runtime.Tensor> tensors = new LinkedHashMap<>();
    results.forEach((k, v) -> tensors.put(k, v.toTensor()));
    write(tensors);
    for (String s : skipped) err().println("nnc: skipped " + s);
    return 0;
  }

  @Override
  int runJar(Path jar) throws IOException {
    if (paramsFile != null) throw new UserError("--params applies to .nn models; a model JAR carries its weights");
    try (nnc.runtime.NnModel m = nnc.runtime.NnModel.load(jar)) {
      m.setNanGuard(nanGuard);
      if (threads < 1) throw new UserError("--threads must be at least 1");
      m.setThreads(threads);
      Map<String, nnc.runtime.Tensor> inputs = new LinkedHashMap<>();
      for (Map.Entry<String, Path> e : in.entrySet()) {
        nnc.runtime.model.Manifest.Port port = m.manifest().entry("infer").inputs().stream()
            .filter(p -> p.name().equals(e.getKey())).findFirst()
            .orElseThrow(() -> new UserError("--in " + e.getKey() + ": the model has no input '" + e.getKey() + "'"));
        nnc.runtime.DType dtype = nnc.runtime.DType.parse(port.dtype());
        inputs.put(e.getKey(), InputFiles.read(e.getKey(), e.getValue(), jarType(port), limit).toTensor());
        if (inputs.get(e.getKey()).dtype() != dtype) throw new UserError("--in " + e.getKey() + ": expected " + port.dtype() + " values");
      }
      write(m.infer(inputs));
    }
    return 0;
  }

  private static nnc.compiler.ir.TensorType jarType(nnc.runtime.model.Manifest.Port port) {
    List<nnc.compiler.ir.Dim> dims = new ArrayList<>();
    for (Object d : port.shape()) dims.add(d instanceof Integer i ? nnc.compiler.ir.Dim.of(i) : nnc.compiler.ir.Dim.sym((String) d));
    return new nnc.compiler.ir.TensorType(nnc.runtime.DType.parse(port.dtype()), new nnc.compiler.ir.Shape(dims));
  }

  private void write(Map<String, nnc.runtime.Tensor> results) throws IOException {
    if (outDir != null) Files.createDirectories(outDir);
    for (Map.Entry<String, nnc.runtime.Tensor> r : results.entrySet()) {
      if (outDir != null) {
        Path p = outDir.resolve(r.getKey() + ".npy");
        Npy.write(p, r.getValue());
        out().println("wrote " + p + "  " + r.getValue().dtype().languageName() + nnc.runtime.Tensor.shapeString(r.getValue().shape()));
      } else {
        out().println(r.getKey() + " = " + r.getValue());
      }
    }
  }

  private static List<String> missingInputs(Graph g, Node root, Map<String, NDArray> given) {
    List<String> missing = new ArrayList<>();
    for (Node n : Graph.topoOrder(List.of(root))) {
      if (n instanceof Leaf.Input i && !given.containsKey(i.name())) missing.add(i.name());
    }
    return missing;
  }
}
