package nnc.compiler.cli;

/** A problem the user can fix (bad option value, unreadable file), reported as one line. */
final class UserError extends RuntimeException {
  UserError(String message) {
    super(message, null, false, false);
  }
}
