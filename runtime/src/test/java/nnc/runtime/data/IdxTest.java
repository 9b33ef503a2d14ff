package nnc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import nnc.runtime.DType;
import nnc.runtime.Tensor;
import nnc.runtime.io.TensorFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
  @TempDir
  Path dir;

  /** Two 2x3 "images": magic 00 00 08 03, dims 2, 2, 3 (big-endian), 12 pixel bytes. */
  private static final byte[] IMAGES = {
    0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3,
    0, 1, 2, 3, 4, 5, (byte) 250, (byte) 251, (byte) 252, (byte) 253, (byte) 254, (byte) 255,
  };

  static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  private Path file(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  @Test
  void readsUnsignedBytesAsI32WithTheFileDimensions() throws IOException {
    Tensor t = Idx.read(file("images-idx3-ubyte", IMAGES));
    assertEquals(DType.I32, t.dtype());
    assertArrayEquals(new int[] {2, 2, 3}, t.shape());
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255}, t.ints());
  }

  @Test
  void readsLabelsAndGzipByNameOrByMagic() throws IOException {
    byte[] labels = {0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1};
    assertArrayEquals(new int[] {7, 2, 1}, Idx.read(file("l.gz", gzip(labels))).ints());
    Tensor unnamed = Idx.read(file("labels.idx", gzip(labels)));
    assertArrayEquals(new int[] {3}, unnamed.shape());
    assertArrayEquals(new int[] {7, 2, 1}, unnamed.ints());
  }

  @Test
  void reportsWrongHeaders() throws IOException {
    assertError(file("a.idx", new byte[] {1, 2, 8, 1}), "not an IDX file: it starts with 01 02 08 01, not 00 00");
    assertError(file("b.idx", new byte[] {0, 0}), "not an IDX file: 2 bytes, too short for the magic");
    assertError(file("c.idx", new byte[] {0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0}),
        "unsupported IDX element type 0x0d (float); nnc reads only 0x08 (unsigned byte)");
    assertError(file("d.idx", new byte[] {0, 0, 8, 0}), "IDX file with 0 dimensions");
    assertError(file("e.idx", new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0, 0}),
        "truncated: the file ends inside its 3 dimensions");
    assertError(file("f.idx", new byte[] {0, 0, 8, 1, (byte) 0x80, 0, 0, 0}),
        "dimension 2147483648 is too large for a Java array");
    assertError(file("g.idx", new byte[] {0, 0, 8, 2, 0, 1, 0, 0, 0, 1, 0, 0}),
        "shape [65536,65536] has more than 2147483647 elements");
  }

  @Test
  void reportsTruncatedAndTrailingData() throws IOException {
    assertError(file("t.idx", Arrays.copyOf(IMAGES, 20)), "truncated: header says 12 data bytes, file has 4");
    assertError(file("x.idx", Arrays.copyOf(IMAGES, 30)), "2 bytes after the data");
  }

  @Test
  void reportsBrokenGzip() throws IOException {
    assertError(file("plain.gz", IMAGES), "not a gzip file, although its name ends in .gz");
    byte[] gz = gzip(IMAGES);
    assertError(file("cut.gz", Arrays.copyOf(gz, gz.length - 12)), "truncated gzip data");
    byte[] corrupt = gz.clone();
    corrupt[10] = (byte) 0xff;
    TensorFormatException e = assertThrows(TensorFormatException.class, () -> Idx.read(file("bad.gz", corrupt)));
    assertEquals(true, e.getMessage().startsWith(dir.resolve("bad.gz") + ": corrupt gzip data: "), e.getMessage());
  }

  private static void assertError(Path f, String problem) {
    TensorFormatException e = assertThrows(TensorFormatException.class, () -> Idx.read(f));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertEquals(f + ": " + problem, e.getMessage());
  }
}
