package nnc.runtime.train;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The data a model trains and is evaluated on, as declared in its {@code .nn} file by
 * {@code data} statements: per split ({@code train}, {@code test}, ...), one source per model
 * input. Paths are absolute (resolved against the model file's directory by the compiler); the
 * files are read only by {@link Datasets#load}.
 *
 * @param splits the declared splits by name, in declaration order
 * @param validation a validation split carved out of the training split, or null
 * @param test a test split carved out of the training split (before the validation split), or null
 */
public record DataSpec(Map<String, Split> splits, Holdout validation, Holdout test) {
  public DataSpec {
    splits = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(splits));
  }

  public static DataSpec none() {
    return new DataSpec(Map.of(), null, null);
  }

  public boolean isEmpty() {
    return splits.isEmpty();
  }

  /** One split: a source per input name, in declaration order. */
  public record Split(String name, Map<String, Source> inputs) {
    public Split {
      inputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
    }
  }

  /** {@code data validation = split(train, 0.1)}: a seeded random fraction of the training split, held out. */
  public record Holdout(String of, double fraction) {}

  /** Where a split's column comes from. */
  public enum Format { IDX, CSV, NPY, INLINE, TEXT }

  /**
   * One source: a file (or inline values) and how to turn it into rows.
   *
   * @param file the file, null for inline values
   * @param inline the values of an inline literal (row-major), else null
   * @param inlineShape the inline literal's shape, else null
   * @param columns CSV: the first and last column (inclusive), or null for all columns
   * @param column CSV: a single column (the row axis only), or -1
   * @param header CSV: lines skipped at the top
   * @param rows the first and last row (inclusive) to keep, or null for all rows
   * @param norm how values are normalized
   * @param windows TEXT: how the text is cut into windows of character ids, else null
   */
  public record Source(Format format, Path file, double[] inline, int[] inlineShape, int[] columns, int column,
      int header, int[] rows, Norm norm, Windows windows) {
    /** A source of any format but TEXT. */
    public Source(Format format, Path file, double[] inline, int[] inlineShape, int[] columns, int column, int header,
        int[] rows, Norm norm) {
      this(format, file, inline, inlineShape, columns, column, header, rows, norm, null);
    }

    public String describe() {
      return format == Format.INLINE ? "inline values" : file.getFileName().toString();
    }
  }

  /**
   * {@code text("FILE", context = 64, shift = 1, stride = 64)}: windows of {@code context}
   * consecutive characters (ASCII codes, the ids 0..127), starting every {@code stride} characters,
   * moved {@code shift} characters on (1 for the next-character targets of the same windows). A
   * window is kept only when its next character exists, so the inputs and the targets of one text
   * have the same number of windows.
   */
  public record Windows(int context, int shift, int stride) {}

  /**
   * v → ((v · scale) − mean) / std; with {@code standardize}, mean and std are computed per
   * feature on the training split and applied to every split.
   */
  public record Norm(double scale, double mean, double std, boolean standardize) {
    public static final Norm IDENTITY = new Norm(1, 0, 1, false);

    public double apply(double v) {
      return (v * scale - mean) / std;
    }
  }

  /** The split names, for messages. */
  public List<String> names() {
    return List.copyOf(splits.keySet());
  }
}
