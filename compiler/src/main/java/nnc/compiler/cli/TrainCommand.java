package nnc.compiler.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.ir.Graph;
import nnc.compiler.ir.TrainSpec;
import nnc.runtime.NnModel;
import nnc.runtime.io.Json;
import nnc.runtime.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nnc train FILE.nn}: compiles the model in process, loads the data its {@code data}
 * declarations name, trains it with the compiled step and reports per-epoch figures.
 */
@Command(name = "train", description = "Train a model on the data it declares; report per-epoch loss and metrics, end with the test figures.")
final class TrainCommand extends ModelCommand {
  @Option(names = "--epochs", paramLabel = "N", description = "epochs to train (on --resume: further epochs); default: the model's 'epochs', else 5")
  Integer epochs;

  @Option(names = "--batch", paramLabel = "B", description = "batch size; default: the model's 'batch', else 32")
  Integer batch;

  @Option(names = "--seed", paramLabel = "S", description = "seed of the initial parameters and the shuffling; default: the model's 'seed', else 0")
  Long seed;

  @Option(names = "--lr", paramLabel = "X", description = "base learning rate instead of the optimizer's")
  Double lr;

  @Option(names = "--patience", paramLabel = "N", description = "early stopping: epochs without a lower validation loss; default: the model's 'patience', else off")
  Integer patience;

  @Option(names = "--out", paramLabel = "CKPT.safetensors", description = "checkpoint written after every epoch (atomically)")
  Path out;

  @Option(names = "--resume", paramLabel = "CKPT", description = "continue from a checkpoint written by nnc train")
  Path resume;

  @Option(names = "--metrics", paramLabel = "FILE.json", description = "write the per-epoch figures as JSON")
  Path metricsFile;

  @Option(names = "--plot", paramLabel = "FILE.svg", description = "draw the loss and metric curves as SVG")
  Path plotFile;

  @Option(names = "--nan-guard", description = "stop at the first NaN or infinity a kernel produces, naming its node and .nn line (slow)")
  boolean nanGuard;

  @Option(names = "--threads", paramLabel = "T", defaultValue = "1",
      description = "threads sharing each step's matrix products; results are identical for any count (default: ${DEFAULT-VALUE})")
  int threads;

  @Override
  int run(Graph g) throws IOException {
    Elaborator.Model model = compileModel();
    int ep = epochs != null ? epochs : TrainSupport.option(g, "epochs", 5);
    int b = batch != null ? batch : TrainSupport.option(g, "batch", 32);
    long s = seed != null ? seed : TrainSupport.option(g, "seed", 0);
    int pat = patience != null ? patience : TrainSupport.option(g, "patience", 0);
    if (ep < 1) throw new UserError("--epochs must be positive");
    if (b < 1) throw new UserError("--batch must be positive");
    if (pat < 0) throw new UserError("--patience must not be negative");
    if (threads < 1) throw new UserError("--threads must be at least 1");
    if (resume != null && !Files.isRegularFile(resume)) throw new UserError("--resume: " + resume + ": no such file");
    if (out != null) createParent(out);
    try (NnModel m = TrainSupport.compileAndLoad(g, file, s)) {
      m.setNanGuard(nanGuard);
      m.setThreads(threads);
      TrainSupport.Splits data = TrainSupport.load(model.data(), m, file, s, true);
      TrainSpec.Call sched = g.train().options().get("schedule") instanceof TrainSpec.Call c ? c : new TrainSpec.Call("constant", Map.of());
      Trainer.Config cfg = new Trainer.Config(ep, b, s, pat, sched.name(), sched.args(), lr == null ? Double.NaN : lr, out);
      Trainer trainer = new Trainer(m, data.train(), data.validation(), data.test(), cfg);
      if (resume != null) trainer.resume(resume);
      out().printf(Locale.ROOT, "train %s: %d examples%s%s, batch %d, %d epoch%s from epoch %d, %s, seed %d%n", g.name(), data.train().size(),
          data.validation() != null ? ", " + data.validation().size() + " validation" : "",
          data.test() != null ? ", " + data.test().size() + " test" : "", b, ep, ep == 1 ? "" : "s", trainer.epoch() + 1,
          g.train().optimizer() + (sched.name().equals("constant") ? "" : " schedule " + sched), s);
      boolean terminal = System.console() != null;
      Progress progress = new Progress(terminal, trainer.epoch() + ep);
      List<Trainer.Epoch> history;
      try {
        history = trainer.run(progress);
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new UserError(e.getMessage());
      }
      Map<String, Double> finalTest = history.isEmpty() ? Map.of() : history.getLast().test();
      if (!finalTest.isEmpty()) out().println("test: " + TrainSupport.figures(finalTest));
      if (out != null) out().println("wrote " + out);
      if (metricsFile != null) {
        writeMetrics(g, history, finalTest, b, s);
        out().println("wrote " + metricsFile);
      }
      if (plotFile != null) {
        createParent(plotFile);
        Files.writeString(plotFile, Plot.svg(g.name(), history));
        out().println("wrote " + plotFile);
      }
    }
    return 0;
  }

  private Elaborator.Model compileModel() throws IOException {
    try {
      return Elaborator.compileModel(file);
    } catch (nnc.compiler.frontend.CompilationFailed e) {
      throw new IllegalStateException("the model compiled once and failed the second time", e);
    }
  }

  private void writeMetrics(Graph g, List<Trainer.Epoch> history, Map<String, Double> test, int b, long s) throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("model", g.name());
    root.put("batch", b);
    root.put("seed", s);
    List<Object> epochsOut = new ArrayList<>();
    for (Trainer.Epoch e : history) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("epoch", e.epoch());
      o.put("train_loss", finite(e.trainLoss()));
      o.put("lr", (double) e.lr());
      o.put("seconds", e.seconds());
      if (!e.validation().isEmpty()) o.put("validation", finite(e.validation()));
      if (!e.test().isEmpty()) o.put("test", finite(e.test()));
      epochsOut.add(o);
    }
    root.put("epochs", epochsOut);
    if (!test.isEmpty()) root.put("test", finite(test));
    createParent(metricsFile);
    nnc.runtime.io.AtomicFiles.write(metricsFile, os -> os.write((Json.write(root) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  private static Object finite(double v) {
    return Double.isFinite(v) ? (Object) v : null;
  }

  private static Map<String, Object> finite(Map<String, Double> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, finite(v)));
    return out;
  }

  private static void createParent(Path p) throws IOException {
    Path parent = p.toAbsolutePath().getParent();
    if (parent != null) Files.createDirectories(parent);
  }

  /** One plain line per epoch, or on a terminal a progress bar with loss, throughput and ETA. */
  private final class Progress implements Trainer.Listener {
    private final boolean terminal;
    private final int lastEpoch;
    private long epochStart = System.nanoTime();
    private long lastDraw;
    private double smoothed = Double.NaN;

    Progress(boolean terminal, int lastEpoch) {
      this.terminal = terminal;
      this.lastEpoch = lastEpoch;
    }

    @Override
    public void step(int epoch, int done, int batches, double loss, int examples) {
      if (done == 1) {
        epochStart = System.nanoTime();
        smoothed = Double.NaN;
      }
      smoothed = Double.isNaN(smoothed) ? loss : 0.98 * smoothed + 0.02 * loss;
      if (!terminal) return;
      long now = System.nanoTime();
      if (now - lastDraw < 100_000_000L && done != batches) return;
      lastDraw = now;
      double secs = (now - epochStart) / 1e9;
      double rate = examples / Math.max(secs, 1e-9);
      double eta = secs / done * (batches - done);
      int width = 30, filled = (int) ((long) width * done / batches);
      out().printf(Locale.ROOT, "\repoch %d/%d [%s%s] %d/%d  loss %.4f  %.0f ex/s  ETA %s ", epoch, lastEpoch, "=".repeat(filled),
          " ".repeat(width - filled), done, batches, smoothed, rate, duration(eta));
      out().flush();
    }

    @Override
    public void epoch(Trainer.Epoch e) {
      if (terminal) out().print("\r\033[K");
      // at most about 50 lines: every k-th epoch of a long run, and always the last
      int every = Math.max(1, (lastEpoch + 49) / 50);
      if (e.epoch() % every != 0 && e.epoch() != lastEpoch) return;
      StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f", e.epoch(), lastEpoch, e.trainLoss()));
      if (!e.validation().isEmpty()) sb.append("  validation ").append(TrainSupport.figures(e.validation()));
      if (!e.test().isEmpty()) sb.append("  test ").append(TrainSupport.figures(e.test()));
      sb.append(String.format(Locale.ROOT, "  lr %.3g  %.1f s (%.0f ex/s)", e.lr(), e.seconds(), e.examples() / Math.max(e.seconds(), 1e-9)));
      out().println(sb);
      out().flush();
    }

    @Override
    public void stopped(String reason) {
      out().println("stopped: " + reason);
    }

    private static String duration(double s) {
      return s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", (long) s / 60, (long) s % 60) : String.format(Locale.ROOT, "%.0fs", s);
    }
  }
}
