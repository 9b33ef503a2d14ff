package nnc.runtime.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import nnc.runtime.Tensor;

/**
 * Moves tensor elements between Java arrays and little-endian bytes, a bounded chunk at a time,
 * so that neither reading nor writing a large tensor needs a second copy of it in memory.
 */
final class RawData {
  private static final int CHUNK_BYTES = 1 << 16;

  private RawData() {
  }

  /**
   * Reads {@code shape}'s worth of elements stored at {@code position} of {@code channel}.
   * Errors name {@code file}, prefixed by {@code where} (e.g. "tensor 'w': ").
   */
  static Tensor read(Path file, String where, FileChannel channel, long position, Encoding enc, int[] shape)
      throws IOException {
    Tensor t = Tensor.zeros(enc.target, shape);
    ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    int perChunk = CHUNK_BYTES / enc.byteSize;
    for (int done = 0; done < t.size(); done += perChunk) {
      int count = Math.min(perChunk, t.size() - done);
      buf.clear().limit(count * enc.byteSize);
      readFully(file, channel, buf, position + (long) done * enc.byteSize);
      buf.flip();
      decode(file, where, enc, buf, t, done, count);
    }
    return t;
  }

  /** Fills {@code buf} from {@code position}; a file that ends first is reported as truncated. */
  static void readFully(Path file, FileChannel channel, ByteBuffer buf, long position) throws IOException {
    long at = position;
    while (buf.hasRemaining()) {
      int n = channel.read(buf, at);
      if (n < 0) {
        throw new TensorFormatException(file, "truncated: the file ended at byte " + at + " while reading data");
      }
      at += n;
    }
  }

  private static void decode(Path file, String where, Encoding enc, ByteBuffer buf, Tensor t, int offset, int count)
      throws TensorFormatException {
    switch (enc) {
      case F32 -> buf.asFloatBuffer().get(t.floats(), offset, count);
      case F64 -> buf.asDoubleBuffer().get(t.doubles(), offset, count);
      case I32 -> buf.asIntBuffer().get(t.ints(), offset, count);
      case U8 -> {
        int[] out = t.ints();
        for (int i = 0; i < count; i++) {
          out[offset + i] = buf.get(i) & 0xFF;
        }
      }
      case I64 -> {
        int[] out = t.ints();
        for (int i = 0; i < count; i++) {
          long v = buf.getLong(i * 8);
          if ((int) v != v) {
            throw new TensorFormatException(file, where + "element " + (offset + i)
                + " is " + v + ", outside the i32 range");
          }
          out[offset + i] = (int) v;
        }
      }
      case BOOL -> {
        boolean[] out = t.bools();
        for (int i = 0; i < count; i++) {
          byte b = buf.get(i);
          if (b != 0 && b != 1) {
            throw new TensorFormatException(file, where + "element " + (offset + i)
                + " of a bool tensor is " + (b & 0xFF) + ", not 0 or 1");
          }
          out[offset + i] = b == 1;
        }
      }
    }
  }

  /** Writes all elements of {@code t} in its own little-endian encoding. */
  static void write(Tensor t, OutputStream out) throws IOException {
    int byteSize = t.dtype().byteSize();
    ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    int perChunk = CHUNK_BYTES / byteSize;
    for (int done = 0; done < t.size(); done += perChunk) {
      int count = Math.min(perChunk, t.size() - done);
      buf.clear();
      encode(t, buf, done, count);
      out.write(buf.array(), 0, count * byteSize);
    }
  }

  private static void encode(Tensor t, ByteBuffer buf, int offset, int count) {
    switch (t.dtype()) {
      case F32 -> buf.asFloatBuffer().put(t.floats(), offset, count);
      case F64 -> buf.asDoubleBuffer().put(t.doubles(), offset, count);
      case I32 -> buf.asIntBuffer().put(t.ints(), offset, count);
      case BOOL -> {
        boolean[] in = t.bools();
        for (int i = 0; i < count; i++) {
          buf.put(i, (byte) (in[offset + i] ? 1 : 0));
        }
      }
    }
  }
}
