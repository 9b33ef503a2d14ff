package nnc.runtime.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import nnc.runtime.io.TensorFormatException;

/**
 * Opens data files that may be gzip-compressed, recognised by their magic bytes 1f 8b, and turns
 * the errors of a broken gzip stream into one-line {@link TensorFormatException}s.
 */
final class Inputs {
  private static final int BUFFER_BYTES = 1 << 16;

  /** Reads an opened stream into a result. */
  @FunctionalInterface
  interface Reader<T> {
    T read(InputStream in) throws IOException;
  }

  private Inputs() {
  }

  /**
   * Opens {@code file}, decompressing it if it is gzip, and applies {@code reader}. A name
   * ending in {@code .gz} promises gzip: such a file without the magic is an error.
   */
  static <T> T read(Path file, Reader<T> reader) throws IOException {
    try (InputStream in = open(file)) {
      return reader.read(in);
    } catch (ZipException e) {
      throw new TensorFormatException(file, "corrupt gzip data: " + e.getMessage(), e);
    } catch (EOFException e) {
      throw new TensorFormatException(file, "truncated gzip data", e);
    }
  }

  private static InputStream open(Path file) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER_BYTES);
    try {
      in.mark(2);
      boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
      in.reset();
      if (gzip) {
        return new BufferedInputStream(new GZIPInputStream(in, BUFFER_BYTES), BUFFER_BYTES);
      }
      if (file.getFileName().toString().endsWith(".gz")) {
        throw new TensorFormatException(file, "not a gzip file, although its name ends in .gz");
      }
      return in;
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }
}
