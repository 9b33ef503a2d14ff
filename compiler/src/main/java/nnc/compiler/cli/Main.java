package nnc.compiler.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code nnc}: the command line. Each subcommand is a small class; user mistakes (model errors,
 * bad files, bad options) end with a clear message and exit status 1, never a stack trace.
 */
@Command(name = "nnc", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "A symbol-to-symbol differentiation compiler for neural networks on the JVM.",
    subcommands = {CheckCommand.class, GraphCommand.class, RunCommand.class, GradcheckCommand.class, CompileCommand.class, BenchCommand.class, ProfileCommand.class, TrainCommand.class, EvalCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.err);
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs a command line and returns its exit status (tests call this directly). */
  public static int execute(String... args) {
    return execute(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
  }

  /** Runs a command line with the given output streams (tests capture them). */
  public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((ex, line, parsed) -> {
      line.getErr().println("nnc: internal error: " + ex);
      ex.printStackTrace(line.getErr());
      return 70;
    });
    cl.setParameterExceptionHandler((ex, args2) -> {
      ex.getCommandLine().getErr().println("nnc: " + ex.getMessage());
      ex.getCommandLine().getErr().println("Try 'nnc " + ex.getCommandLine().getCommandName() + " --help' for usage.");
      return 2;
    });
    int status = cl.execute(args);
    out.flush();
    err.flush();
    return status;
  }
}
