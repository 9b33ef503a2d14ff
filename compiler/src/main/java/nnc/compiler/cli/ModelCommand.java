package nnc.compiler.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import nnc.compiler.frontend.CompilationFailed;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.interp.EvaluationException;
import nnc.compiler.ir.Graph;
import picocli.CommandLine;

/**
 * The shared shape of commands that read a model: compile it, run the command's body, and turn
 * every kind of user error into a message on stderr and exit status 1.
 */
abstract class ModelCommand implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @CommandLine.Parameters(index = "0", paramLabel = "FILE.nn", description = "the model")
  Path file;

  /** The command's work on a compiled model; returns the exit status. */
  abstract int run(Graph g) throws IOException;

  /** The command's work on a model JAR, for commands that accept one instead of a .nn file. */
  int runJar(Path jar) throws IOException {
    throw new UserError(file + ": expected a .nn model file");
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  @Override
  public Integer call() {
    try {
      if (!Files.isRegularFile(file)) throw new UserError("cannot read " + file + ": no such file");
      int status = file.toString().endsWith(".jar") ? runJar(file) : run(Elaborator.compile(file));
      out().flush();
      return status;
    } catch (CompilationFailed e) {
      err().println(e.render());
      return 1;
    } catch (UserError | EvaluationException | IllegalArgumentException | nnc.runtime.NonFiniteException e) {
      err().println("nnc: " + e.getMessage());
      return 1;
    } catch (NoSuchFileException e) {
      err().println("nnc: " + e.getFile() + ": no such file");
      return 1;
    } catch (IOException e) {
      err().println("nnc: " + oneLine(e.getMessage()));
      return 1;
    }
  }

  static String oneLine(String s) {
    return s == null ? "I/O error" : s.replace('\n', ' ');
  }
}
