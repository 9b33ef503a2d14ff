package nnc.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnc.runtime.io.Npy;

/**
 * {@code java -jar model.jar --in x=x.npy [--out DIR]}: inference from the command line with
 * nothing but the model JAR and {@code nnc-runtime.jar} beside it. When the JVM was started
 * without the Vector API module (a plain {@code java -jar}), it starts itself again with
 * {@code --add-modules jdk.incubator.vector}: no JAR manifest attribute can add a module.
 */
public final class Launcher {
  private Launcher() {}

  public static void main(String[] args) throws Exception {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      System.exit(relaunch(args));
    }
    try {
      System.exit(run(args));
    } catch (IOException | IllegalArgumentException | IllegalStateException e) {
      System.err.println("nnc: " + e.getMessage());
      System.exit(1);
    }
  }

  private static int relaunch(String[] args) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
        "-cp", System.getProperty("java.class.path"), Launcher.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    return p.waitFor();
  }

  static int run(String[] args) throws IOException {
    Map<String, Path> inputs = new LinkedHashMap<>();
    Path out = null;
    Path model = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--in" -> {
          String spec = value(args, ++i, "--in");
          int eq = spec.indexOf('=');
          if (eq <= 0) throw new IllegalArgumentException("--in expects NAME=FILE.npy, got " + spec);
          inputs.put(spec.substring(0, eq), Path.of(spec.substring(eq + 1)));
        }
        case "--out" -> out = Path.of(value(args, ++i, "--out"));
        case "--model" -> model = Path.of(value(args, ++i, "--model"));
        case "-h", "--help" -> {
          System.out.println("usage: java -jar MODEL.jar --in NAME=FILE.npy ... [--out DIR]");
          return 0;
        }
        default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (try --help)");
      }
    }
    Map<String, Tensor> in = new LinkedHashMap<>();
    for (Map.Entry<String, Path> e : inputs.entrySet()) in.put(e.getKey(), Npy.read(e.getValue()));
    try (NnModel m = NnModel.load(model != null ? model : self())) {
      Map<String, Tensor> results = m.infer(in);
      if (out != null) Files.createDirectories(out);
      for (Map.Entry<String, Tensor> r : results.entrySet()) {
        if (out != null) {
          Npy.write(out.resolve(r.getKey() + ".npy"), r.getValue());
          System.out.println("wrote " + out.resolve(r.getKey() + ".npy"));
        } else {
          System.out.println(r.getKey() + " = " + r.getValue());
        }
      }
    }
    return 0;
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) throw new IllegalArgumentException(flag + " needs a value");
    return args[i];
  }

  /** The model JAR on the class path: the first JAR that holds a model manifest ({@code java -jar model.jar}). */
  private static Path self() throws IOException {
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      if (!entry.endsWith(".jar") || !Files.isRegularFile(Path.of(entry))) continue;
      try (java.util.jar.JarFile jf = new java.util.jar.JarFile(entry)) {
        if (jf.getJarEntry(NnModel.MANIFEST) != null) return Path.of(entry);
      }
    }
    throw new IllegalArgumentException("no model JAR on the class path: run java -jar MODEL.jar, or pass --model MODEL.jar");
  }
}
