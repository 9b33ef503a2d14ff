package nnc.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import nnc.runtime.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract of {@code nnc bench --json}: one object with the three figures, each median/min/max. */
class BenchCommandTest {
  @TempDir
  Path dir;

  @Test
  void jsonHasTheThreeFiguresEachWithMedianMinMax() throws Exception {
    Path model = dir.resolve("tiny.nn");
    Files.writeString(model, CliTest.MLP);
    CliTest.Result r = CliTest.nnc("bench", model.toString(), "--batch", "4", "--threads", "2", "--json",
        "--seconds", "0.06", "--runs", "3", "--warmup", "0.02");
    assertEquals(0, r.status(), r.err());
    assertEquals(1, r.out().strip().lines().count(), "one line of JSON: " + r.out());
    Map<?, ?> o = assertInstanceOf(Map.class, Json.parse(r.out()));
    assertEquals(4L, ((Number) o.get("batch")).longValue());
    assertEquals(2L, ((Number) o.get("threads")).longValue());
    for (String key : new String[] {"train_steps_per_s", "infer_steps_per_s", "latency_us_batch1"}) {
      Map<?, ?> stat = assertInstanceOf(Map.class, o.get(key), key);
      double med = ((Number) stat.get("median")).doubleValue(), min = ((Number) stat.get("min")).doubleValue(),
          max = ((Number) stat.get("max")).doubleValue();
      assertTrue(min > 0 && min <= med && med <= max, key + ": " + stat);
      assertEquals(3L, ((Number) stat.get("runs")).longValue(), key);
    }
  }

  @Test
  void badOptionsAreOneLineErrors() throws Exception {
    Path model = dir.resolve("tiny.nn");
    Files.writeString(model, CliTest.MLP);
    CliTest.Result r = CliTest.nnc("bench", model.toString(), "--threads", "0");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("--threads must be at least 1"), r.err());
    CliTest.assertNoStackTrace(r);
  }
}
