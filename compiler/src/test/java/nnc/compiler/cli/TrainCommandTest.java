package nnc.compiler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nnc train / eval end to end on a tiny model with inline data, and their one-line errors. */
class TrainCommandTest {
  @TempDir
  Path dir;

  private record Run(int status, String out, String err) {}

  private static Run nnc(String... args) {
    StringWriter out = new StringWriter(), err = new StringWriter();
    int status = Main.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(status, out.toString(), err.toString());
  }

  private Path model(String data) throws Exception {
    Path f = dir.resolve("and.nn");
    Files.writeString(f, """
        model And
        input x : f32[B, 2]
        input y : f32[B, 1]
        param W : f32[2, 1] = xavier_normal
        param b : f32[1]
        logits = x @ W + b
        loss = binary_cross_entropy_with_logits(logits, y)
        metric accuracy = mean(f32((logits > 0) == (y > 0.5)))
        train minimize loss with sgd(lr = 1.0) batch 2 epochs 200 schedule cosine(min_lr = 0.1)
        """ + data);
    return f;
  }

  private static final String INLINE = """
      data train {
        x = [[0, 0], [0, 1], [1, 0], [1, 1]]
        y = [[0], [0], [0], [1]]
      }
      data test {
        x = [[0, 0], [0, 1], [1, 0], [1, 1]]
        y = [[0], [0], [0], [1]]
      }
      """;

  @Test
  void trainsWritesMetricsPlotAndCheckpointThenEvaluates() throws Exception {
    Path f = model(INLINE);
    Path ckpt = dir.resolve("c.safetensors"), json = dir.resolve("m.json"), svg = dir.resolve("p.svg");
    Run r = nnc("train", f.toString(), "--out", ckpt.toString(), "--metrics", json.toString(), "--plot", svg.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("epoch 200/200"), r.out());
    assertTrue(r.out().contains("test: loss"), r.out());
    assertTrue(r.out().contains("accuracy 1.0000"), r.out());
    String metrics = Files.readString(json);
    assertTrue(metrics.contains("\"train_loss\"") && metrics.contains("\"accuracy\":1.0"), metrics);
    assertTrue(Files.readString(svg).startsWith("<svg"));
    Run e = nnc("eval", f.toString(), "--params", ckpt.toString());
    assertEquals(0, e.status(), e.err());
    assertTrue(e.out().startsWith("test (4 examples): loss"), e.out());
    assertTrue(e.out().contains("accuracy 1.0000"), e.out());
    Run resumed = nnc("train", f.toString(), "--resume", ckpt.toString(), "--epochs", "1");
    assertEquals(0, resumed.status(), resumed.err());
    assertTrue(resumed.out().contains("epoch 201/201"), resumed.out());
  }

  @Test
  void outputFilesMayGoToDirectoriesThatDoNotExistYet() throws Exception {
    Path f = model(INLINE);
    Path ckpt = dir.resolve("a/b/c.safetensors"), json = dir.resolve("d/m.json"), svg = dir.resolve("e/p.svg");
    Run r = nnc("train", f.toString(), "--epochs", "1", "--out", ckpt.toString(), "--metrics", json.toString(), "--plot", svg.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.isRegularFile(ckpt) && Files.isRegularFile(json) && Files.isRegularFile(svg), r.out());
  }

  @Test
  void badCheckpointsAndDataAreOneLineErrors() throws Exception {
    Path f = model(INLINE);
    Path junk = dir.resolve("junk.safetensors");
    Files.writeString(junk, "not a checkpoint");
    Run r = nnc("train", f.toString(), "--resume", junk.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("nnc: ") && r.err().strip().lines().count() == 1, r.err());
    Run e = nnc("eval", f.toString(), "--params", junk.toString());
    assertEquals(1, e.status());
    assertFalse(e.err().contains("\tat "), e.err());

    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "1,2\n3,oops\n");
    Path g = model("data train {\n  x = csv(\"bad.csv\")\n  y = [[0], [1]]\n}\n");
    Run d = nnc("train", g.toString());
    assertEquals(1, d.status());
    assertTrue(d.err().contains("bad.csv:2") && d.err().strip().lines().count() == 1, d.err());
  }

  @Test
  void aMissingDataFileIsAnErrorAtItsSpan() throws Exception {
    Path f = model("data train {\n  x = idx(\"nowhere.gz\", scale = 1/255)\n  y = [[0]]\n}\n");
    Run r = nnc("check", f.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains("and.nn:11:11: error: no such data file \"nowhere.gz\""), r.err());
    Path g = model("data train {\n  x = idx(\"and.nn\", scael = 2)\n}\ndata test {\n  z = [[0]]\n}\n");
    Run s = nnc("check", g.toString());
    assertTrue(s.err().contains("has no option 'scael' (did you mean 'scale'?)"), s.err());
    assertTrue(s.err().contains("data test: the model has no input 'z'"), s.err());
  }
}
