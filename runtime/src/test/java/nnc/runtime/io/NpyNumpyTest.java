package nnc.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import nnc.runtime.DType;
import nnc.runtime.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compares with NumPy itself; skipped where {@code python3 -c 'import numpy'} does not work. */
class NpyNumpyTest {
  /** Writes the arrays the test writes in Java, with numpy.save, as ref_NAME.npy. */
  private static final String SAVE = """
      import sys, numpy as np
      d = sys.argv[1]
      np.save(d + '/ref_f32.npy', np.arange(6, dtype=np.float32).reshape(2, 3) / 4)
      np.save(d + '/ref_f64.npy', np.array(2.5))
      np.save(d + '/ref_i32.npy', np.arange(-3, 9, dtype=np.int32).reshape(2, 1, 2, 3))
      np.save(d + '/ref_bool.npy', np.array([True, False, True]))
      np.save(d + '/ref_big.npy', np.zeros((78901, 1), dtype=np.float32))
      """;

  /** Loads the files Java wrote and prints what NumPy sees. */
  private static final String LOAD = """
      import sys, numpy as np
      for f in sys.argv[1:]:
        a = np.load(f)
        print(a.dtype.str, a.shape, a.ravel().tolist())
      """;

  @BeforeAll
  static void needsNumpy() {
    Assumptions.assumeTrue(python("import numpy").exitCode == 0, "numpy is not available");
  }

  @Test
  void writesTheBytesNumpyWrites(@TempDir Path dir) throws IOException {
    assertEquals(0, python(SAVE, dir.toString()).exitCode);
    Tensor[] tensors = {
      Tensor.of(new float[] {0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, 2, 3),
      Tensor.of(new double[] {2.5}),
      Tensor.fromDoubles(DType.I32, new int[] {2, 1, 2, 3}, new double[] {-3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8}),
      Tensor.ofBool(new boolean[] {true, false, true}, 3),
      Tensor.zeros(DType.F32, 78901, 1),
    };
    String[] names = {"f32", "f64", "i32", "bool", "big"};
    for (int i = 0; i < names.length; i++) {
      Path ours = dir.resolve(names[i] + ".npy");
      Npy.write(ours, tensors[i]);
      Path ref = dir.resolve("ref_" + names[i] + ".npy");
      assertArrayEquals(Files.readAllBytes(ref), Files.readAllBytes(ours), names[i]);
      assertEquals(true, tensors[i].contentEquals(Npy.read(ref)), names[i]);
    }
  }

  @Test
  void numpyReadsWhatWeWrite(@TempDir Path dir) throws IOException {
    Npy.write(dir.resolve("a.npy"), Tensor.of(new float[] {1.5f, -2}, 1, 2));
    Npy.write(dir.resolve("b.npy"), Tensor.of(new int[] {7}, 1));
    Result r = python(LOAD, dir.resolve("a.npy").toString(), dir.resolve("b.npy").toString());
    assertEquals(0, r.exitCode, r.output);
    assertEquals("<f4 (1, 2) [1.5, -2.0]\n<i4 (1,) [7]\n", r.output);
  }

  private record Result(int exitCode, String output) {
  }

  private static Result python(String script, String... args) {
    List<String> command = new ArrayList<>(List.of("python3", "-c", script));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, out);
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      return new Result(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, e.toString());
    }
  }
}
