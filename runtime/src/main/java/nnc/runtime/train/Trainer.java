package nnc.runtime.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnc.runtime.NnModel;
import nnc.runtime.Rng;
import nnc.runtime.Tensor;
import nnc.runtime.io.SafeTensors;
import nnc.runtime.io.TensorFormatException;

/**
 * Trains a compiled model on in-memory datasets: epochs of shuffled batches (the last one
 * partial) through {@link NnModel#trainStep}, the learning rate set by a {@link Schedule} before
 * every step, evaluation on the validation and test sets after every epoch (loss and metrics
 * averaged over examples), early stopping on the validation loss, and checkpoints that resume
 * bit-identically: the model's parameters, optimizer state, learning rate and step, plus the
 * epoch and the state of the shuffling generator.
 *
 * <pre>{@code
 * Trainer t = new Trainer(model, train, validation, test, new Trainer.Config(5, 8, 0));
 * List<Trainer.Epoch> history = t.run(Trainer.Listener.NONE);
 * }</pre>
 */
public final class Trainer {
  /**
   * @param epochs epochs to run (on resume: further epochs)
   * @param batch examples per step
   * @param seed seed of the shuffling generator
   * @param patience stop after this many epochs without a lower validation loss (0: never)
   * @param schedule the schedule's name ("constant" when none)
   * @param scheduleArgs its arguments
   * @param lr the base learning rate, or NaN for the model's own
   * @param checkpoint where to write a checkpoint after every epoch, or null
   */
  public record Config(int epochs, int batch, long seed, int patience, String schedule, Map<String, Double> scheduleArgs,
      double lr, Path checkpoint) {
    public Config(int epochs, int batch, long seed) {
      this(epochs, batch, seed, 0, "constant", Map.of(), Double.NaN, null);
    }
  }

  /** The figures of one epoch; {@code validation} and {@code test} hold loss then metrics (empty without that set). */
  public record Epoch(int epoch, double trainLoss, Map<String, Double> validation, Map<String, Double> test, double lr,
      double seconds, int examples) {}

  /** Progress callbacks. */
  public interface Listener {
    Listener NONE = new Listener() {};

    /** After each step: the 1-based epoch, the batches done and in all, the step's loss and examples so far this epoch. */
    default void step(int epoch, int done, int batches, double loss, int examples) {}

    default void epoch(Epoch e) {}

    default void stopped(String reason) {}
  }

  private final NnModel model;
  private final Dataset train, validation, test;
  private final Config config;
  private Rng rng;
  private int epoch;
  private double baseLr;
  private double bestValidation = Double.POSITIVE_INFINITY;
  /** The parameter arena after the epoch with the lowest validation loss (this run's). */
  private float[] bestState;
  private int badEpochs;

  public Trainer(NnModel model, Dataset train, Dataset validation, Dataset test, Config config) {
    if (config.batch() < 1) throw new IllegalArgumentException("batch size must be positive, got " + config.batch());
    if (train == null || train.size() == 0) throw new IllegalArgumentException("no training data");
    this.model = model;
    this.train = train;
    this.validation = validation;
    this.test = test;
    this.config = config;
    this.rng = new Rng(config.seed());
    this.baseLr = Double.isNaN(config.lr()) ? model.learningRate() : config.lr();
  }

  /** Epochs completed so far (including those of a resumed checkpoint). */
  public int epoch() {
    return epoch;
  }

  /** Restores a checkpoint written by this class: the model's state, then the trainer's. */
  public void resume(Path checkpoint) throws IOException {
    Map<String, String> meta = SafeTensors.readMetadata(checkpoint);
    String ep = meta.get("train.epoch"), state = meta.get("train.rng");
    if (ep == null || state == null) throw new TensorFormatException(checkpoint, "has no trainer state (train.epoch, train.rng): it was not written by nnc train");
    String model = meta.get("model");
    if (model != null && !model.equals(this.model.manifest().model())) {
      throw new TensorFormatException(checkpoint, "is a checkpoint of model " + model + ", not " + this.model.manifest().model());
    }
    try {
      String[] words = state.split(",");
      long[] s = new long[words.length];
      for (int i = 0; i < s.length; i++) s[i] = Long.parseUnsignedLong(words[i], 16);
      Rng restored = Rng.restore(s);
      int e = Integer.parseInt(ep);
      double base = Double.parseDouble(meta.getOrDefault("train.base_lr", "NaN"));
      double best = Double.parseDouble(meta.getOrDefault("train.best_validation", "Infinity"));
      int bad = Integer.parseInt(meta.getOrDefault("train.bad_epochs", "0"));
      this.model.loadCheckpoint(checkpoint);
      rng = restored;
      epoch = e;
      if (Double.isNaN(config.lr()) && !Double.isNaN(base)) baseLr = base;
      bestValidation = best;
      badEpochs = bad;
    } catch (IllegalArgumentException e) {
      throw new TensorFormatException(checkpoint, "corrupt trainer state: " + e.getMessage());
    }
  }

  /** Writes the model's state and the trainer's (epoch, generator, base learning rate, early-stopping counters). */
  public void save(Path checkpoint) throws IOException {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("train.epoch", Integer.toString(epoch));
    StringBuilder sb = new StringBuilder();
    for (long w : rng.state()) sb.append(sb.isEmpty() ? "" : ",").append(Long.toHexString(w));
    meta.put("train.rng", sb.toString());
    meta.put("train.base_lr", Double.toString(baseLr));
    meta.put("train.best_validation", Double.toString(bestValidation));
    meta.put("train.bad_epochs", Integer.toString(badEpochs));
    meta.put("train.seed", Long.toString(config.seed()));
    model.saveCheckpoint(checkpoint, meta);
  }

  /** Runs {@code config.epochs()} epochs (fewer if early stopping triggers); returns their figures. */
  public List<Epoch> run(Listener listener) throws IOException {
    int batches = Batches.count(train.size(), config.batch());
    int last = epoch + config.epochs();
    Schedule schedule = Schedule.of(config.schedule(), config.scheduleArgs(), baseLr, (long) last * batches);
    List<Epoch> history = new ArrayList<>();
    while (epoch < last) {
      long t0 = System.nanoTime();
      int[] order = Batches.shuffled(train.size(), rng);
      double lossSum = 0;
      int seen = 0;
      for (int b = 0; b < batches; b++) {
        int from = b * config.batch(), to = Math.min(train.size(), from + config.batch());
        Map<String, Tensor> batch = train.batch(order, from, to);
        model.setLearningRate((float) schedule.lr(model.stepCount()));
        float loss = model.trainStep(batch);
        lossSum += (double) loss * (to - from);
        seen = to;
        listener.step(epoch + 1, b + 1, batches, loss, seen);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      epoch++;
      Map<String, Double> val = validation == null ? Map.of() : evaluate(model, validation, config.batch());
      Map<String, Double> tst = test == null ? Map.of() : evaluate(model, test, config.batch());
      boolean stop = false;
      if (!val.isEmpty()) {
        double v = val.get("loss");
        if (v < bestValidation) {
          bestValidation = v;
          badEpochs = 0;
          if (config.patience() > 0) bestState = model.snapshot();
        } else if (config.patience() > 0 && ++badEpochs >= config.patience()) {
          stop = true;
        }
      }
      Epoch e = new Epoch(epoch, lossSum / seen, val, tst, model.learningRate(), seconds, seen);
      history.add(e);
      if (config.checkpoint() != null) save(config.checkpoint());
      listener.epoch(e);
      if (!Double.isFinite(e.trainLoss())) {
        listener.stopped("the training loss is " + e.trainLoss() + " (lower the learning rate?)");
        break;
      }
      if (stop) {
        // Like Keras' restore_best_weights: the model ends at its best validation epoch.
        if (bestState != null) {
          model.restore(bestState);
          if (config.checkpoint() != null) save(config.checkpoint());
        }
        listener.stopped("early stopping: no lower validation loss for " + config.patience() + " epochs (best "
            + bestValidation + (bestState != null ? ", its parameters restored" : "") + ")");
        break;
      }
    }
    return history;
  }

  /** The objective and the metrics over a whole dataset, each averaged over examples (batches weighted by size). */
  public static Map<String, Double> evaluate(NnModel model, Dataset data, int batch) {
    Map<String, Double> sums = new LinkedHashMap<>();
    int[] order = data.identityOrder();
    for (int from = 0; from < data.size(); from += batch) {
      int to = Math.min(data.size(), from + batch);
      int n = to - from;
      model.evaluate(data.batch(order, from, to)).forEach((k, v) -> sums.merge(k, (double) v * n, Double::sum));
    }
    sums.replaceAll((k, v) -> v / data.size());
    return sums;
  }
}
