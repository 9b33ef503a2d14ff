package nnc.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HexFormat;
import nnc.runtime.Tensor;
import nnc.runtime.io.TensorFormatException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, plain or gzip-compressed.
 *
 * <p>An IDX file is a big-endian magic {@code 00 00 TT NN} (element type TT, NN dimensions), NN
 * big-endian u32 dimensions, then the elements in row-major order. nnc reads the unsigned-byte
 * type (0x08) that both datasets use, into an I32 tensor with the file's dimensions: images
 * (magic 0x00000803) become {@code [N, 28, 28]} with values 0..255, labels (0x00000801) {@code [N]}.
 */
public final class Idx {
  private static final int UNSIGNED_BYTE = 0x08;

  private Idx() {
  }

  /** Reads the whole file; problems are one-line {@link TensorFormatException}s. */
  public static Tensor read(Path file) throws IOException {
    return Inputs.read(file, in -> parse(file, in));
  }

  private static Tensor parse(Path file, InputStream in) throws IOException {
    byte[] magic = in.readNBytes(4);
    if (magic.length < 4) {
      throw new TensorFormatException(file, "not an IDX file: " + magic.length + " bytes, too short for the magic");
    }
    if (magic[0] != 0 || magic[1] != 0) {
      throw new TensorFormatException(file, "not an IDX file: it starts with "
          + HexFormat.ofDelimiter(" ").formatHex(magic) + ", not 00 00");
    }
    int type = magic[2] & 0xFF;
    if (type != UNSIGNED_BYTE) {
      throw new TensorFormatException(file, String.format("unsupported IDX element type 0x%02x (%s);"
          + " nnc reads only 0x08 (unsigned byte)", type, typeName(type)));
    }
    int[] shape = shape(file, in, magic[3] & 0xFF);
    int count = (int) Tensor.elementCount(shape);
    byte[] data = in.readNBytes(count);
    if (data.length < count) {
      throw new TensorFormatException(file, "truncated: header says " + count
          + " data bytes, file has " + data.length);
    }
    long extra = in.transferTo(OutputStream.nullOutputStream());
    if (extra > 0) {
      throw new TensorFormatException(file, extra + " bytes after the data");
    }
    int[] values = new int[count];
    for (int i = 0; i < count; i++) {
      values[i] = data[i] & 0xFF;
    }
    return Tensor.of(values, shape);
  }

  private static int[] shape(Path file, InputStream in, int rank) throws IOException {
    if (rank == 0) {
      throw new TensorFormatException(file, "IDX file with 0 dimensions");
    }
    byte[] bytes = in.readNBytes(4 * rank);
    if (bytes.length < 4 * rank) {
      throw new TensorFormatException(file, "truncated: the file ends inside its " + rank + " dimensions");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes);
    int[] shape = new int[rank];
    for (int i = 0; i < rank; i++) {
      shape[i] = buf.getInt();
      if (shape[i] < 0) {
        throw new TensorFormatException(file, "dimension " + Integer.toUnsignedString(shape[i])
            + " is too large for a Java array");
      }
    }
    if (Tensor.elementCount(shape) > Integer.MAX_VALUE) {
      throw new TensorFormatException(file, "shape " + Tensor.shapeString(shape) + " has more than "
          + Integer.MAX_VALUE + " elements");
    }
    return shape;
  }

  private static String typeName(int type) {
    return switch (type) {
      case 0x09 -> "signed byte";
      case 0x0B -> "short";
      case 0x0C -> "int";
      case 0x0D -> "float";
      case 0x0E -> "double";
      default -> "not an IDX type";
    };
  }
}
