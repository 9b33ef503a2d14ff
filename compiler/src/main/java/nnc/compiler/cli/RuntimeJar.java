package nnc.compiler.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import nnc.compiler.pack.ModelJar;
import nnc.runtime.NnModel;

/**
 * Puts {@code nnc-runtime.jar} beside a compiled model, so that {@code java -jar model.jar} works
 * (the model JAR's Class-Path names it). The runtime is found where this JVM loaded it from.
 */
final class RuntimeJar {
  private RuntimeJar() {}

  /** Copies the runtime JAR next to {@code modelJar}; returns where, or null if it runs from classes. */
  static Path copyBeside(Path modelJar) throws IOException {
    Path from;
    try {
      from = Path.of(NnModel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      return null;
    }
    if (!Files.isRegularFile(from)) return null;
    Path dir = modelJar.toAbsolutePath().getParent();
    Path to = dir.resolve(ModelJar.RUNTIME_JAR);
    if (!Files.exists(to) || Files.size(to) != Files.size(from) || Files.getLastModifiedTime(to).compareTo(Files.getLastModifiedTime(from)) < 0) {
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
    return to;
  }
}
