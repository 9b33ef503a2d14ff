package nnc.compiler.cli;

import picocli.CommandLine;

/** The version printed by {@code nnc --version}, from the jar manifest when there is one. */
public final class Version implements CommandLine.IVersionProvider {
  public static String get() {
    String v = Version.class.getPackage().getImplementationVersion();
    return v != null ? v : "0.1.0-SNAPSHOT";
  }

  @Override
  public String[] getVersion() {
    return new String[] {"nnc " + get()};
  }
}
