package nnc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import nnc.runtime.Tensor;
import org.junit.jupiter.api.Test;

/** Reads the datasets shipped in the repository's {@code data/} folder, checking facts its README states. */
class ShippedDataTest {
  /** The repository's data folder, found by walking up from the working directory (surefire runs in runtime/). */
  static Path data(String relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path data = dir.resolve("data");
      if (Files.isRegularFile(data.resolve("SHA256SUMS"))) {
        return data.resolve(relative);
      }
    }
    throw new IllegalStateException("no data/SHA256SUMS above " + Path.of("").toAbsolutePath());
  }

  private static int[] classCounts(int[] labels, int classes) {
    int[] counts = new int[classes];
    for (int label : labels) {
      counts[label]++;
    }
    return counts;
  }

  @Test
  void mnistTestLabels() throws IOException {
    Tensor labels = Idx.read(data("mnist/t10k-labels-idx1-ubyte.gz"));
    assertArrayEquals(new int[] {10000}, labels.shape());
    assertArrayEquals(new int[] {7, 2, 1, 0, 4, 1, 4, 9, 5, 9}, Arrays.copyOf(labels.ints(), 10));
    assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009},
        classCounts(labels.ints(), 10));
  }

  @Test
  void mnistTestImages() throws IOException {
    Tensor images = Idx.read(data("mnist/t10k-images-idx3-ubyte.gz"));
    assertArrayEquals(new int[] {10000, 28, 28}, images.shape());
    assertEquals(0, Arrays.stream(images.ints()).min().orElseThrow());
    assertEquals(255, Arrays.stream(images.ints()).max().orElseThrow());
  }

  @Test
  void fashionMnistTrainingLabels() throws IOException {
    Tensor labels = Idx.read(data("fashion-mnist/train-labels-idx1-ubyte.gz"));
    int[] sixThousandEach = new int[10];
    Arrays.fill(sixThousandEach, 6000);
    assertArrayEquals(sixThousandEach, classCounts(labels.ints(), 10));
  }

  @Test
  void iris() throws IOException {
    Tensor iris = Csv.readTensor(data("sklearn/iris.csv"), 1);
    assertArrayEquals(new int[] {150, 5}, iris.shape());
    assertArrayEquals(new double[] {5.1, 3.5, 1.4, 0.2, 0}, Arrays.copyOf(iris.doubles(), 5));
    int[] labels = new int[150];
    for (int i = 0; i < 150; i++) {
      labels[i] = (int) iris.getDouble(i * 5 + 4);
    }
    assertArrayEquals(new int[] {50, 50, 50}, classCounts(labels, 3));
  }

  @Test
  void gzippedAndSpaceSeparatedSklearnFiles() throws IOException {
    assertArrayEquals(new int[] {1797, 65}, Csv.readTensor(data("sklearn/digits.csv.gz"), 0).shape());
    assertArrayEquals(new int[] {442, 10}, Csv.readTensor(data("sklearn/diabetes_data_raw.csv.gz"), 0).shape());
    assertArrayEquals(new int[] {20, 3}, Csv.readTensor(data("sklearn/linnerud_exercise.csv"), 1).shape());
  }
}
