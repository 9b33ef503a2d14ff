package nnc.runtime.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Collectors;
import nnc.runtime.Tensor;

/**
 * Reads and writes NumPy {@code .npy} files, the format tensors take on the command line so that
 * results compare directly with NumPy and PyTorch.
 *
 * <p>Reading accepts format versions 1.0, 2.0 and 3.0, little-endian C-order arrays of
 * {@code <f4}, {@code <f8}, {@code <i4}, {@code |b1}, plus {@code |u1} (widened to i32) and
 * {@code <i8} (NumPy's default integer, narrowed to i32 if every value fits). Writing produces
 * the bytes {@code numpy.save} produces: version 1.0, the header dictionary with NumPy's spare
 * room after it, padded with spaces and a newline so that the data starts at a multiple of 64.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int ALIGN = 64;
  private static final int MAX_HEADER_BYTES = 1 << 20;
  private static final int MAX_V1_HEADER = 0xFFFF;
  private static final Map<String, Encoding> DESCRS = Map.of(
      "<f4", Encoding.F32, "<f8", Encoding.F64, "<i4", Encoding.I32,
      "|b1", Encoding.BOOL, "|u1", Encoding.U8, "<i8", Encoding.I64);

  private Npy() {
  }

  /** Reads one array; any problem with the content is a one-line {@link TensorFormatException}. */
  public static Tensor read(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long fileSize = channel.size();
      ByteBuffer prefix = readPrefix(file, channel, fileSize);
      int major = prefix.get(MAGIC.length);
      long headerBytes = major == 1 ? prefix.getShort(8) & 0xFFFFL : prefix.getInt(8) & 0xFFFFFFFFL;
      long dataStart = prefix.limit() + headerBytes;
      if (dataStart > fileSize) {
        throw new TensorFormatException(file, "truncated: header says " + headerBytes
            + " header bytes, file has " + (fileSize - prefix.limit()));
      }
      if (headerBytes > MAX_HEADER_BYTES) {
        throw new TensorFormatException(file, "header of " + headerBytes
            + " bytes is longer than the limit of " + MAX_HEADER_BYTES);
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerBytes);
      RawData.readFully(file, channel, header, prefix.limit());
      String text = new String(header.array(), major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
      return readData(file, channel, NpyHeader.parse(file, text), dataStart, fileSize);
    }
  }

  /** Reads magic, version and header length; the buffer's limit is the prefix length. */
  private static ByteBuffer readPrefix(Path file, FileChannel channel, long fileSize) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(12, fileSize)).order(ByteOrder.LITTLE_ENDIAN);
    RawData.readFully(file, channel, buf, 0);
    byte[] bytes = buf.array();
    if (bytes.length < MAGIC.length || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new TensorFormatException(file, "not an NPY file: it starts with "
          + HexFormat.ofDelimiter(" ").formatHex(bytes, 0, Math.min(bytes.length, MAGIC.length))
          + " instead of the magic 93 4e 55 4d 50 59 (\\x93NUMPY)");
    }
    if (bytes.length >= 8 && (bytes[6] < 1 || bytes[6] > 3 || bytes[7] != 0)) {
      throw new TensorFormatException(file, "unsupported NPY format version " + (bytes[6] & 0xFF) + "."
          + (bytes[7] & 0xFF) + " (nnc reads 1.0, 2.0 and 3.0)");
    }
    int prefixLength = bytes.length >= 8 && bytes[6] == 1 ? 10 : 12;
    if (bytes.length < prefixLength) {
      throw new TensorFormatException(file, "truncated: the file ends after " + bytes.length
          + " bytes, inside the header prefix");
    }
    return buf.limit(prefixLength);
  }

  private static Tensor readData(Path file, FileChannel channel, NpyHeader header, long dataStart, long fileSize)
      throws IOException {
    if (header.fortranOrder()) {
      throw new TensorFormatException(file, "Fortran-order arrays are not supported;"
          + " save numpy.ascontiguousarray(a) instead");
    }
    Encoding enc = DESCRS.get(header.descr());
    if (enc == null) {
      throw new TensorFormatException(file, "unsupported dtype " + TensorFormatException.quote(header.descr())
          + " (nnc reads " + String.join(", ", DESCRS.keySet().stream().sorted().toList()) + ")");
    }
    int[] shape = shape(file, header.shape());
    long dataBytes = Tensor.elementCount(shape) * enc.byteSize;
    long available = fileSize - dataStart;
    if (available < dataBytes) {
      throw new TensorFormatException(file, "truncated: header says " + dataBytes
          + " data bytes, file has " + available);
    }
    if (available > dataBytes) {
      throw new TensorFormatException(file, (available - dataBytes) + " bytes after the data");
    }
    return RawData.read(file, "", channel, dataStart, enc, shape);
  }

  private static int[] shape(Path file, long[] dims) throws TensorFormatException {
    boolean fits = Arrays.stream(dims).allMatch(d -> d <= Integer.MAX_VALUE);
    int[] shape = Arrays.stream(dims).mapToInt(d -> (int) d).toArray();
    if (!fits || Tensor.elementCount(shape) > Integer.MAX_VALUE) {
      String shown = Arrays.stream(dims).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
      throw new TensorFormatException(file, "shape " + shown + " has more than "
          + Integer.MAX_VALUE + " elements, the limit of a Java array");
    }
    return shape;
  }

  /** Writes {@code tensor} as {@code numpy.save} would, atomically (temp file + rename). */
  public static void write(Path file, Tensor tensor) throws IOException {
    byte[] header = header(tensor);
    AtomicFiles.write(file, out -> {
      out.write(header);
      RawData.write(tensor, out);
    });
  }

  /** Magic, version, header length and the padded dictionary: everything before the data. */
  static byte[] header(Tensor tensor) {
    byte[] dict = NpyHeader.format(tensor.dtype().npyDescr(), tensor.shape()).getBytes(StandardCharsets.ISO_8859_1);
    int prefixLength = 10;
    int headerLength = paddedLength(prefixLength, dict.length);
    if (headerLength > MAX_V1_HEADER) {
      prefixLength = 12;
      headerLength = paddedLength(prefixLength, dict.length);
    }
    boolean v1 = prefixLength == 10;
    ByteBuffer buf = ByteBuffer.allocate(prefixLength + headerLength).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).put((byte) (v1 ? 1 : 2)).put((byte) 0);
    if (v1) {
      buf.putShort((short) headerLength);
    } else {
      buf.putInt(headerLength);
    }
    buf.put(dict);
    while (buf.remaining() > 1) {
      buf.put((byte) ' ');
    }
    return buf.put((byte) '\n').array();
  }

  /** The header length (dictionary, spaces, newline) that makes the data start at a multiple of 64. */
  private static int paddedLength(int prefixLength, int dictLength) {
    int unpadded = dictLength + 1;
    return unpadded + ALIGN - (prefixLength + unpadded) % ALIGN;
  }
}
