package nnc.runtime.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import nnc.runtime.Tensor;

/**
 * Reads and writes safetensors files, nnc's format for weights and checkpoints: a JSON header and
 * raw little-endian tensors, so that loading a file never executes anything it contains.
 *
 * <p>Layout: an unsigned 64-bit little-endian header length N; N bytes of UTF-8 JSON mapping each
 * tensor name to {@code {"dtype":"F32","shape":[2,3],"data_offsets":[begin,end]}} (offsets
 * relative to the data region), plus an optional {@code "__metadata__"} object of strings; then
 * the data region. Supported dtypes are F32, F64, I32 and BOOL.
 */
public final class SafeTensors {
  private static final int HEADER_ALIGN = 8;

  private SafeTensors() {
  }

  /**
   * Reads every tensor, in the order of their data in the file. The header is validated first
   * (see the class comment); problems are one-line {@link TensorFormatException}s.
   */
  public static Map<String, Tensor> read(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      SafeTensorsHeader header = SafeTensorsHeader.read(file, channel);
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      for (SafeTensorsHeader.Entry e : header.entries()) {
        String where = "tensor " + TensorFormatException.quote(e.name()) + ": ";
        tensors.put(e.name(), RawData.read(file, where, channel, header.dataStart() + e.begin(),
            Encoding.of(e.dtype()), e.shape()));
      }
      return tensors;
    }
  }

  /** The {@code __metadata__} strings of a file (empty if it has none), without reading the tensors. */
  public static Map<String, String> readMetadata(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return SafeTensorsHeader.read(file, channel).metadata();
    }
  }

  /** Writes {@code tensors} with no metadata; see {@link #write(Path, Map, Map)}. */
  public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
    write(file, tensors, Map.of());
  }

  /**
   * Writes {@code tensors} in sorted name order, contiguous, after a header padded with spaces
   * to a multiple of 8 bytes. The write is atomic (temp file + rename): a crash leaves either
   * the old file or the complete new one.
   *
   * @throws IllegalArgumentException if a tensor is named {@code __metadata__}
   */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
    Map<String, Tensor> sorted = new TreeMap<>(tensors);
    if (sorted.containsKey(SafeTensorsHeader.METADATA_KEY)) {
      throw new IllegalArgumentException("a tensor cannot be named " + SafeTensorsHeader.METADATA_KEY);
    }
    byte[] header = header(sorted, metadata);
    AtomicFiles.write(file, out -> {
      writeLength(out, header.length);
      out.write(header);
      for (Tensor t : sorted.values()) {
        RawData.write(t, out);
      }
    });
  }

  /** The JSON header, padded with spaces to a multiple of 8 bytes. */
  static byte[] header(Map<String, Tensor> sorted, Map<String, String> metadata) {
    Map<String, Object> json = new LinkedHashMap<>();
    if (!metadata.isEmpty()) {
      json.put(SafeTensorsHeader.METADATA_KEY, metadata);
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
      Tensor t = e.getValue();
      long end = offset + (long) t.size() * t.dtype().byteSize();
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("dtype", t.dtype().safetensorsName());
      entry.put("shape", Arrays.stream(t.shape()).boxed().toList());
      entry.put("data_offsets", List.of(offset, end));
      json.put(e.getKey(), entry);
      offset = end;
    }
    String text = Json.write(json);
    int length = text.getBytes(StandardCharsets.UTF_8).length;
    int padding = (HEADER_ALIGN - length % HEADER_ALIGN) % HEADER_ALIGN;
    return (text + " ".repeat(padding)).getBytes(StandardCharsets.UTF_8);
  }

  private static void writeLength(OutputStream out, long length) throws IOException {
    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(length).array());
  }
}
