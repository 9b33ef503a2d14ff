package nnc.sample.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the app on the model JAR that this module's build compiled from samples/mnist_mlp.nn
 * (generate-resources) and on the shipped MNIST files.
 */
class DigitAppTest {
  static final Path MODEL = Path.of(System.getProperty("nnc.app.model", "target/mnist_mlp.jar"));
  static final Path DATA = Path.of(System.getProperty("nnc.app.data", "../../data/mnist"));

  @TempDir
  Path dir;

  @Test
  void classifiesTestImagesAndFineTunes() throws Exception {
    assertTrue(Files.isRegularFile(MODEL), MODEL + " is missing: the build compiles it in generate-resources");
    Path ckpt = dir.resolve("fine-tuned.safetensors");
    DigitApp.Options o = DigitApp.parse(new String[] {MODEL.toString(), "--data", DATA.toString(), "--images", "100", "--steps", "20",
        "--save", ckpt.toString()});
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DigitApp.Result r = DigitApp.run(o, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    String out = bytes.toString(StandardCharsets.UTF_8);

    assertEquals(100, r.images());
    assertTrue(r.accuracyBefore() >= 0 && r.accuracyBefore() <= 1, out);
    assertTrue(r.accuracyAfter() >= 0 && r.accuracyAfter() <= 1, out);
    assertEquals(20, r.losses().length);
    float first = r.losses()[0], last = r.losses()[19];
    assertTrue(Float.isFinite(first) && Float.isFinite(last), out);
    assertTrue(last < first, "loss after 20 steps " + last + " is not below the first " + first + "\n" + out);
    // The same 100 test images score better after fine-tuning.
    assertTrue(r.crossEntropyAfter() < r.crossEntropyBefore(), out);
    assertTrue(out.contains("accuracy " + r.correctBefore() + "/100"), out);
    assertTrue(out.contains("image   0: predicted "), out);
    assertTrue(Files.size(ckpt) > 0);
  }

  @Test
  void commandLine() {
    DigitApp.Options d = DigitApp.parse(new String[0]);
    assertEquals(Path.of("target/mnist_mlp.jar"), d.model());
    assertEquals(100, d.images());
    assertEquals(DigitApp.DEFAULT_LR, d.lr());
    assertTrue(Float.isNaN(DigitApp.parse(new String[] {"--lr", "model"}).lr()));
    assertNull(DigitApp.parse(new String[] {"--help"}));
  }
}
