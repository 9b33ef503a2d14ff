package nnc.compiler.frontend;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A model file's text, with the name used in diagnostics. */
public record SourceText(String name, String text) {
  public static SourceText read(Path p) throws IOException {
    return new SourceText(p.toString(), Files.readString(p, StandardCharsets.UTF_8));
  }

  /** The 1-based line, without its terminator, or null when out of range. */
  public String line(int n) {
    if (n < 1) return null;
    String[] lines = text.split("\r?\n", -1);
    return n <= lines.length ? lines[n - 1] : null;
  }
}
