package nnc.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files: compares text with a checked-in file, or rewrites the file when the tests run
 * with {@code -Dnnc.updateGolden=true} (then review the diff with git before committing).
 */
final class Golden {
  private Golden() {}

  static void check(Path file, String actual) throws IOException {
    if (Boolean.getBoolean("nnc.updateGolden")) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, actual, StandardCharsets.UTF_8);
      return;
    }
    if (!Files.exists(file)) {
      throw new AssertionError("missing golden file " + file + " (run with -Dnnc.updateGolden=true to create it)");
    }
    assertEquals(Files.readString(file, StandardCharsets.UTF_8), actual, "golden file " + file + " differs");
  }
}
