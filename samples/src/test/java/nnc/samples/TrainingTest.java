package nnc.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import nnc.compiler.backend.asm.AsmEmitter;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.lower.CompiledModel;
import nnc.compiler.lower.ModelCompiler;
import nnc.compiler.pack.ModelJar;
import nnc.runtime.NnModel;
import nnc.runtime.Tensor;
import nnc.runtime.train.DataSpec;
import nnc.runtime.train.Dataset;
import nnc.runtime.train.Datasets;
import nnc.runtime.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The samples trained on their declared data through the runtime's Trainer: the lecture's claims. */
class TrainingTest {
  @TempDir
  Path dir;

  private record Loaded(NnModel model, Dataset train, Dataset test, Elaborator.Model spec) {}

  private Loaded load(String name, long seed) throws Exception {
    Path file = Path.of(name + ".nn");
    Elaborator.Model m = Elaborator.compileModel(file);
    CompiledModel c = ModelCompiler.compile(m.graph(), Files.readString(file), "test", seed);
    Path jar = dir.resolve(name + "-" + seed + "-" + System.nanoTime() + ".jar");
    ModelJar.write(jar, c, Map.of(c.program().className(), AsmEmitter.emit(c.program())), Files.readString(file));
    NnModel model = NnModel.load(jar);
    Map<String, Datasets.InputType> types = Datasets.inputTypes(model, "train");
    Datasets.Stats stats = new Datasets.Stats();
    DataSpec d = m.data();
    Dataset train = Datasets.load(d.splits().get("train"), types, stats);
    Dataset test = d.splits().containsKey("test") ? Datasets.load(d.splits().get("test"), types, stats) : null;
    return new Loaded(model, train, test, m);
  }

  private static int option(Elaborator.Model m, String key) {
    return ((Number) m.graph().train().options().get(key)).intValue();
  }

  @Test
  void xorIsLearnedToFullAccuracy() throws Exception {
    Loaded l = load("xor", option(Elaborator.compileModel(Path.of("xor.nn")), "seed"));
    var cfg = new Trainer.Config(option(l.spec(), "epochs"), option(l.spec(), "batch"), 0);
    List<Trainer.Epoch> h = new Trainer(l.model(), l.train(), null, l.test(), cfg).run(Trainer.Listener.NONE);
    assertEquals(1.0, h.getLast().test().get("accuracy"), 0.0);
    Tensor prob = l.model().infer(l.test().batch(l.test().identityOrder(), 0, 4)).get("prob");
    float[] p = prob.floats();
    assertTrue(p[0] < 0.5 && p[1] > 0.5 && p[2] > 0.5 && p[3] < 0.5, java.util.Arrays.toString(p));
  }

  @Test
  void perceptronSeparatesSetosaFromVersicolor() throws Exception {
    Loaded l = load("perceptron", 0);
    assertEquals(100, l.train().size());
    var cfg = new Trainer.Config(option(l.spec(), "epochs"), 1, 0);
    List<Trainer.Epoch> h = new Trainer(l.model(), l.train(), null, l.test(), cfg).run(Trainer.Listener.NONE);
    assertEquals(1.0, h.getLast().test().get("accuracy"), 0.0);
    assertEquals(0.0, h.getLast().test().get("loss"), 0.0);
  }

  @Test
  void mnistOneEpochAtBatch8ExceedsNinetyPercent() throws Exception {
    Loaded l = load("mnist_mlp", 0);
    assertEquals(10_000, l.train().size());
    assertEquals(10_000, l.test().size());
    List<Trainer.Epoch> h = new Trainer(l.model(), l.train(), null, l.test(), new Trainer.Config(1, 8, 0)).run(Trainer.Listener.NONE);
    double acc = h.getLast().test().get("accuracy");
    assertTrue(acc > 0.90, "test accuracy after one epoch: " + acc);
  }

  /** With a learning rate far too high the validation loss bounces; early stopping ends at the best epoch's parameters. */
  @Test
  void earlyStoppingRestoresTheBestEpoch() throws Exception {
    Loaded l = load("digits_mlp", 0);
    int[][] parts = nnc.runtime.train.Batches.holdout(l.train().size(), 0.2, nnc.runtime.Rng.forStream(0, "validation"));
    Dataset train = l.train().select(parts[0]), validation = l.train().select(parts[1]);
    var cfg = new Trainer.Config(40, 32, 0, 2, "constant", Map.of(), 0.05, null);
    List<Trainer.Epoch> h = new Trainer(l.model(), train, validation, null, cfg).run(Trainer.Listener.NONE);
    assertTrue(h.size() < 40, "early stopping should have triggered, ran " + h.size() + " epochs");
    double best = h.stream().mapToDouble(e -> e.validation().get("loss")).min().orElseThrow();
    double now = Trainer.evaluate(l.model(), validation, 32).get("loss");
    assertEquals(best, now, 1e-9 * Math.max(1, best), "the model must end with the best epoch's parameters");
  }

  @Test
  void digitsHeldOutAccuracyIsAtLeast96Percent() throws Exception {
    Loaded l = load("digits_mlp", 0);
    DataSpec d = l.spec().data();
    assertNotNull(d.test());
    int[][] parts = nnc.runtime.train.Batches.holdout(l.train().size(), d.test().fraction(), nnc.runtime.Rng.forStream(0, "test"));
    Dataset train = l.train().select(parts[0]), test = l.train().select(parts[1]);
    var cfg = new Trainer.Config(option(l.spec(), "epochs"), option(l.spec(), "batch"), 0);
    List<Trainer.Epoch> h = new Trainer(l.model(), train, null, test, cfg).run(Trainer.Listener.NONE);
    double acc = h.getLast().test().get("accuracy");
    assertTrue(acc >= 0.96, "held-out accuracy: " + acc);
  }

  @Test
  void resumeIsBitIdentical() throws Exception {
    // the diabetes model (Adam-free SGD) with a warmup + cosine schedule whose horizon is explicit
    var sched = Map.of("warmup", 5.0, "steps", 40.0);
    Path ckpt = dir.resolve("ckpt.safetensors");
    Loaded a = load("diabetes_regression", 3);
    Trainer straight = new Trainer(a.model(), a.train(), null, a.test(),
        new Trainer.Config(2, 32, 7, 0, "warmup_cosine", sched, Double.NaN, null));
    straight.run(Trainer.Listener.NONE);

    Loaded b = load("diabetes_regression", 3);
    new Trainer(b.model(), b.train(), null, b.test(), new Trainer.Config(1, 32, 7, 0, "warmup_cosine", sched, Double.NaN, ckpt))
        .run(Trainer.Listener.NONE);
    Loaded c = load("diabetes_regression", 99); // other initial values: all of them must come from the checkpoint
    Trainer resumed = new Trainer(c.model(), c.train(), null, c.test(), new Trainer.Config(1, 32, 7, 0, "warmup_cosine", sched, Double.NaN, null));
    resumed.resume(ckpt);
    assertEquals(1, resumed.epoch());
    resumed.run(Trainer.Listener.NONE);
    assertEquals(2, resumed.epoch());
    assertEquals(a.model().stepCount(), c.model().stepCount());
    assertEquals(Float.floatToIntBits(a.model().learningRate()), Float.floatToIntBits(c.model().learningRate()));
    Map<String, Tensor> pa = a.model().parameters(), pc = c.model().parameters();
    assertEquals(pa.keySet(), pc.keySet());
    for (String k : pa.keySet()) assertArrayEquals(pa.get(k).floats(), pc.get(k).floats(), 0f, k);
  }

  @Test
  void resumeWithAdamOnMnistStateIsBitIdentical() throws Exception {
    // digits uses Adam: its moments live in the checkpoint too
    Path ckpt = dir.resolve("adam.safetensors");
    Loaded a = load("digits_mlp", 1);
    new Trainer(a.model(), a.train(), null, null, new Trainer.Config(2, 32, 5)).run(Trainer.Listener.NONE);
    Loaded b = load("digits_mlp", 1);
    new Trainer(b.model(), b.train(), null, null, new Trainer.Config(1, 32, 5, 0, "constant", Map.of(), Double.NaN, ckpt)).run(Trainer.Listener.NONE);
    Loaded c = load("digits_mlp", 1);
    Trainer r = new Trainer(c.model(), c.train(), null, null, new Trainer.Config(1, 32, 5));
    r.resume(ckpt);
    r.run(Trainer.Listener.NONE);
    Map<String, Tensor> pa = a.model().parameters(), pc = c.model().parameters();
    for (String k : pa.keySet()) assertArrayEquals(pa.get(k).floats(), pc.get(k).floats(), 0f, k);
  }

  // ---- sequence models (issue 7): an LSTM over image rows, a causal character transformer ------------

  /** The training configuration the model file declares, as {@code nnc train} builds it (with its schedule). */
  private static Trainer.Config configOf(Elaborator.Model spec) {
    var sched = spec.graph().train().options().get("schedule") instanceof nnc.compiler.ir.TrainSpec.Call c
        ? c : new nnc.compiler.ir.TrainSpec.Call("constant", Map.of());
    return new Trainer.Config(option(spec, "epochs"), option(spec, "batch"), option(spec, "seed"), 0, sched.name(),
        sched.args(), Double.NaN, null);
  }

  /** The LSTM reads each image as 28 rows of 28 pixels; the classifier sees only its last state. */
  @Test
  void lstmReadingMnistRowsExceedsNinetyPercent() throws Exception {
    Elaborator.Model spec = Elaborator.compileModel(Path.of("lstm_sequence.nn"));
    Loaded l = load("lstm_sequence", option(spec, "seed"));
    new Trainer(l.model(), l.train(), null, null, configOf(spec)).run(Trainer.Listener.NONE);
    // Evaluated once at the end rather than after every epoch: the test set is as large as the training set.
    double acc = Trainer.evaluate(l.model(), l.test(), 256).get("accuracy");
    System.out.printf(java.util.Locale.ROOT, "lstm_sequence: test accuracy %.4f%n", acc);
    assertTrue(acc >= 0.90, "test accuracy of the row-by-row LSTM: " + acc);
  }

  /**
   * The held-out cross-entropy of the causal transformer, per character, against the unigram
   * model's: the entropy of the text's character frequencies, -Σ p(c) log p(c), computed here from
   * the file itself (the best any model that ignores the context can do on this text).
   */
  @Test
  void charTransformerBeatsTheUnigramModelByHalfANat() throws Exception {
    Elaborator.Model spec = Elaborator.compileModel(Path.of("char_transformer.nn"));
    long seed = option(spec, "seed");
    Loaded l = load("char_transformer", seed);
    int[][] parts = nnc.runtime.train.Batches.holdout(l.train().size(), spec.data().test().fraction(),
        nnc.runtime.Rng.forStream(seed, "test"));
    Dataset train = l.train().select(parts[0]), test = l.train().select(parts[1]);
    List<Trainer.Epoch> h = new Trainer(l.model(), train, null, test, configOf(spec)).run(Trainer.Listener.NONE);
    double model = h.getLast().test().get("loss");

    int[] ids = nnc.runtime.data.Text.ids(Path.of("../data/text/dhammapada.txt"));
    long[] counts = new long[nnc.runtime.data.Text.VOCABULARY];
    for (int c : ids) counts[c]++;
    double unigram = 0;
    for (long n : counts) if (n > 0) unigram -= (double) n / ids.length * Math.log((double) n / ids.length);
    System.out.printf(java.util.Locale.ROOT, "char_transformer: held-out %.4f nats per character, unigram %.4f%n", model, unigram);
    assertTrue(unigram > 2.5, "the unigram entropy of English text is about 3 nats: " + unigram);
    assertTrue(model <= unigram - 0.5, "held-out cross-entropy " + model + " nats vs the unigram model's " + unigram);
  }
}
