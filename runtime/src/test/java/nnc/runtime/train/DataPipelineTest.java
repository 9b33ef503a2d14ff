package nnc.runtime.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import nnc.runtime.DType;
import nnc.runtime.Rng;
import nnc.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataPipelineTest {
  @TempDir
  Path dir;

  private static DataSpec.Source inline(double[] v, int... shape) {
    return new DataSpec.Source(DataSpec.Format.INLINE, null, v, shape, null, -1, 0, null, DataSpec.Norm.IDENTITY);
  }

  private static DataSpec.Source csv(Path f, int[] columns, int column, int header, int[] rows, DataSpec.Norm norm) {
    return new DataSpec.Source(DataSpec.Format.CSV, f, null, null, columns, column, header, rows, norm);
  }

  @Test
  void batchesCoverEveryRowWithAFinalPartialBatch() {
    int n = 10, b = 4;
    assertEquals(3, Batches.count(n, b));
    float[] x = new float[n * 2];
    for (int i = 0; i < x.length; i++) x[i] = i;
    Dataset d = new Dataset(n, Map.of("x", new Dataset.Column(DType.F32, new int[] {2}, x, null)));
    int[] order = d.identityOrder();
    Tensor last = d.batch(order, 8, 10).get("x");
    assertArrayEquals(new int[] {2, 2}, last.shape());
    assertArrayEquals(new float[] {16, 17, 18, 19}, last.floats());
    int seen = 0;
    for (int k = 0; k < Batches.count(n, b); k++) seen += d.batch(order, k * b, Math.min(n, k * b + b)).get("x").dim(0);
    assertEquals(n, seen);
  }

  @Test
  void shufflingIsAPermutationDeterminedByTheSeed() {
    int[] a = Batches.shuffled(1000, new Rng(42)), b = Batches.shuffled(1000, new Rng(42)), c = Batches.shuffled(1000, new Rng(43));
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, c));
    int[] sorted = a.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i]);
    // the generator continues: the next epoch's order differs, and a restored state repeats it
    Rng r = new Rng(1);
    Batches.shuffled(50, r);
    long[] state = r.state();
    int[] second = Batches.shuffled(50, r);
    assertArrayEquals(second, Batches.shuffled(50, Rng.restore(state)));
  }

  @Test
  void holdoutSplitsDisjointlyAndReproducibly() {
    int[][] p = Batches.holdout(100, 0.1, Rng.forStream(0, "validation"));
    assertEquals(90, p[0].length);
    assertEquals(10, p[1].length);
    java.util.Set<Integer> all = new java.util.HashSet<>();
    for (int[] part : p) for (int i : part) assertTrue(all.add(i));
    assertEquals(100, all.size());
    assertArrayEquals(p[1], Batches.holdout(100, 0.1, Rng.forStream(0, "validation"))[1]);
  }

  @Test
  void normalizationScalesShiftsAndStandardizesWithTrainingStatistics() throws IOException {
    Path f = dir.resolve("t.csv");
    Files.writeString(f, "h1,h2,h3\n0,10,1\n255,20,0\n51,30,1\n");
    Map<String, Datasets.InputType> types = new LinkedHashMap<>();
    types.put("x", new Datasets.InputType(DType.F32, new int[] {1}));
    types.put("z", new Datasets.InputType(DType.F32, new int[] {1}));
    types.put("y", new Datasets.InputType(DType.I32, new int[0]));
    Map<String, DataSpec.Source> in = new LinkedHashMap<>();
    in.put("x", csv(f, new int[] {0, 0}, -1, 1, null, new DataSpec.Norm(1 / 255.0, 0.1307, 0.3081, false)));
    in.put("z", csv(f, null, 1, 1, null, new DataSpec.Norm(1, 0, 1, true)));
    in.put("y", csv(f, null, 2, 1, null, DataSpec.Norm.IDENTITY));
    Datasets.Stats stats = new Datasets.Stats();
    Dataset d = Datasets.load(new DataSpec.Split("train", in), types, stats);
    assertEquals(3, d.size());
    float[] x = d.columns().get("x").floats();
    assertEquals((float) ((0 - 0.1307) / 0.3081), x[0], 1e-6f);
    assertEquals((float) ((1 - 0.1307) / 0.3081), x[1], 1e-6f);
    assertEquals((float) ((0.2 - 0.1307) / 0.3081), x[2], 1e-6f);
    float[] z = d.columns().get("z").floats();   // 10, 20, 30: mean 20, population std sqrt(200/3)
    double s = Math.sqrt(200 / 3.0);
    assertArrayEquals(new float[] {(float) (-10 / s), 0f, (float) (10 / s)}, z, 1e-6f);
    assertArrayEquals(new int[] {1, 0, 1}, d.columns().get("y").ints());
    // a test split reuses the training statistics; rows = [1, 2] keeps the last two rows
    Map<String, DataSpec.Source> t = new LinkedHashMap<>(in);
    t.replaceAll((k, v) -> new DataSpec.Source(v.format(), v.file(), null, null, v.columns(), v.column(), v.header(), new int[] {1, 2}, v.norm()));
    Dataset test = Datasets.load(new DataSpec.Split("test", t), types, stats);
    assertArrayEquals(new float[] {0f, (float) (10 / s)}, test.columns().get("z").floats(), 1e-6f);
  }

  @Test
  void inlineRowsAreReshapedAndBadSourcesGiveOneLineErrors() throws IOException {
    Map<String, Datasets.InputType> types = Map.of("x", new Datasets.InputType(DType.F32, new int[] {2}));
    Dataset d = Datasets.load(new DataSpec.Split("train", Map.of("x", inline(new double[] {0, 0, 0, 1, 1, 0, 1, 1}, 4, 2))), types, null);
    assertEquals(4, d.size());
    IOException e = assertThrows(IOException.class, () -> Datasets.load(
        new DataSpec.Split("train", Map.of("x", inline(new double[] {1, 2, 3}, 3))), types, null));
    assertTrue(e.getMessage().contains("1 values per example, input x takes 2"), e.getMessage());
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "1,2\n3,x\n");
    IOException e2 = assertThrows(IOException.class, () -> Datasets.load(
        new DataSpec.Split("train", Map.of("x", csv(bad, null, -1, 0, null, DataSpec.Norm.IDENTITY))), types, null));
    assertFalse(e2.getMessage().contains("\n"));
    assertTrue(e2.getMessage().contains("bad.csv"), e2.getMessage());
  }
}
