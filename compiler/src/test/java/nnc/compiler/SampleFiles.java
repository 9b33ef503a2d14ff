package nnc.compiler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The sample models in {@code samples/}, seen from the compiler module's tests. */
public final class SampleFiles {
  public static final Path DIR = Path.of("../samples");

  private SampleFiles() {}

  /** Sample names without the {@code .nn} suffix, sorted (a {@code @MethodSource} for parameterized tests). */
  public static Stream<String> names() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".nn"))
          .map(n -> n.substring(0, n.length() - 3)).sorted().toList().stream();
    }
  }

  public static Path file(String name) {
    return DIR.resolve(name + ".nn");
  }
}
