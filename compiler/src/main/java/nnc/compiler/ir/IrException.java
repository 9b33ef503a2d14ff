package nnc.compiler.ir;

/**
 * A violated shape or type rule. The message names the op and the operand types
 * ({@code matmul: f32[B,784] @ f32[500,10]: inner dimensions 784 and 500 differ}); the front end
 * adds the source location.
 */
public final class IrException extends RuntimeException {
  public IrException(String message) {
    super(message);
  }
}
