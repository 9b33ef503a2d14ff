package nnc.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import nnc.runtime.DType;
import nnc.runtime.io.TensorFormatException;
import nnc.runtime.train.DataSpec;
import nnc.runtime.train.Dataset;
import nnc.runtime.train.Datasets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextTest {
  @TempDir
  Path dir;

  @Test
  void windowsAndTheirNextCharactersLineUp() throws IOException {
    Path f = Files.writeString(dir.resolve("t.txt"), "abcdefgh");
    int[][] x = Text.windows(f, 3, 0, 2), y = Text.windows(f, 3, 1, 2);
    // windows start at 0, 2, 4 (the one at 6 would have no next character)
    assertEquals(3, x.length);
    assertEquals(3, y.length);
    assertArrayEquals(new int[] {'a', 'b', 'c'}, x[0]);
    assertArrayEquals(new int[] {'b', 'c', 'd'}, y[0]);
    assertArrayEquals(new int[] {'e', 'f', 'g'}, x[2]);
    assertArrayEquals(new int[] {'f', 'g', 'h'}, y[2]);
  }

  @Test
  void readsGzipToo() throws IOException {
    Path f = Files.write(dir.resolve("t.txt.gz"), IdxTest.gzip("hello\nworld".getBytes(StandardCharsets.US_ASCII)));
    assertArrayEquals(new int[] {'h', 'e', 'l', 'l', 'o', '\n', 'w'}, Text.windows(f, 7, 0, 7)[0]);
  }

  @Test
  void nonAsciiIsAOneLineErrorWithTheLine() throws IOException {
    Path f = Files.write(dir.resolve("u.txt"), "ok\nna\u00efve\n".getBytes(StandardCharsets.UTF_8));
    TensorFormatException e = assertThrows(TensorFormatException.class, () -> Text.ids(f));
    assertEquals(f + ":2: byte 0xC3 at offset 5 is not ASCII (text(...) reads ASCII text, character ids 0..127)", e.getMessage());
  }

  @Test
  void aTextShorterThanOneWindowIsAnError() throws IOException {
    Path f = Files.writeString(dir.resolve("s.txt"), "abc");
    TensorFormatException e = assertThrows(TensorFormatException.class, () -> Text.windows(f, 3, 0, 3));
    assertTrue(e.getMessage().endsWith("3 characters, too short for one window of 3 characters and its next character"), e.getMessage());
  }

  /** Through the data pipeline: i32 rows of the context length, rows = [...] selecting windows. */
  @Test
  void loadsAsI32ExamplesWithRowSelection() throws IOException {
    Path f = Files.writeString(dir.resolve("t.txt"), "0123456789");
    var windows = new DataSpec.Windows(4, 0, 2);
    var next = new DataSpec.Windows(4, 1, 2);
    Map<String, DataSpec.Source> in = new LinkedHashMap<>();
    in.put("x", new DataSpec.Source(DataSpec.Format.TEXT, f, null, null, null, -1, 0, new int[] {1, 2}, DataSpec.Norm.IDENTITY, windows));
    in.put("y", new DataSpec.Source(DataSpec.Format.TEXT, f, null, null, null, -1, 0, new int[] {1, 2}, DataSpec.Norm.IDENTITY, next));
    Map<String, Datasets.InputType> types = new LinkedHashMap<>();
    types.put("x", new Datasets.InputType(DType.I32, new int[] {4}));
    types.put("y", new Datasets.InputType(DType.I32, new int[] {4}));
    Dataset d = Datasets.load(new DataSpec.Split("train", in), types, new Datasets.Stats());
    assertEquals(2, d.size());
    assertArrayEquals(new int[] {'2', '3', '4', '5', '4', '5', '6', '7'}, d.columns().get("x").ints());
    assertArrayEquals(new int[] {'3', '4', '5', '6', '5', '6', '7', '8'}, d.columns().get("y").ints());
  }
}
