package nnc.compiler.frontend;

import java.util.List;
import nnc.runtime.init.Initializer;
import org.antlr.v4.runtime.ParserRuleContext;

/** The initializer names a param declaration may use, mapped to the runtime's initializers. */
final class Initializers {
  static final List<String> NAMES = List.of("zeros", "ones", "constant", "normal", "uniform",
      "xavier_normal", "xavier_uniform", "kaiming_normal", "kaiming_uniform");

  private Initializers() {}

  static boolean has(String name) {
    return NAMES.contains(name);
  }

  static Initializer make(String name, List<Builtins.Arg> args, Expressions ex, ParserRuleContext at) {
    Args a = switch (name) {
      case "zeros", "ones" -> Args.bind(name, List.of(), args, ex, at);
      case "constant" -> Args.bind(name, List.of("value"), args, ex, at);
      case "normal" -> Args.bind(name, List.of("mean=0", "std=1"), args, ex, at);
      case "uniform" -> Args.bind(name, List.of("low=-1", "high=1"), args, ex, at);
      case "xavier_normal", "xavier_uniform" -> Args.bind(name, List.of("gain=1"), args, ex, at);
      default -> Args.bind(name, List.of("gain=" + Math.sqrt(2)), args, ex, at);
    };
    return switch (name) {
      case "zeros" -> new Initializer.Zeros();
      case "ones" -> new Initializer.Ones();
      case "constant" -> new Initializer.Constant(a.number("value"));
      case "normal" -> {
        double std = a.number("std");
        if (std < 0) throw ex.elaborator().error(at, "normal: std must not be negative, got " + std);
        yield new Initializer.Normal(a.number("mean"), std);
      }
      case "uniform" -> {
        double lo = a.number("low"), hi = a.number("high");
        if (hi < lo) throw ex.elaborator().error(at, "uniform: high " + hi + " is below low " + lo);
        yield new Initializer.Uniform(lo, hi);
      }
      case "xavier_normal" -> new Initializer.XavierNormal(a.number("gain"));
      case "xavier_uniform" -> new Initializer.XavierUniform(a.number("gain"));
      case "kaiming_normal" -> new Initializer.KaimingNormal(a.number("gain"));
      default -> new Initializer.KaimingUniform(a.number("gain"));
    };
  }
}
