package nnc.runtime.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A tensor or data file that cannot be read because its content is wrong: bad magic, a
 * malformed header, truncated data, an unsupported type.
 *
 * <p>The message is always one line that starts with the file (and line, for text formats), so
 * that the command line can print it as it is, e.g.
 * {@code x.npy: truncated: header says 3136 data bytes, file has 100}.
 */
public class TensorFormatException extends IOException {
  private static final long serialVersionUID = 1L;
  private static final int MAX_QUOTED = 40;

  /** A problem with the file as a whole. */
  public TensorFormatException(Path file, String problem) {
    super(oneLine(file + ": " + problem));
  }

  /** A problem on one line (1-based) of a text file. */
  public TensorFormatException(Path file, long line, String problem) {
    super(oneLine(file + ":" + line + ": " + problem));
  }

  /** A problem found by a lower layer (gzip, say); {@code cause} is kept for debugging only. */
  public TensorFormatException(Path file, String problem, Throwable cause) {
    super(oneLine(file + ": " + problem), cause);
  }

  /**
   * Quotes text taken from a file for a message: single quotes, control characters escaped,
   * cut to 40 characters, so that a corrupt file cannot produce a huge or multi-line message.
   */
  public static String quote(String text) {
    boolean cut = text.length() > MAX_QUOTED;
    String shown = cut ? text.substring(0, MAX_QUOTED) : text;
    return "'" + oneLine(shown) + (cut ? "'..." : "'");
  }

  private static String oneLine(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }
}
