package nnc.compiler.frontend;

import java.util.List;
import nnc.compiler.ir.Node;
import nnc.grammar.NnParser;
import nnc.runtime.init.Initializer;

/**
 * What an expression of the language evaluates to at compile time. Tensor expressions become IR
 * nodes; numbers, booleans and lists are compile-time values (shapes, axes, hyper-parameters)
 * that become constants only when they meet a tensor.
 */
sealed interface Value {
  record Tensor(Node node) implements Value {}

  /** A compile-time number; {@code integral} when written without a fraction or exponent. */
  record Num(double value, boolean integral) implements Value {}

  record Bool(boolean value) implements Value {}

  record Str(String value) implements Value {}

  record Items(List<Value> items) implements Value {}

  /** A user-defined function, elaborated anew at each call. */
  record Fn(String name, NnParser.FnItemContext def) implements Value {}

  /** A parameter initializer, the value of {@code normal(0, 0.1)} in a param declaration. */
  record Init(Initializer init) implements Value {}

  /** The value of an expression that already reported an error; suppresses follow-on errors. */
  record Poison() implements Value {}

  /** How values are named in error messages. */
  static String describe(Value v) {
    return switch (v) {
      case Tensor t -> "a tensor " + t.node().type();
      case Num n -> "the number " + nnc.compiler.ir.Leaf.Literal.format(n.value());
      case Bool b -> "the boolean " + b.value();
      case Str s -> "a string";
      case Items l -> "a list";
      case Fn f -> "the function " + f.name();
      case Init i -> "the initializer " + i.init().describe();
      case Poison p -> "an erroneous value";
    };
  }
}
