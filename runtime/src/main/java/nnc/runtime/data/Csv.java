package nnc.runtime.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import nnc.runtime.Tensor;
import nnc.runtime.io.TensorFormatException;

/**
 * Reads numeric tables such as scikit-learn's bundled datasets, plain or gzip-compressed.
 *
 * <p>Each line is one row. A line that contains a comma is split on commas (spaces around a field
 * are ignored); any other line is split on runs of whitespace, which covers space-separated files
 * like {@code diabetes_data_raw.csv.gz}. Blank lines are skipped; the first {@code headerLines}
 * lines are skipped whatever they hold. Fields are decimal numbers, or {@code nan}/{@code inf}
 * (any case, optionally signed). Every row must have the same number of columns. Errors name the
 * file and line, e.g. {@code iris.csv:7: column 2: not a number: 'abc'}.
 */
public final class Csv {
  private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

  private Csv() {
  }

  /** Reads all data rows after {@code headerLines} skipped lines. */
  public static double[][] read(Path file, int headerLines) throws IOException {
    if (headerLines < 0) {
      throw new IllegalArgumentException("headerLines must be >= 0, got " + headerLines);
    }
    return Inputs.read(file, in -> parse(file, in, headerLines));
  }

  /** Reads all data rows into an F64 tensor of shape [rows, columns]. */
  public static Tensor readTensor(Path file, int headerLines) throws IOException {
    double[][] rows = read(file, headerLines);
    int columns = rows[0].length;
    double[] flat = new double[Math.multiplyExact(rows.length, columns)];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, flat, r * columns, columns);
    }
    return Tensor.of(flat, rows.length, columns);
  }

  private static double[][] parse(Path file, InputStream in, int headerLines) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    List<double[]> rows = new ArrayList<>();
    String line;
    for (long lineNo = 1; (line = reader.readLine()) != null; lineNo++) {
      String text = (lineNo == 1 ? line.replace("\uFEFF", "") : line).strip();
      if (lineNo <= headerLines || text.isEmpty()) {
        continue;
      }
      double[] row = row(file, lineNo, text);
      if (!rows.isEmpty() && row.length != rows.getFirst().length) {
        throw new TensorFormatException(file, lineNo, "expected " + rows.getFirst().length
            + " columns, found " + row.length);
      }
      rows.add(row);
    }
    if (rows.isEmpty()) {
      throw new TensorFormatException(file, "no data rows after " + headerLines + " header line(s)");
    }
    return rows.toArray(double[][]::new);
  }

  private static double[] row(Path file, long lineNo, String text) throws TensorFormatException {
    String[] fields = text.indexOf(',') >= 0 ? text.split(",", -1) : text.split("\\s+");
    double[] row = new double[fields.length];
    for (int i = 0; i < fields.length; i++) {
      row[i] = number(file, lineNo, i + 1, fields[i].strip());
    }
    return row;
  }

  private static double number(Path file, long lineNo, int column, String field) throws TensorFormatException {
    if (DECIMAL.matcher(field).matches()) {
      return Double.parseDouble(field);
    }
    String word = field.toLowerCase(Locale.ROOT);
    double sign = word.startsWith("-") ? -1 : 1;
    String unsigned = word.startsWith("-") || word.startsWith("+") ? word.substring(1) : word;
    return switch (unsigned) {
      case "nan" -> Double.NaN;
      case "inf", "infinity" -> sign * Double.POSITIVE_INFINITY;
      default -> throw new TensorFormatException(file, lineNo, "column " + column
          + (field.isEmpty() ? ": empty field" : ": not a number: " + TensorFormatException.quote(field)));
    };
  }
}
