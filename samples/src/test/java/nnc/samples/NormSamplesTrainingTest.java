package nnc.samples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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

/**
 * The batch-norm MLP, the autoencoder and the distillation sample trained on the shipped MNIST
 * data with their own settings (epochs, batch, optimizer), through the runtime's Trainer.
 */
class NormSamplesTrainingTest {
  @TempDir
  Path dir;

  private record Loaded(NnModel model, Dataset train, Dataset test, Elaborator.Model spec) {}

  private Loaded load(Path file) throws Exception {
    Elaborator.Model m = Elaborator.compileModel(file);
    String text = Files.readString(file);
    CompiledModel c = ModelCompiler.compile(m.graph(), text, "test", 0);
    Path jar = dir.resolve(file.getFileName() + "-" + System.nanoTime() + ".jar");
    ModelJar.write(jar, c, Map.of(c.program().className(), AsmEmitter.emit(c.program())), text);
    NnModel model = NnModel.load(jar);
    Map<String, Datasets.InputType> types = Datasets.inputTypes(model, "train");
    Datasets.Stats stats = new Datasets.Stats();
    DataSpec d = m.data();
    return new Loaded(model, Datasets.load(d.splits().get("train"), types, stats), Datasets.load(d.splits().get("test"), types, stats), m);
  }

  private static Trainer.Epoch train(Loaded l) throws Exception {
    return train(l, ((Number) l.spec().graph().train().options().get("epochs")).intValue());
  }

  private static Trainer.Epoch train(Loaded l, int epochs) throws Exception {
    Map<String, Object> o = l.spec().graph().train().options();
    var cfg = new Trainer.Config(epochs, ((Number) o.get("batch")).intValue(), 0);
    List<Trainer.Epoch> h = new Trainer(l.model(), l.train(), null, l.test(), cfg).run(Trainer.Listener.NONE);
    return h.getLast();
  }

  /**
   * Test accuracy is measured by the eval entry, with the running statistics: one image alone
   * gets the same answer as in a batch, and putting the initial statistics back breaks the model.
   */
  @Test
  void mnistWithBatchNormEvaluatesWithItsRunningStatistics() throws Exception {
    Loaded l = load(Path.of("mnist_bn.nn"));
    double acc = train(l).test().get("accuracy");
    System.out.printf("mnist_bn: test accuracy %.4f%n", acc);
    assertTrue(acc >= 0.94, "test accuracy: " + acc);

    Map<String, Tensor> batch = l.test().batch(l.test().identityOrder(), 0, 50);
    float[] together = l.model().infer(Map.of("x", batch.get("x"))).get("probs").floats();
    float[] pixels = batch.get("x").floats();
    for (int i = 0; i < 50; i += 7) {
      float[] one = java.util.Arrays.copyOfRange(pixels, i * 784, (i + 1) * 784);
      float[] alone = l.model().infer(Map.of("x", Tensor.of(one, 1, 784))).get("probs").floats();
      assertArrayEquals(java.util.Arrays.copyOfRange(together, i * 10, (i + 1) * 10), alone, 1e-5f, "image " + i);
    }

    Map<String, Tensor> learned = l.model().modelState();
    Path ckpt = dir.resolve("bn.safetensors");
    l.model().saveCheckpoint(ckpt);
    Map<String, Tensor> reset = new LinkedHashMap<>(nnc.runtime.io.SafeTensors.read(ckpt));
    for (String k : learned.keySet()) {
      float[] init = new float[learned.get(k).size()];
      if (k.endsWith("running_var")) java.util.Arrays.fill(init, 1f);
      reset.put(k, Tensor.of(init, learned.get(k).shape()));
    }
    Path resetFile = dir.resolve("reset.safetensors");
    nnc.runtime.io.SafeTensors.write(resetFile, reset);
    l.model().loadCheckpoint(resetFile);
    double withInitialStatistics = Trainer.evaluate(l.model(), l.test(), 500).get("accuracy");
    System.out.printf("mnist_bn: with the initial running statistics %.4f%n", withInitialStatistics);
    assertTrue(withInitialStatistics < acc - 0.05, "evaluation must depend on the running statistics: " + withInitialStatistics);
    l.model().loadCheckpoint(ckpt);
    assertEquals(acc, Trainer.evaluate(l.model(), l.test(), 500).get("accuracy"), 1e-6, "the learned statistics are back");
  }

  /** Running statistics are part of a checkpoint: a resumed run ends bit-identical to an uninterrupted one. */
  @Test
  void batchNormTrainingResumesBitIdentically() throws Exception {
    Path ckpt = dir.resolve("resume.safetensors");
    int[] rows = java.util.stream.IntStream.range(0, 640).toArray();
    Loaded a = load(Path.of("mnist_bn.nn"));
    new Trainer(a.model(), a.train().select(rows), null, null, new Trainer.Config(2, 64, 5)).run(Trainer.Listener.NONE);
    Loaded b = load(Path.of("mnist_bn.nn"));
    new Trainer(b.model(), b.train().select(rows), null, null,
        new Trainer.Config(1, 64, 5, 0, "constant", Map.of(), Double.NaN, ckpt)).run(Trainer.Listener.NONE);
    Loaded c = load(Path.of("mnist_bn.nn"));
    Trainer resumed = new Trainer(c.model(), c.train().select(rows), null, null, new Trainer.Config(1, 64, 5));
    resumed.resume(ckpt);
    resumed.run(Trainer.Listener.NONE);
    Map<String, Tensor> sa = a.model().modelState(), sc = c.model().modelState();
    assertEquals(List.of("bn1.running_mean", "bn1.running_var", "bn2.running_mean", "bn2.running_var"), List.copyOf(sa.keySet()));
    for (String k : sa.keySet()) assertArrayEquals(sa.get(k).floats(), sc.get(k).floats(), 0f, k);
    Map<String, Tensor> pa = a.model().parameters(), pc = c.model().parameters();
    for (String k : pa.keySet()) assertArrayEquals(pa.get(k).floats(), pc.get(k).floats(), 0f, k);
  }

  /** The test-set reconstruction error, against predicting the mean training image for every test image. */
  @Test
  void autoencoderReconstructsFarBetterThanTheMeanImage() throws Exception {
    Loaded l = load(Path.of("autoencoder.nn"));
    float[] train = l.train().columns().get("x").floats(), test = l.test().columns().get("x").floats();
    double[] mean = new double[784];
    for (int i = 0; i < train.length; i++) mean[i % 784] += train[i] / l.train().size();
    double baseline = 0;
    for (int i = 0; i < test.length; i++) baseline += Math.pow(test[i] - mean[i % 784], 2);
    baseline /= test.length;
    double mse = train(l).test().get("mse");
    System.out.printf("autoencoder: test MSE %.4f, mean-image baseline %.4f%n", mse, baseline);
    assertTrue(mse < 0.4 * baseline, "test MSE " + mse + " vs mean-image baseline " + baseline);
  }

  /**
   * The student learns from the teacher's soft targets: it agrees with the teacher far more
   * closely (a lower KL divergence at T) than the same student trained on the labels alone
   * (alpha = 0). Three epochs instead of the sample's eight keep the two trainings cheap.
   */
  @Test
  void distilledStudentFollowsItsTeacher() throws Exception {
    int epochs = 3;
    Trainer.Epoch distilled = train(load(Path.of("distill.nn")), epochs);
    String text = Files.readString(Path.of("distill.nn"));
    assertTrue(text.contains("const alpha = 0.5"), "the sample's alpha changed: update this test");
    Path labelsOnly = dir.resolve("distill_labels_only.nn");
    Files.writeString(labelsOnly, text.replace("const alpha = 0.5", "const alpha = 0")
        .replace("\"../data/", "\"" + Path.of("../data").toAbsolutePath().normalize() + "/"));
    Trainer.Epoch alone = train(load(labelsOnly), epochs);
    Map<String, Double> d = distilled.test(), a = alone.test();
    System.out.printf("distill: student %.4f (labels only %.4f), teacher %.4f, student-teacher KL %.3f (labels only %.3f)%n",
        d.get("student_accuracy"), a.get("student_accuracy"), d.get("teacher_accuracy"), d.get("student_kl"), a.get("student_kl"));
    assertTrue(d.get("teacher_accuracy") >= 0.93, "teacher: " + d);
    assertTrue(d.get("student_accuracy") >= 0.90, "student: " + d);
    assertTrue(d.get("student_kl") < 0.75 * a.get("student_kl"), "distilled " + d + " vs labels only " + a);
  }
}
