package nnc.compiler.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import nnc.compiler.backend.asm.AsmEmitter;
import nnc.compiler.backend.java.JavaEmitter;
import nnc.compiler.ir.Graph;
import nnc.compiler.lower.CompiledModel;
import nnc.compiler.lower.CompileReport;
import nnc.compiler.lower.ModelCompiler;
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

  @Option(names = "--seed", defaultValue = "0", description = "seed of the initial parameter values (default: ${DEFAULT-VALUE})")
  long seed;

  @Override
  int run(Graph g) throws IOException {
    CompiledModel c;
    try {
      c = ModelCompiler.compile(g, Files.readString(file), Version.get(), seed);
    } catch (ModelCompiler.Unsupported e) {
      throw new UserError(e.getMessage());
    }
    byte[] bytes = AsmEmitter.emit(c.program());
    AsmEmitter.verify(bytes);
    if (output.toAbsolutePath().getParent() != null) Files.createDirectories(output.toAbsolutePath().getParent());
    ModelJar.write(output, c, Map.of(c.program().className(), bytes), Files.readString(file));
    Path runtimeJar = RuntimeJar.copyBeside(output);
    if (javaDir != null) {
      Path src = JavaEmitter.write(c.program(), javaDir);
      out().println("wrote " + src);
    }
    out().println("wrote " + output + " (" + c.program().kernels().size() + " kernels, " + bytes.length + " bytes of bytecode"
        + (runtimeJar != null ? "; runtime: " + runtimeJar : "") + ")");
    if (report) out().print(CompileReport.render(c));
    return 0;
  }
}
