package nnc.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import nnc.runtime.DType;
import nnc.runtime.Tensor;

/**
 * The validated header of a safetensors file: its tensors in the order of their data, its
 * metadata, and where the data region starts.
 *
 * <p>Validation is what makes loading an untrusted file safe: the header must fit in the file,
 * every tensor's byte range must match its dtype and shape, and the ranges must tile the data
 * region exactly, without gaps or overlaps.
 */
record SafeTensorsHeader(List<Entry> entries, Map<String, String> metadata, long dataStart) {
  static final String METADATA_KEY = "__metadata__";
  /** The limit the reference implementation uses, so a corrupt length cannot exhaust memory. */
  static final int MAX_HEADER_BYTES = 100_000_000;
  private static final Set<String> ENTRY_KEYS = Set.of("dtype", "shape", "data_offsets");

  /** One tensor: its place in the data region is [begin, end) bytes. */
  record Entry(String name, DType dtype, int[] shape, long begin, long end) {
  }

  /** Reads and validates the header of {@code file}, open as {@code channel}. */
  static SafeTensorsHeader read(Path file, FileChannel channel) throws IOException {
    long fileSize = channel.size();
    if (fileSize < 8) {
      throw new TensorFormatException(file, "not a safetensors file: " + fileSize
          + " bytes, too short for the 8-byte header length");
    }
    ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    RawData.readFully(file, channel, lengthBytes, 0);
    long headerLength = lengthBytes.getLong(0);
    if (Long.compareUnsigned(headerLength, fileSize - 8) > 0) {
      throw new TensorFormatException(file, "not a safetensors file: header length "
          + Long.toUnsignedString(headerLength) + " exceeds file size " + fileSize);
    }
    if (headerLength > MAX_HEADER_BYTES) {
      throw new TensorFormatException(file, "header length " + headerLength
          + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
    }
    ByteBuffer json = ByteBuffer.allocate((int) headerLength);
    RawData.readFully(file, channel, json, 8);
    Map<String, Object> root = parseJson(file, json.flip());
    return validate(file, root, 8 + headerLength, fileSize - 8 - headerLength);
  }

  private static Map<String, Object> parseJson(Path file, ByteBuffer bytes) throws TensorFormatException {
    CharBuffer chars;
    try {
      chars = StandardCharsets.UTF_8.newDecoder().decode(bytes);
    } catch (CharacterCodingException e) {
      throw new TensorFormatException(file, "header is not valid UTF-8");
    }
    Object root;
    try {
      root = Json.parse(chars.toString());
    } catch (IllegalArgumentException e) {
      throw new TensorFormatException(file, "malformed header JSON: " + e.getMessage());
    }
    if (!(root instanceof Map<?, ?> map)) {
      throw new TensorFormatException(file, "header JSON is not an object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> result = (Map<String, Object>) map;
    return result;
  }

  private static SafeTensorsHeader validate(Path file, Map<String, Object> root, long dataStart, long dataBytes)
      throws TensorFormatException {
    Map<String, String> metadata = Map.of();
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, Object> e : root.entrySet()) {
      if (e.getKey().equals(METADATA_KEY)) {
        metadata = metadata(file, e.getValue());
      } else {
        entries.add(entry(file, e.getKey(), e.getValue()));
      }
    }
    entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    checkTiling(file, entries, dataBytes);
    return new SafeTensorsHeader(List.copyOf(entries), metadata, dataStart);
  }

  private static Map<String, String> metadata(Path file, Object value) throws TensorFormatException {
    Map<String, String> result = new LinkedHashMap<>();
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (e.getValue() instanceof String s) {
          result.put((String) e.getKey(), s);
        } else {
          throw new TensorFormatException(file, METADATA_KEY + " value of "
              + TensorFormatException.quote((String) e.getKey()) + " is not a string");
        }
      }
      return Collections.unmodifiableMap(result);
    }
    throw new TensorFormatException(file, METADATA_KEY + " is not an object");
  }

  private static Entry entry(Path file, String name, Object value) throws TensorFormatException {
    String where = "tensor " + TensorFormatException.quote(name) + ": ";
    if (!(value instanceof Map<?, ?> fields)) {
      throw new TensorFormatException(file, where + "entry is not an object");
    }
    for (Object key : fields.keySet()) {
      if (!ENTRY_KEYS.contains(key)) {
        throw new TensorFormatException(file, where + "unexpected key " + TensorFormatException.quote((String) key));
      }
    }
    DType dtype = dtype(file, where, fields.get("dtype"));
    long[] shape = naturals(file, where, "shape", fields.get("shape"), -1);
    long[] offsets = naturals(file, where, "data_offsets", fields.get("data_offsets"), 2);
    int[] dims = toShape(file, where, shape);
    long needed = Tensor.elementCount(dims) * dtype.byteSize();
    if (offsets[1] < offsets[0] || offsets[1] - offsets[0] != needed) {
      throw new TensorFormatException(file, where + "data_offsets [" + offsets[0] + "," + offsets[1]
          + "] do not hold the " + needed + " bytes of " + dtype.languageName() + Tensor.shapeString(dims));
    }
    return new Entry(name, dtype, dims, offsets[0], offsets[1]);
  }

  private static DType dtype(Path file, String where, Object value) throws TensorFormatException {
    if (!(value instanceof String name)) {
      throw new TensorFormatException(file, where + "missing or non-string 'dtype'");
    }
    return DType.ofSafetensorsName(name).orElseThrow(() -> new TensorFormatException(file, where
        + "unsupported dtype " + TensorFormatException.quote(name) + " (nnc reads F32, F64, I32 and BOOL)"));
  }

  /** A list of non-negative integers, of length {@code length} unless that is negative. */
  private static long[] naturals(Path file, String where, String key, Object value, int length)
      throws TensorFormatException {
    String expected = "'" + key + "' must be a list of " + (length < 0 ? "" : length + " ") + "non-negative integers";
    if (!(value instanceof List<?> list) || (length >= 0 && list.size() != length)) {
      throw new TensorFormatException(file, where + expected);
    }
    long[] result = new long[list.size()];
    for (int i = 0; i < result.length; i++) {
      if (!(list.get(i) instanceof Long n) || n < 0) {
        throw new TensorFormatException(file, where + expected);
      }
      result[i] = n;
    }
    return result;
  }

  private static int[] toShape(Path file, String where, long[] shape) throws TensorFormatException {
    int[] dims = new int[shape.length];
    for (int i = 0; i < dims.length; i++) {
      if (shape[i] > Integer.MAX_VALUE) {
        throw new TensorFormatException(file, where + "dimension " + shape[i] + " is too large for a Java array");
      }
      dims[i] = (int) shape[i];
    }
    if (Tensor.elementCount(dims) > Integer.MAX_VALUE) {
      throw new TensorFormatException(file, where + "shape " + Tensor.shapeString(dims)
          + " has more than " + Integer.MAX_VALUE + " elements");
    }
    return dims;
  }

  /** The sorted byte ranges must cover [0, dataBytes) exactly once. */
  private static void checkTiling(Path file, List<Entry> sorted, long dataBytes) throws TensorFormatException {
    long covered = sorted.stream().mapToLong(Entry::end).max().orElse(0);
    if (covered > dataBytes) {
      throw new TensorFormatException(file, "truncated: header says " + covered
          + " data bytes, file has " + dataBytes);
    }
    long next = 0;
    Entry previous = null;
    for (Entry e : sorted) {
      if (e.begin() < next) {
        throw new TensorFormatException(file, "tensors " + TensorFormatException.quote(previous.name())
            + " and " + TensorFormatException.quote(e.name()) + " overlap");
      }
      if (e.begin() > next) {
        throw new TensorFormatException(file, (e.begin() - next) + " unused data bytes before tensor "
            + TensorFormatException.quote(e.name()));
      }
      next = e.end();
      previous = e;
    }
    if (next < dataBytes) {
      throw new TensorFormatException(file, (dataBytes - next) + " bytes after the data");
    }
  }
}
