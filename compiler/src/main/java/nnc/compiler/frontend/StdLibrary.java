package nnc.compiler.frontend;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The standard library of layers written in {@code .nn}, shipped as resources of the compiler
 * ({@code nnc/std/*.nn}). {@code import "std/layers.nn"} resolves to it when no such file exists
 * relative to the importing file, so a project may shadow a module with its own copy. A module is
 * identified by a path under {@link #ROOT}, a directory that does not exist on disk: imports
 * inside a module then resolve relative to it like any other file, and each module is imported once.
 */
final class StdLibrary {
  /** Where modules live for import resolution; never read from disk. */
  static final Path ROOT = Path.of("/nnc-standard-library").toAbsolutePath();
  /** How a module is named in diagnostics: {@code <nnc>/std/layers.nn:12:5: error: ...}. */
  static final String DISPLAY_PREFIX = "<nnc>/";
  /** Every module, as imported. */
  static final List<String> MODULES = List.of("std/layers.nn", "std/recurrent.nn");

  private StdLibrary() {}

  /** The module a relative import names, or null when it does not name one ({@code "std/NAME.nn"}). */
  static Path resolve(String rel) {
    Path p = ROOT.resolve(rel).normalize();
    return p.startsWith(ROOT.resolve("std")) ? p : null;
  }

  static boolean isModule(Path p) {
    return p.startsWith(ROOT);
  }

  static boolean exists(Path module) {
    return MODULES.contains(name(module));
  }

  /** {@code std/layers.nn} for a module path. */
  static String name(Path module) {
    return ROOT.relativize(module).toString().replace('\\', '/');
  }

  static String displayName(Path module) {
    return DISPLAY_PREFIX + name(module);
  }

  static String read(Path module) {
    try (InputStream in = StdLibrary.class.getResourceAsStream("/nnc/" + name(module))) {
      if (in == null) throw new IllegalStateException("standard library module " + name(module) + " is missing from the compiler");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
