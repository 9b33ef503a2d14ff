package nnc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import nnc.runtime.DType;
import nnc.runtime.Tensor;
import nnc.runtime.io.TensorFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
  @TempDir
  Path dir;

  private Path file(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void readsCommaSeparatedRowsAfterHeaderLines() throws IOException {
    Path f = file("a.csv", "\uFEFF3,2,a,b\n1, 2.5\n\n-3e2 ,.5\r\n");
    double[][] rows = Csv.read(f, 1);
    assertEquals(2, rows.length);
    assertArrayEquals(new double[] {1, 2.5}, rows[0]);
    assertArrayEquals(new double[] {-300, 0.5}, rows[1]);
  }

  @Test
  void readsWhitespaceSeparatedGzipIntoATensor() throws IOException {
    byte[] text = "Chins Situps\n 5  162\t60\n2 110 60 \n".getBytes(StandardCharsets.UTF_8);
    Path f = Files.write(dir.resolve("w.txt.gz"), IdxTest.gzip(text));
    Tensor t = Csv.readTensor(f, 1);
    assertEquals(DType.F64, t.dtype());
    assertArrayEquals(new int[] {2, 3}, t.shape());
    assertArrayEquals(new double[] {5, 162, 60, 2, 110, 60}, t.doubles());
  }

  @Test
  void readsNanAndInfinity() throws IOException {
    double[][] rows = Csv.read(file("n.csv", "nan,-Inf,+infinity,NaN\n"), 0);
    assertArrayEquals(new double[] {Double.NaN, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NaN},
        rows[0]);
  }

  @Test
  void errorsNameFileAndLine() throws IOException {
    assertError(file("c.csv", "h\n1,2\n3\n"), 1, ":3: expected 2 columns, found 1");
    assertError(file("d.csv", "1,abc\n"), 0, ":1: column 2: not a number: 'abc'");
    assertError(file("e.csv", "1,,3\n"), 0, ":1: column 2: empty field");
    assertError(file("f.csv", "1,2d\n"), 0, ":1: column 2: not a number: '2d'");
    assertError(file("g.csv", "1 0x10\n"), 0, ":1: column 2: not a number: '0x10'");
    assertError(file("h.csv", "header\n\n"), 1, ": no data rows after 1 header line(s)");
  }

  @Test
  void rejectsANegativeHeaderCount() {
    var e = assertThrows(IllegalArgumentException.class, () -> Csv.read(dir.resolve("x"), -1));
    assertEquals("headerLines must be >= 0, got -1", e.getMessage());
  }

  private static void assertError(Path f, int headerLines, String problem) {
    TensorFormatException e = assertThrows(TensorFormatException.class, () -> Csv.read(f, headerLines));
    assertEquals(f + problem, e.getMessage());
  }
}
