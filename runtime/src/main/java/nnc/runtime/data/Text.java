package nnc.runtime.data;

import java.io.IOException;
import java.nio.file.Path;
import nnc.runtime.io.TensorFormatException;

/**
 * Reads a plain ASCII text (gzip or plain) as character ids, the ASCII codes 0..127, and cuts it
 * into windows for next-character prediction. Bytes 128..255 (UTF-8, Latin-1) are an error that
 * names the line and the byte: a character-level model needs a fixed vocabulary, and 128 ids
 * cover every ASCII text. Line ends are kept as they are (CR LF stays two characters).
 */
public final class Text {
  /** The number of character ids. */
  public static final int VOCABULARY = 128;

  private Text() {}

  /** The ids of the whole text. */
  public static int[] ids(Path file) throws IOException {
    byte[] bytes = Inputs.read(file, in -> in.readAllBytes());
    int[] ids = new int[bytes.length];
    long line = 1;
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xFF;
      if (b >= VOCABULARY) {
        throw new TensorFormatException(file, line, String.format("byte 0x%02X at offset %d is not ASCII (text(...) reads ASCII "
            + "text, character ids 0..127)", b, i));
      }
      if (b == '\n') line++;
      ids[i] = b;
    }
    return ids;
  }

  /**
   * Windows of {@code context} ids starting every {@code stride} characters, each moved
   * {@code shift} characters on. A window is kept only when the character after it exists, so that
   * shift 0 (inputs) and shift 1 (next-character targets) give the same windows.
   */
  public static int[][] windows(Path file, int context, int shift, int stride) throws IOException {
    if (context < 1 || stride < 1 || shift < 0 || shift > 1) {
      throw new IllegalArgumentException("context " + context + ", stride " + stride + ", shift " + shift);
    }
    int[] ids = ids(file);
    int count = ids.length < context + 1 ? 0 : (ids.length - context - 1) / stride + 1;
    if (count == 0) {
      throw new TensorFormatException(file, ids.length + " characters, too short for one window of " + context
          + " characters and its next character");
    }
    int[][] out = new int[count][];
    for (int k = 0; k < count; k++) out[k] = java.util.Arrays.copyOfRange(ids, k * stride + shift, k * stride + shift + context);
    return out;
  }
}
