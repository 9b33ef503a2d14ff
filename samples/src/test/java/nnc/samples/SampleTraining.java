package nnc.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import nnc.compiler.cli.Main;
import nnc.runtime.io.Json;

/**
 * Trains a sample exactly as a user does, through {@code nnc train FILE.nn --metrics FILE.json}
 * (the model's own epochs, batch, optimizer, schedule and seed, on the data it declares), and
 * reads back the figures the command wrote. Training tests assert the figures a sample's header
 * promises on these, so a test and the documented command cannot drift apart.
 */
final class SampleTraining {
  private SampleTraining() {}

  /** The per-epoch and final figures of one {@code nnc train} run. */
  record Run(List<Map<String, Object>> epochs, Map<String, Object> test, String output) {
    /** A final test-set figure, e.g. {@code accuracy}. */
    double test(String metric) {
      return ((Number) test.get(metric)).doubleValue();
    }
  }

  /** Runs {@code nnc train SAMPLE --metrics ... [extra args]} in {@code dir} and returns its figures. */
  @SuppressWarnings("unchecked")
  static Run train(String sample, Path dir, String... extra) throws Exception {
    Path metrics = dir.resolve(sample.replace(".nn", "") + "-metrics.json");
    List<String> args = new ArrayList<>(List.of("train", sample, "--metrics", metrics.toString()));
    args.addAll(List.of(extra));
    StringWriter out = new StringWriter(), err = new StringWriter();
    int status = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
    assertEquals(0, status, "nnc train " + sample + " failed:\n" + out + err);
    Map<String, Object> root = (Map<String, Object>) Json.parse(Files.readString(metrics));
    System.out.print(out);
    return new Run((List<Map<String, Object>>) root.get("epochs"), (Map<String, Object>) root.get("test"), out.toString());
  }
}
