package nnc.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import nnc.compiler.autodiff.RandomInputs;
import nnc.compiler.backend.asm.AsmEmitter;
import nnc.compiler.frontend.Elaborator;
import nnc.compiler.ir.Graph;
import nnc.compiler.lower.CompiledModel;
import nnc.compiler.lower.ModelCompiler;
import nnc.compiler.pack.ModelJar;
import nnc.runtime.DType;
import nnc.runtime.NnModel;
import nnc.runtime.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whole compiled training steps and inference calls of the models in bench/models, through the
 * allocation-free entry points. Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the
 * bytes allocated per step (0 in the steady state).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class TrainStepBench {
  /** A file under bench/models (the working directory is the repository root, as bench/jmh.sh runs it). */
  @Param({"bench/models/mlp.nn"})
  String model;

  @Param({"8", "64"})
  int batch;

  @Param({"1", "2"})
  int threads;

  NnModel m;
  Map<String, Tensor> inputs, loss, outputs;
  Path jar;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Path file = Path.of(model);
    Graph g = Elaborator.compile(file);
    CompiledModel c = ModelCompiler.compile(g, Files.readString(file), "bench", 0);
    jar = Files.createTempFile("nnc-jmh", ".jar");
    ModelJar.write(jar, c, Map.of(c.program().className(), AsmEmitter.emit(c.program())), Files.readString(file));
    m = NnModel.load(jar);
    m.setThreads(threads);
    inputs = RandomInputs.of(g, batch, 1);
    loss = Map.of("loss", Tensor.zeros(DType.F32));
    outputs = Map.of("probs", Tensor.zeros(DType.F32, batch, 10));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    m.close();
    Files.deleteIfExists(jar);
  }

  @Benchmark
  public Map<String, Tensor> trainStep() {
    m.trainStep(inputs, loss);
    return loss;
  }

  @Benchmark
  public Map<String, Tensor> infer() {
    m.infer(inputs, outputs);
    return outputs;
  }
}
