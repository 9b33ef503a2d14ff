package nnc.compiler.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import nnc.compiler.backend.asm.AsmEmitter;
import nnc.compiler.backend.java.JavaEmitter;
import nnc.compiler.ir.Graph;
import nnc.compiler.lower.CompiledModel;
import nnc.compiler.lower.CompileReport;
import nnc.compiler.lower.ModelCompiler;
import nnc.compiler.pack.FacadeEmitter;
import nnc.compiler.pack.ModelJar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "compile", description = "Compile a model to a JAR of JVM bytecode (Vector API loops), weights and manifest.")
final class CompileCommand extends ModelCommand {
  @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.jar", description = "the model JAR to write")
  Path output;

  @Option(names = "--emit-java", paramLabel = "DIR", description = "also write the generated code as readable Java source")
  Path javaDir;

  @Option(names = "--report", description = "print the kernels, their kinds and the workspace sizes")
  boolean report;

  @Option(names = "--no-optimize", description = "lower the graphs as derived, without the graph optimizer")
  boolean noOptimize;

  @Option(names = "--verify", description = "also run ASM's bytecode verifier on the generated class (off by default: the JVM verifies it when the model is loaded, and the tests verify every sample; it costs 0.1-0.3 s)")
  boolean verify;

  @Option(names = "--seed", defaultValue = "0", description = "seed of the initial parameter values (default: ${DEFAULT-VALUE})")
  long seed;

  @Override
  int run(Graph g) throws IOException {
    CompiledModel c;
    try {
      c = ModelCompiler.compile(g, Files.readString(file), Version.get(), seed, !noOptimize);
    } catch (ModelCompiler.Unsupported e) {
      throw new UserError(e.getMessage());
    }
    byte[] bytes = AsmEmitter.emit(c.program());
    if (verify) AsmEmitter.verify(bytes);
    if (output.toAbsolutePath().getParent() != null) Files.createDirectories(output.toAbsolutePath().getParent());
    String facade = FacadeEmitter.className(c.manifest());
    // Sorted, so that the JAR's entries (and bytes) do not depend on hash order.
    Map<String, byte[]> classes = new TreeMap<>(Map.of(c.program().className(), bytes, facade, FacadeEmitter.emit(c.manifest())));
    ModelJar.write(output, c, classes, Files.readString(file));
    Path runtimeJar = RuntimeJar.copyBeside(output);
    if (javaDir != null) {
      Path src = JavaEmitter.write(c.program(), javaDir);
      out().println("wrote " + src);
    }
    out().println("wrote " + output + " (" + c.program().kernels().size() + " kernels, " + bytes.length + " bytes of bytecode"
        + (runtimeJar != null ? "; runtime: " + runtimeJar : "") + ")");
    out().println("typed facade: " + facade + " (" + String.join(", ", FacadeEmitter.methods(c.manifest())) + ")");
    for (String note : FacadeEmitter.notes(c.manifest())) out().println("note: facade: " + note);
    if (report) out().print(CompileReport.render(c));
    return 0;
  }
}
