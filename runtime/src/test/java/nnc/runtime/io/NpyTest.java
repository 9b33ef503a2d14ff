package nnc.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import nnc.runtime.DType;
import nnc.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyTest {
  @TempDir
  Path dir;

  /** An NPY file with the given version and header text (a newline is appended), then data. */
  static byte[] npy(int major, String dict, byte... data) {
    byte[] header = (dict + "\n").getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    ByteBuffer b = ByteBuffer.allocate(12 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    if (major == 1) {
      b.putShort((short) header.length);
    } else {
      b.putInt(header.length);
    }
    b.put(header).put(data);
    return Arrays.copyOf(b.array(), b.position());
  }

  static byte[] le(int byteSize, long... values) {
    ByteBuffer b = ByteBuffer.allocate(byteSize * values.length).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      switch (byteSize) {
        case 1 -> b.put((byte) v);
        case 4 -> b.putInt((int) v);
        default -> b.putLong(v);
      }
    }
    return b.array();
  }

  private Path file(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  @Test
  void writesExactlyWhatNumpyWrites() throws IOException {
    Path f = dir.resolve("x.npy");
    Npy.write(f, Tensor.of(new float[] {1, -2.5f, 0, 0, 0, 0}, 2, 3));
    byte[] bytes = Files.readAllBytes(f);
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    // 10-byte prefix + dict + 20 spaces of growth room + alignment spaces + '\n' = 128 bytes.
    String header = dict + " ".repeat(128 - 10 - dict.length() - 1) + "\n";
    assertEquals(128 + 24, bytes.length);
    assertArrayEquals(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 118, 0}, Arrays.copyOf(bytes, 10));
    assertEquals(header, new String(bytes, 10, 118, StandardCharsets.ISO_8859_1));
    assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0x20, (byte) 0xc0},
        Arrays.copyOfRange(bytes, 128, 136));
  }

  @Test
  void writesOneDimensionalAndScalarShapesLikePython() {
    assertTrue(headerText(Tensor.of(new int[3], 3)).startsWith("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }"));
    assertTrue(headerText(Tensor.of(new double[1])).startsWith("{'descr': '<f8', 'fortran_order': False, 'shape': (), }"));
    assertTrue(headerText(Tensor.ofBool(new boolean[2], 2)).startsWith("{'descr': '|b1', "));
    String images = "{'descr': '<i4', 'fortran_order': False, 'shape': (10000, 28, 28), }";
    assertEquals(images + " ".repeat(128 - 10 - images.length() - 1) + "\n",
        headerText(Tensor.zeros(DType.I32, 10000, 28, 28)));
    for (int rank = 0; rank < 40; rank++) {
      int[] shape = new int[rank];
      Arrays.fill(shape, 1);
      assertEquals(0, Npy.header(Tensor.zeros(DType.BOOL, shape)).length % 64, "rank " + rank);
    }
  }

  private static String headerText(Tensor t) {
    byte[] h = Npy.header(t);
    assertEquals(0, h.length % 64);
    assertEquals('\n', h[h.length - 1]);
    return new String(h, 10, h.length - 10, StandardCharsets.ISO_8859_1);
  }

  @Test
  void roundTripsEveryType() throws IOException {
    Tensor[] tensors = {
      Tensor.of(new float[] {1.5f, Float.NaN, -0f, Float.MIN_VALUE}, 2, 2),
      Tensor.of(new double[] {Math.PI, -1e300}, 2),
      Tensor.of(new int[] {Integer.MIN_VALUE, 0, Integer.MAX_VALUE}, 1, 3, 1),
      Tensor.ofBool(new boolean[] {true, false, true}, 3),
      Tensor.of(new float[] {4}),
      Tensor.zeros(DType.F64, 0, 3),
    };
    for (Tensor t : tensors) {
      Path f = dir.resolve("t.npy");
      Npy.write(f, t);
      Tensor back = Npy.read(f);
      assertTrue(t.contentEquals(back), t + " came back as " + back);
    }
    assertEquals(1, Files.list(dir).count(), "no temporary files are left behind");
  }

  @Test
  void usesVersion2WhenTheHeaderOutgrowsVersion1() throws IOException {
    int[] shape = new int[23000];
    Arrays.fill(shape, 1);
    Path f = dir.resolve("wide.npy");
    Npy.write(f, Tensor.fromDoubles(DType.F32, shape, new double[] {3}));
    byte[] bytes = Files.readAllBytes(f);
    assertEquals(2, bytes[6]);
    assertEquals(0, (bytes.length - 4) % 64);
    Tensor back = Npy.read(f);
    assertArrayEquals(shape, back.shape());
    assertEquals(3f, back.floats()[0]);
  }

  @Test
  void readsOtherWritersDialects() throws IOException {
    Path v2 = file("v2.npy", npy(2, "{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"<f8\"}",
        le(8, Double.doubleToLongBits(1.5), Double.doubleToLongBits(-2))));
    assertArrayEquals(new double[] {1.5, -2}, Npy.read(v2).doubles());
    Path v3 = file("v3.npy", npy(3, "{'descr':'<i4','fortran_order':False,'shape':(1, 2)}", le(4, 7, -8)));
    Tensor t3 = Npy.read(v3);
    assertArrayEquals(new int[] {1, 2}, t3.shape());
    assertArrayEquals(new int[] {7, -8}, t3.ints());
    Path py2 = file("py2.npy", npy(1, "{'descr': '<i4', 'fortran_order': False, 'shape': (1L, 1L), }", le(4, 5)));
    assertArrayEquals(new int[] {5}, Npy.read(py2).ints());
  }

  @Test
  void widensBytesAndNarrowsLongs() throws IOException {
    Path u8 = file("u8.npy", npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", le(1, 0, 128, 255)));
    Tensor pixels = Npy.read(u8);
    assertEquals(DType.I32, pixels.dtype());
    assertArrayEquals(new int[] {0, 128, 255}, pixels.ints());
    Path i8 = file("i8.npy", npy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }",
        le(8, -2147483648L, 2147483647L)));
    assertArrayEquals(new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE}, Npy.read(i8).ints());
    Path big = file("big.npy", npy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }",
        le(8, 1, 1L << 31)));
    assertError(big, "element 1 is 2147483648, outside the i32 range");
  }

  @Test
  void reportsTruncatedAndTrailingData() throws IOException {
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (28, 28), }";
    Path x = file("x.npy", npy(1, dict, new byte[100]));
    assertEquals(x + ": truncated: header says 3136 data bytes, file has 100", message(x));
    Path extra = file("extra.npy", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[7]));
    assertError(extra, "3 bytes after the data");
  }

  @Test
  void reportsBrokenPrefixes() throws IOException {
    assertError(file("empty.npy", new byte[0]), "not an NPY file: it starts with  instead of the magic"
        + " 93 4e 55 4d 50 59 (\\x93NUMPY)");
    assertError(file("text.npy", "hello, world".getBytes(StandardCharsets.US_ASCII)),
        "not an NPY file: it starts with 68 65 6c 6c 6f 2c instead of the magic 93 4e 55 4d 50 59 (\\x93NUMPY)");
    byte[] v4 = npy(1, "{}");
    v4[6] = 4;
    assertError(file("v4.npy", v4), "unsupported NPY format version 4.0 (nnc reads 1.0, 2.0 and 3.0)");
    byte[] cut = Arrays.copyOf(npy(1, "{}"), 9);
    assertError(file("cut.npy", cut), "truncated: the file ends after 9 bytes, inside the header prefix");
    byte[] shortHeader = Arrays.copyOf(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }"), 30);
    assertError(file("short.npy", shortHeader), "truncated: header says 56 header bytes, file has 20");
  }

  @Test
  void reportsUnsupportedContent() throws IOException {
    assertError(file("f.npy", npy(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new byte[16])),
        "Fortran-order arrays are not supported; save numpy.ascontiguousarray(a) instead");
    assertError(file("be.npy", npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new byte[4])),
        "unsupported dtype '>f4' (nnc reads <f4, <f8, <i4, <i8, |b1, |u1)");
    assertError(file("rec.npy", npy(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }")),
        "unsupported dtype: structured arrays are not supported");
    Path bool = file("b.npy", npy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", le(1, 1, 2)));
    assertError(bool, "element 1 of a bool tensor is 2, not 0 or 1");
    assertError(file("huge.npy", npy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (65536, 32768), }")),
        "shape (65536, 32768) has more than 2147483647 elements, the limit of a Java array");
    assertError(file("huger.npy", npy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (0, 999999999999999999), }")),
        "shape (0, 999999999999999999) has more than 2147483647 elements, the limit of a Java array");
  }

  @Test
  void reportsMalformedHeaders() throws IOException {
    assertError(file("h1.npy", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3), }")),
        "malformed header: shape (n) must be written (n,) at character 53, near ', }'");
    assertError(file("h2.npy", npy(1, "{'descr': '<f4', 'fortran_order': False}")),
        "malformed header: it needs the keys 'descr', 'fortran_order' and 'shape' at character 41");
    assertError(file("h3.npy", npy(1, "{'descr': '<f4', 'descr': '<f4'}")),
        "malformed header: duplicate key 'descr' at character 17, near \"'descr': '<f4'}\"".replace('"', '\''));
    assertError(file("h4.npy", npy(1, "{'descr': '<f4', 'fortran_order': no, 'shape': ()}")),
        "malformed header: expected True or False at character 34, near 'no, 'shape': ()}'");
    assertError(file("h5.npy", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}")),
        "malformed header: unexpected key 'x' at character 54, near ''x': 1}'");
    assertError(file("h6.npy", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}")),
        "malformed header: expected a non-negative integer at character 51, near '-1,)}'");
    assertError(file("h7.npy", npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': ()} junk")),
        "malformed header: unexpected text after the dictionary at character 54, near 'junk'");
  }

  private static String message(Path f) {
    TensorFormatException e = assertThrows(TensorFormatException.class, () -> Npy.read(f));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    return e.getMessage();
  }

  private static void assertError(Path f, String problem) {
    assertEquals(f + ": " + problem, message(f));
  }
}
