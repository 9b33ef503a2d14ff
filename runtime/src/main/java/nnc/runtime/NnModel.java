package nnc.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import nnc.runtime.io.SafeTensors;
import nnc.runtime.io.TensorFormatException;
import nnc.runtime.model.Executor;
import nnc.runtime.model.Manifest;

/**
 * A compiled model loaded from its JAR: inference, the compiled training step, and checkpoints.
 *
 * <pre>{@code
 * try (NnModel m = NnModel.load(Path.of("mnist_mlp.jar"))) {
 *   Map<String, Tensor> out = m.infer(Map.of("x", Tensor.of(pixels, batch, 784)));
 *   m.trainStep(Map.of("x", xs, "y", ys));
 *   m.saveCheckpoint(Path.of("ckpt.safetensors"));
 * }
 * }</pre>
 *
 * <p>{@link #infer} may be called from many threads at once (each thread has its own workspace);
 * {@link #trainStep} updates the parameters and is serialised with other training steps and
 * checkpoint operations; inference running during a training step sees parameters mid-update.
 */
public final class NnModel implements AutoCloseable {
  public static final String MANIFEST = "nnc/manifest.json";
  public static final String WEIGHTS = "weights.safetensors";
  public static final String SOURCE = "model.nn";

  private final Manifest manifest;
  private final Executor executor;
  private final float[] p;

  private NnModel(Manifest manifest, ModelCode code, float[] p) {
    this.manifest = manifest;
    this.p = p;
    this.executor = new Executor(manifest, code, p);
  }

  /** Loads a model JAR written by {@code nnc compile}; a malformed JAR gives a one-line IOException. */
  public static NnModel load(Path jar) throws IOException {
    if (!Files.isRegularFile(jar)) throw new TensorFormatException(jar, "no such file");
    JarFile opened;
    try {
      opened = new JarFile(jar.toFile());
    } catch (java.util.zip.ZipException e) {
      throw new TensorFormatException(jar, "not a model JAR (" + e.getMessage() + ")");
    }
    try (JarFile jf = opened) {
      Manifest manifest;
      try {
        manifest = Manifest.parse(new String(read(jf, jar, MANIFEST), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new TensorFormatException(jar, e.getMessage());
      }
      Map<String, byte[]> classes = new HashMap<>();
      jf.stream().filter(e -> e.getName().endsWith(".class")).forEach(e -> classes.put(e.getName(), null));
      for (String name : classes.keySet()) classes.put(name, read(jf, jar, name));
      ModelCode code = instantiate(jar, manifest.className(), classes);
      float[] p = new float[manifest.pSize()];
      Path tmp = Files.createTempFile("nnc-weights", ".safetensors");
      try {
        Files.write(tmp, read(jf, jar, WEIGHTS));
        Map<String, Tensor> weights = SafeTensors.read(tmp);
        fill(p, manifest, weights, jar);
      } finally {
        Files.deleteIfExists(tmp);
      }
      return new NnModel(manifest, code, p);
    }
  }

  private static byte[] read(JarFile jf, Path jar, String name) throws IOException {
    JarEntry e = jf.getJarEntry(name);
    if (e == null) throw new TensorFormatException(jar, "not an nnc model: it has no " + name);
    try (InputStream in = jf.getInputStream(e)) {
      return in.readAllBytes();
    }
  }

  private static ModelCode instantiate(Path jar, String className, Map<String, byte[]> classes) throws IOException {
    ClassLoader loader = new ClassLoader(NnModel.class.getClassLoader()) {
      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] b = classes.get(name.replace('.', '/') + ".class");
        if (b == null) throw new ClassNotFoundException(name);
        return defineClass(name, b, 0, b.length);
      }
    };
    try {
      return (ModelCode) loader.loadClass(className).getConstructor().newInstance();
    } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
      if (e instanceof NoClassDefFoundError && String.valueOf(e.getMessage()).contains("jdk/incubator/vector")) {
        throw new IOException("the JVM lacks the Vector API: run it with --add-modules jdk.incubator.vector");
      }
      throw new TensorFormatException(jar, "cannot load its code " + className + ": " + e);
    }
  }

  /** Fills the parameter arena: weights and constants from the file, hyper-parameters from the manifest. */
  private static void fill(float[] p, Manifest m, Map<String, Tensor> weights, Path source) throws IOException {
    for (Manifest.Slot s : concat(m)) {
      Tensor t = weights.get(s.name());
      if (t == null) {
        if (m.state().contains(s)) continue; // optimizer state starts at zero
        throw new TensorFormatException(source, "has no tensor '" + s.name() + "'");
      }
      if (t.size() != s.size() || !java.util.Arrays.equals(t.shape(), s.shape().stream().mapToInt(Integer::intValue).toArray())) {
        throw new TensorFormatException(source, "tensor '" + s.name() + "' has shape " + Tensor.shapeString(t.shape())
            + ", the model expects " + s.shape().toString().replace(" ", ""));
      }
      for (int i = 0; i < t.size(); i++) p[s.offset() + i] = (float) t.getDouble(i);
    }
    m.hypers().forEach((k, h) -> {
      Tensor t = weights.get("hyper." + k);
      p[h.offset()] = t != null ? (float) t.getDouble(0) : (float) h.initial();
    });
  }

  private static java.util.List<Manifest.Slot> concat(Manifest m) {
    java.util.List<Manifest.Slot> all = new java.util.ArrayList<>(m.params());
    all.addAll(m.constants());
    all.addAll(m.state());
    return all;
  }

  /**
   * Switches the NaN/Inf guard at run time, without recompiling: when on, every entry runs kernel
   * by kernel, the inputs, the parameters and then each buffer a kernel writes are scanned, and the
   * first NaN or infinity throws {@link NonFiniteException} naming the IR node and its {@code .nn}
   * line. Much slower; off (the default) costs nothing.
   */
  public void setNanGuard(boolean on) {
    executor.setNanGuard(on);
  }

  public boolean nanGuard() {
    return executor.nanGuard();
  }

  /**
   * How many threads each call may use: the calling thread plus {@code threads - 1} helper threads
   * owned by this model, which share the large matrix products of a step. Results are
   * bit-identical for any count. The default is 1 (no helper thread), the right choice when the
   * application runs several models or calls at once; see docs/performance.md for measurements.
   */
  public void setThreads(int threads) {
    executor.setThreads(threads);
  }

  public int threads() {
    return executor.threads();
  }

  public Manifest manifest() {
    return manifest;
  }

  /** Runs inference: every output of the model, by name. */
  public Map<String, Tensor> infer(Map<String, Tensor> inputs) {
    return executor.run("infer", inputs);
  }

  /**
   * Inference into caller-provided output tensors (f32, of the outputs' shapes): once warmed up
   * for a batch size, a call allocates nothing. Safe from many threads, like {@link #infer}.
   */
  public void infer(Map<String, Tensor> inputs, Map<String, Tensor> outputs) {
    executor.runInto("infer", inputs, outputs);
  }

  /** One compiled training step (forward, backward, update); returns the objective before the update. */
  public synchronized float trainStep(Map<String, Tensor> inputs) {
    if (manifest.entry("train") == null) throw new IllegalStateException("model " + manifest.model() + " has no train objective");
    return executor.run("train", inputs).get("loss").floats()[0];
  }

  /**
   * One training step writing the loss into {@code outputs.get("loss")} (an f32 tensor of one
   * element): once warmed up for a batch size, a step allocates nothing (models with dropout take
   * the ordinary path, which allocates its noise binding).
   */
  public synchronized void trainStep(Map<String, Tensor> inputs, Map<String, Tensor> outputs) {
    executor.runInto("train", inputs, outputs);
  }

  /**
   * Evaluates the objective and the declared metrics on a batch without updating anything:
   * {@code loss} first, then each metric by name. Safe to call from many threads.
   */
  public Map<String, Float> evaluate(Map<String, Tensor> inputs) {
    if (manifest.entry("eval") == null) throw new IllegalStateException("model " + manifest.model() + " has no train objective to evaluate");
    Map<String, Float> out = new LinkedHashMap<>();
    executor.run("eval", inputs).forEach((k, v) -> out.put(k, (float) v.getDouble(0)));
    return out;
  }

  /** The names of the inputs an entry point takes ("infer", "train", "eval"), in declaration order. */
  public java.util.List<String> inputNames(String entry) {
    Manifest.Entry e = manifest.entry(entry);
    return e == null ? java.util.List.of() : e.inputs().stream().filter(p -> !p.isNoise()).map(Manifest.Port::name).toList();
  }

  /** The number of training steps taken so far (the compiled step counter), 0 without a train objective. */
  public synchronized long stepCount() {
    Manifest.Hyper h = manifest.hypers().get("step");
    return h == null ? 0 : (long) p[h.offset()];
  }

  /** The current learning rate (schedules set it between steps). */
  public synchronized float learningRate() {
    Manifest.Hyper h = manifest.hypers().get("lr");
    return h == null ? Float.NaN : p[h.offset()];
  }

  public synchronized void setLearningRate(float lr) {
    Manifest.Hyper h = manifest.hypers().get("lr");
    if (h == null) throw new IllegalStateException("model " + manifest.model() + " has no train objective");
    p[h.offset()] = lr;
  }

  /** A copy of the whole parameter arena (parameters, optimizer state, hyper-parameters). */
  public synchronized float[] snapshot() {
    return p.clone();
  }

  /** Puts back an arena taken by {@link #snapshot} (early stopping's best epoch, say). */
  public synchronized void restore(float[] snapshot) {
    if (snapshot.length != p.length) throw new IllegalArgumentException("snapshot of " + snapshot.length + " floats, the model has " + p.length);
    System.arraycopy(snapshot, 0, p, 0, p.length);
  }

  /** Copies of the current parameters by name. */
  public synchronized Map<String, Tensor> parameters() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Manifest.Slot s : manifest.params()) out.put(s.name(), slice(s));
    return out;
  }

  private Tensor slice(Manifest.Slot s) {
    return Tensor.of(java.util.Arrays.copyOfRange(p, s.offset(), s.offset() + s.size()), s.shape().stream().mapToInt(Integer::intValue).toArray());
  }

  /**
   * Writes parameters, optimizer state and hyper-parameters (learning rate, step) as safetensors,
   * atomically: a crash leaves the previous file intact, never half of a new one.
   */
  public synchronized void saveCheckpoint(Path file) throws IOException {
    saveCheckpoint(file, Map.of());
  }

  /**
   * The same, with extra string metadata in the safetensors header (a trainer's epoch and data
   * RNG state, say); read it back with {@link SafeTensors#readMetadata}.
   */
  public synchronized void saveCheckpoint(Path file, Map<String, String> metadata) throws IOException {
    Map<String, String> meta = new LinkedHashMap<>(metadata);
    meta.put("model", manifest.model());
    meta.put("source_sha256", manifest.sourceSha256());
    // dropout's noise generator, so that a resumed run draws the same masks
    meta.put("nnc.noise_rng", java.util.Arrays.stream(executor.noiseState()).mapToObj(Long::toString)
        .collect(java.util.stream.Collectors.joining(",")));
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Manifest.Slot s : manifest.params()) out.put(s.name(), slice(s));
    for (Manifest.Slot s : manifest.state()) out.put(s.name(), slice(s));
    manifest.hypers().forEach((k, h) -> out.put("hyper." + k, Tensor.of(new float[] {p[h.offset()]})));
    SafeTensors.write(file, out, meta);
  }

  /** Restores a checkpoint written by {@link #saveCheckpoint}; a mismatched one is refused whole. */
  public synchronized void loadCheckpoint(Path file) throws IOException {
    Map<String, Tensor> t = new LinkedHashMap<>(SafeTensors.read(file));
    // constants are part of the model, not of its checkpoints
    for (Manifest.Slot s : manifest.constants()) t.putIfAbsent(s.name(), slice(s));
    float[] next = p.clone();
    fill(next, manifest, t, file);
    String rng = SafeTensors.readMetadata(file).get("nnc.noise_rng");
    long[] state = null;
    if (rng != null) {
      try {
        state = java.util.Arrays.stream(rng.split(",")).mapToLong(Long::parseLong).toArray();
        nnc.runtime.Rng.restore(state);
      } catch (RuntimeException e) {
        throw new TensorFormatException(file, "malformed nnc.noise_rng metadata");
      }
    }
    System.arraycopy(next, 0, p, 0, p.length);
    if (state != null) executor.restoreNoise(state);
  }

  @Override
  public void close() {
    // The arenas are plain Java arrays; only helper threads (setThreads) need stopping.
    executor.close();
  }
}
