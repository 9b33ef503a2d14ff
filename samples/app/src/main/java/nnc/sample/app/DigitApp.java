package nnc.sample.app;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import nnc.runtime.NnModel;
import nnc.runtime.Tensor;
import nnc.runtime.data.Idx;
import nnc.runtime.model.Manifest;

/**
 * An application that embeds a compiled MNIST classifier with nothing but {@code nnc-runtime}:
 * it loads the model JAR, classifies the first test images, then fine-tunes the model for a few
 * compiled training steps and classifies again.
 *
 * <pre>
 * usage: DigitApp [MODEL.jar] [--data DIR] [--images N] [--steps S] [--batch B] [--lr LR|model] [--show K] [--save FILE]
 * </pre>
 *
 * <p>The model must take a batch of flattened 28×28 images as its first inference input
 * ({@code f32[B, 784]}) and give class probabilities ({@code f32[B, 10]}) as its first output,
 * like {@code samples/mnist_mlp.nn}; the training step takes the images and i32 labels. Names are
 * read from the model's manifest, not assumed.
 */
public final class DigitApp {
  static final int PIXELS = 28 * 28;
  static final int CLASSES = 10;
  /**
   * The fine-tuning rate: mnist_mlp.nn's own 0.005 is meant for its batch of 8 and thousands of
   * steps; 20 steps of 32 images show more with a larger one. {@code --lr model} keeps the model's.
   */
  static final float DEFAULT_LR = 0.05f;

  private DigitApp() {}

  /** What one run measured. {@code losses} are the objectives that the training steps returned. */
  public record Result(int images, int correctBefore, int correctAfter, double crossEntropyBefore, double crossEntropyAfter, float[] losses) {
    public double accuracyBefore() {
      return (double) correctBefore / images;
    }

    public double accuracyAfter() {
      return (double) correctAfter / images;
    }
  }

  /** The settings of a run, with the defaults of the command line; {@code lr} NaN keeps the model's learning rate. */
  public record Options(Path model, Path data, int images, int steps, int batch, float lr, int show, Path save) {
    public static Options defaults() {
      Path data = Path.of("data/mnist");
      if (!Files.isDirectory(data) && Files.isDirectory(Path.of("../../data/mnist"))) data = Path.of("../../data/mnist");
      return new Options(Path.of("target/mnist_mlp.jar"), data, 100, 20, 32, DEFAULT_LR, 10, null);
    }
  }

  static final String USAGE =
      "usage: DigitApp [MODEL.jar] [--data DIR] [--images N] [--steps S] [--batch B] [--lr LR|model] [--show K] [--save FILE]";

  public static void main(String[] args) {
    try {
      Options o = parse(args);
      if (o == null) {
        System.out.println(USAGE);
        return;
      }
      run(o, System.out);
    } catch (IOException | IllegalArgumentException | IllegalStateException e) {
      System.err.println("digit-app: " + e.getMessage());
      System.exit(1);
    }
  }

  /** The options of a command line, or null if it asks for help. */
  static Options parse(String[] args) {
    Options d = Options.defaults();
    Path model = d.model(), data = d.data(), save = d.save();
    int images = d.images(), steps = d.steps(), batch = d.batch(), show = d.show();
    float lr = d.lr();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--data" -> data = Path.of(value(args, ++i, a));
        case "--images" -> images = positive(args, ++i, a);
        case "--steps" -> steps = Integer.parseInt(value(args, ++i, a));
        case "--batch" -> batch = positive(args, ++i, a);
        case "--lr" -> {
          String v = value(args, ++i, a);
          lr = v.equals("model") ? Float.NaN : Float.parseFloat(v);
        }
        case "--show" -> show = Integer.parseInt(value(args, ++i, a));
        case "--save" -> save = Path.of(value(args, ++i, a));
        case "-h", "--help" -> {
          return null;
        }
        default -> {
          if (a.startsWith("-")) throw new IllegalArgumentException("unknown option " + a + " (try --help)");
          model = Path.of(a);
        }
      }
    }
    return new Options(model, data, images, steps, batch, lr, show, save);
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) throw new IllegalArgumentException(flag + " needs a value");
    return args[i];
  }

  private static int positive(String[] args, int i, String flag) {
    int v = Integer.parseInt(value(args, i, flag));
    if (v < 1) throw new IllegalArgumentException(flag + " must be at least 1, got " + v);
    return v;
  }

  /** Loads the model, classifies, trains, classifies again; prints to {@code out}. */
  public static Result run(Options o, PrintStream out) throws IOException {
    try (NnModel model = NnModel.load(o.model())) {
      Manifest m = model.manifest();
      Manifest.Entry infer = m.entry("infer");
      if (infer == null || infer.inputs().isEmpty() || infer.outputs().isEmpty()) {
        throw new IllegalArgumentException(o.model() + ": model " + m.model() + " has no inference entry with inputs and outputs");
      }
      String imageInput = infer.inputs().get(0).name(), probsOutput = infer.outputs().get(0).name();
      out.printf(Locale.ROOT, "model %s from %s: %s -> %s%n", m.model(), o.model(), describe(infer.inputs()), describe(infer.outputs()));

      Tensor testImages = Idx.read(o.data().resolve("t10k-images-idx3-ubyte.gz"));
      int[] testLabels = Idx.read(o.data().resolve("t10k-labels-idx1-ubyte.gz")).ints();
      int n = Math.min(o.images(), testLabels.length);
      Tensor x = pixels(testImages, 0, n);
      int[] labels = java.util.Arrays.copyOf(testLabels, n);

      out.printf(Locale.ROOT, "%nclassifying the first %d test images%n", n);
      Eval before = evaluate(model, imageInput, probsOutput, x, labels);
      show(before, labels, o.show(), out);
      out.printf(Locale.ROOT, "accuracy %d/%d = %.3f, mean cross-entropy %.4f%n", before.correct, n, (double) before.correct / n, before.crossEntropy);

      float[] losses = new float[0];
      if (o.steps() > 0) {
        Manifest.Entry train = m.entry("train");
        if (train == null) throw new IllegalArgumentException("model " + m.model() + " has no train objective; use --steps 0");
        String trainImages = null, trainLabels = null;
        for (Manifest.Port p : train.inputs()) {
          if (p.dtype().equals("i32")) trainLabels = p.name();
          else if (p.dtype().equals("f32")) trainImages = p.name();
        }
        if (trainImages == null || trainLabels == null) {
          throw new IllegalArgumentException("model " + m.model() + ": its training step does not take f32 images and i32 labels");
        }
        if (!Float.isNaN(o.lr())) model.setLearningRate(o.lr());
        Tensor images = Idx.read(o.data().resolve("train-10k-images-idx3-ubyte.gz"));
        int[] all = Idx.read(o.data().resolve("train-10k-labels-idx1-ubyte.gz")).ints();
        out.printf(Locale.ROOT, "%nfine-tuning: %d compiled training steps on batches of %d training images, lr %s%n",
            o.steps(), o.batch(), model.learningRate());
        losses = new float[o.steps()];
        int available = all.length / o.batch();
        if (available == 0) throw new IllegalArgumentException("--batch " + o.batch() + " is larger than the " + all.length + " training images");
        for (int s = 0; s < o.steps(); s++) {
          int from = (s % available) * o.batch();
          Tensor xb = pixels(images, from, o.batch());
          Tensor yb = Tensor.of(java.util.Arrays.copyOfRange(all, from, from + o.batch()), o.batch());
          losses[s] = model.trainStep(Map.of(trainImages, xb, trainLabels, yb));
          out.printf(Locale.ROOT, "  step %3d  loss %.4f%n", s + 1, losses[s]);
        }
        if (o.save() != null) {
          model.saveCheckpoint(o.save());
          out.println("saved the fine-tuned parameters to " + o.save());
        }
      }

      Eval after = before;
      if (losses.length > 0) {
        after = evaluate(model, imageInput, probsOutput, x, labels);
        out.printf(Locale.ROOT, "%nafter fine-tuning: accuracy %d/%d = %.3f (was %.3f), mean cross-entropy %.4f (was %.4f)%n",
            after.correct, n, (double) after.correct / n, (double) before.correct / n, after.crossEntropy, before.crossEntropy);
      }
      return new Result(n, before.correct, after.correct, before.crossEntropy, after.crossEntropy, losses);
    }
  }

  private record Eval(int[] predicted, int correct, double crossEntropy) {}

  /** Runs inference through the runtime API and scores it. */
  private static Eval evaluate(NnModel model, String input, String output, Tensor x, int[] labels) {
    Tensor probs = model.infer(Map.of(input, x)).get(output);
    if (probs.rank() != 2 || probs.dim(1) != CLASSES) {
      throw new IllegalArgumentException("output " + output + " is " + Tensor.shapeString(probs.shape()) + ", not [B," + CLASSES + "] class probabilities");
    }
    float[] p = probs.floats();
    int[] predicted = new int[labels.length];
    int correct = 0;
    double ce = 0;
    for (int i = 0; i < labels.length; i++) {
      int best = 0;
      for (int c = 1; c < CLASSES; c++) if (p[i * CLASSES + c] > p[i * CLASSES + best]) best = c;
      predicted[i] = best;
      if (best == labels[i]) correct++;
      ce -= Math.log(Math.max(p[i * CLASSES + labels[i]], 1e-30));
    }
    return new Eval(predicted, correct, ce / labels.length);
  }

  private static void show(Eval e, int[] labels, int k, PrintStream out) {
    int shown = Math.min(k, labels.length);
    for (int i = 0; i < shown; i++) {
      out.printf(Locale.ROOT, "  image %3d: predicted %d, label %d%s%n", i, e.predicted[i], labels[i], e.predicted[i] == labels[i] ? "" : "  (wrong)");
    }
    if (shown < labels.length) out.printf(Locale.ROOT, "  ... and %d more%n", labels.length - shown);
  }

  /** Images {@code from .. from+n} of an IDX image tensor ({@code [N,28,28]}, 0..255) as f32 {@code [n,784]} in [0, 1]. */
  static Tensor pixels(Tensor idx, int from, int n) {
    if (idx.rank() != 3 || idx.dim(1) * idx.dim(2) != PIXELS) {
      throw new IllegalArgumentException("expected 28x28 images, the file holds " + Tensor.shapeString(idx.shape()));
    }
    if (from + n > idx.dim(0)) throw new IllegalArgumentException("asked for images up to " + (from + n) + ", the file holds " + idx.dim(0));
    int[] v = idx.ints();
    float[] out = new float[n * PIXELS];
    for (int i = 0; i < out.length; i++) out[i] = v[from * PIXELS + i] / 255f;
    return Tensor.of(out, n, PIXELS);
  }

  private static String describe(List<Manifest.Port> ports) {
    List<String> s = new ArrayList<>();
    for (Manifest.Port p : ports) s.add(p.name() + " : " + p.dtype() + p.shape().toString().replace(" ", ""));
    return String.join(", ", s);
  }
}
