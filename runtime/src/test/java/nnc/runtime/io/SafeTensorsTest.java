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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nnc.runtime.DType;
import nnc.runtime.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
  @TempDir
  Path dir;

  /** A safetensors file whose data bytes are given as ints (each cast to a byte). */
  static byte[] file(String header, int... data) {
    byte[] bytes = new byte[data.length];
    for (int i = 0; i < data.length; i++) {
      bytes[i] = (byte) data[i];
    }
    return file(header, bytes);
  }

  /** A safetensors file: length, the header text exactly as given, then the data bytes. */
  static byte[] file(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(h.length).put(h).put(data).array();
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  @Test
  void writesTheExactLayout() throws IOException {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("b", Tensor.of(new int[] {1, -1}, 2));
    tensors.put("a", Tensor.of(new float[] {1}, 1, 1));
    Path f = dir.resolve("w.safetensors");
    SafeTensors.write(f, tensors);
    String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]},"
        + "\"b\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
    assertEquals(110, json.length());
    byte[] expected = file(json + "  ", 0, 0, 0x80, 0x3f, 1, 0, 0, 0, -1, -1, -1, -1);
    assertArrayEquals(expected, Files.readAllBytes(f));
  }

  @Test
  void writesMetadataFirstAndPadsTheHeaderToEightBytes() throws IOException {
    Path f = dir.resolve("m.safetensors");
    SafeTensors.write(f, Map.of("x", Tensor.ofBool(new boolean[] {true}, 1)), Map.of("step", "12"));
    byte[] bytes = Files.readAllBytes(f);
    long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(0, n % 8);
    assertEquals(8 + n + 1, bytes.length);
    assertEquals("{\"__metadata__\":{\"step\":\"12\"},\"x\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[0,1]}}",
        new String(bytes, 8, (int) n, StandardCharsets.UTF_8).stripTrailing());
    assertEquals(Map.of("step", "12"), SafeTensors.readMetadata(f));
  }

  @Test
  void roundTripsEveryTypeAndEmptyTensors() throws IOException {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("layer.0/W", Tensor.of(new float[] {1.5f, Float.NaN, -0f, 3e-40f, 5, 6}, 2, 3));
    tensors.put("b", Tensor.of(new double[] {Math.E}));
    tensors.put("labels", Tensor.of(new int[] {3, 1, 4}, 3));
    tensors.put("mask", Tensor.ofBool(new boolean[] {false, true}, 2, 1));
    tensors.put("empty", Tensor.zeros(DType.F32, 0, 4));
    tensors.put("ünïcode \"name\"", Tensor.of(new int[] {9}, 1));
    Path f = dir.resolve("all.safetensors");
    SafeTensors.write(f, tensors, Map.of("nnc", "0.1", "note", "line1\nline2"));
    Map<String, Tensor> back = SafeTensors.read(f);
    assertEquals(tensors.keySet().stream().sorted().toList(), new ArrayList<>(back.keySet()));
    for (var e : tensors.entrySet()) {
      assertTrue(e.getValue().contentEquals(back.get(e.getKey())), e.getKey());
    }
    assertEquals(Map.of("nnc", "0.1", "note", "line1\nline2"), SafeTensors.readMetadata(f));
    assertEquals(List.of(f), Files.list(dir).toList());
  }

  @Test
  void readsInDataOrderWhateverTheHeaderOrder() throws IOException {
    Path f = write("o.safetensors", file("{\"z\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[0,4]},"
        + "\"__metadata__\":{},"
        + "\"y\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[8,12]},"
        + "\"a\":{\"shape\":[1],\"dtype\":\"I32\",\"data_offsets\":[4,8]}}",
        1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0));
    Map<String, Tensor> t = SafeTensors.read(f);
    assertEquals(List.of("z", "a", "y"), new ArrayList<>(t.keySet()));
    assertArrayEquals(new int[0], t.get("z").shape());
    assertArrayEquals(new int[] {1}, t.get("z").ints());
    assertArrayEquals(new int[] {3}, t.get("y").ints());
    assertEquals(Map.of(), SafeTensors.readMetadata(f));
  }

  @Test
  void readsAnEmptyFile() throws IOException {
    Path f = dir.resolve("none.safetensors");
    SafeTensors.write(f, Map.of());
    assertArrayEquals(file("{}      "), Files.readAllBytes(f));
    assertEquals(Map.of(), SafeTensors.read(f));
  }

  @Test
  void refusesATensorNamedLikeTheMetadata() {
    var e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(dir.resolve("x"),
        Map.of("__metadata__", Tensor.of(new int[1], 1))));
    assertEquals("a tensor cannot be named __metadata__", e.getMessage());
  }

  @Test
  void reportsFilesThatAreNotSafetensors() throws IOException {
    assertError(write("tiny.safetensors", new byte[5]), "not a safetensors file: 5 bytes, too short for the 8-byte header length");
    byte[] huge = new byte[120];
    Arrays.fill(huge, 0, 8, (byte) 0xff);
    assertError(write("w.safetensors", huge),
        "not a safetensors file: header length 18446744073709551615 exceeds file size 120");
    assertError(write("npy.safetensors", NpyTest.npy(1, "{}")),
        "not a safetensors file: header length 379676406402707 exceeds file size 13");
    byte[] latin1 = file("{\"?\":1}");
    latin1[10] = (byte) 0xe9;
    assertError(write("enc.safetensors", latin1), "header is not valid UTF-8");
    assertError(write("json.safetensors", file("{\"a\":}")), "malformed header JSON: at offset 5: unexpected character '}'");
    assertError(write("arr.safetensors", file("[]")), "header JSON is not an object");
  }

  @Test
  void reportsBadEntries() throws IOException {
    assertBadEntry("{\"w\":[]}", "tensor 'w': entry is not an object");
    assertBadEntry("{\"w\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}",
        "tensor 'w': unsupported dtype 'F16' (nnc reads F32, F64, I32 and BOOL)");
    assertBadEntry("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", "tensor 'w': missing or non-string 'dtype'");
    assertBadEntry("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
        "tensor 'w': 'shape' must be a list of non-negative integers");
    assertBadEntry("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}",
        "tensor 'w': 'shape' must be a list of non-negative integers");
    assertBadEntry("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}",
        "tensor 'w': 'data_offsets' must be a list of 2 non-negative integers");
    assertBadEntry("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}",
        "tensor 'w': unexpected key 'x'");
    assertBadEntry("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}",
        "tensor 'w': data_offsets [0,20] do not hold the 24 bytes of f32[2,3]");
    assertBadEntry("{\"w\":{\"dtype\":\"BOOL\",\"shape\":[65536,32768],\"data_offsets\":[0,0]}}",
        "tensor 'w': shape [65536,32768] has more than 2147483647 elements");
    assertBadEntry("{\"__metadata__\":{\"k\":1}}", "__metadata__ value of 'k' is not a string");
    assertBadEntry("{\"__metadata__\":[]}", "__metadata__ is not an object");
  }

  private void assertBadEntry(String header, String problem) throws IOException {
    assertError(write("e.safetensors", file(header, new byte[4])), problem);
  }

  @Test
  void reportsDataThatDoesNotTileTheDataRegion() throws IOException {
    String a = "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
    String b4 = "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}";
    assertError(write("t.safetensors", file("{" + a + "," + b4 + "}", new byte[6])),
        "truncated: header says 8 data bytes, file has 6");
    assertError(write("x.safetensors", file("{" + a + "," + b4 + "}", new byte[11])), "3 bytes after the data");
    String b2 = "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[2,6]}";
    assertError(write("o.safetensors", file("{" + a + "," + b2 + "}", new byte[6])), "tensors 'a' and 'b' overlap");
    String b6 = "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[6,10]}";
    assertError(write("g.safetensors", file("{" + a + "," + b6 + "}", new byte[10])),
        "2 unused data bytes before tensor 'b'");
    String bool = "{\"m\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[0,2]}}";
    assertError(write("b.safetensors", file(bool, 1, 7)), "tensor 'm': element 1 of a bool tensor is 7, not 0 or 1");
  }

  @Test
  void quotesHostileNamesOnOneLine() throws IOException {
    String name = "evil\\nname" + "x".repeat(100);
    Path f = write("n.safetensors", file("{\"" + name + "\":[]}"));
    assertError(f, "tensor 'evil\\nname" + "x".repeat(31) + "'...: entry is not an object");
  }

  private static void assertError(Path f, String problem) {
    TensorFormatException e = assertThrows(TensorFormatException.class, () -> SafeTensors.read(f));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertEquals(f + ": " + problem, e.getMessage());
  }
}
