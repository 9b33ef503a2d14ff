package nnc.compiler.frontend;

import java.util.ArrayList;
import java.util.List;
import nnc.compiler.ir.Span;
import nnc.grammar.NnLexer;
import nnc.grammar.NnParser;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;

/** Runs the ANTLR lexer and parser, turning their complaints into located diagnostics. */
final class SyntaxParser {
  private SyntaxParser() {}

  record Result(NnParser.ProgramContext tree, List<Diagnostic> errors) {}

  static Result parse(SourceText src) {
    List<Diagnostic> errors = new ArrayList<>();
    BaseErrorListener listener = new BaseErrorListener() {
      @Override
      public void syntaxError(Recognizer<?, ?> r, Object offending, int line, int col, String msg,
          RecognitionException e) {
        int length = offending instanceof Token t && t.getType() != Token.EOF ? t.getText().length() : 1;
        // One error per line: ANTLR's recovery often reports the same mistake again.
        if (errors.stream().anyMatch(d -> d.span().line() == line && d.span().file().equals(src.name()))) return;
        errors.add(new Diagnostic(new Span(src.name(), line, col + 1, length), tidy(msg)));
      }
    };
    NnLexer lexer = new NnLexer(CharStreams.fromString(src.text(), src.name()));
    lexer.removeErrorListeners();
    lexer.addErrorListener(listener);
    NnParser parser = new NnParser(new CommonTokenStream(lexer));
    parser.removeErrorListeners();
    parser.addErrorListener(listener);
    NnParser.ProgramContext tree = parser.program();
    return new Result(tree, errors);
  }

  /** ANTLR's wording, made to read like a compiler's. */
  private static String tidy(String msg) {
    String m = msg.replace("<EOF>", "end of file");
    if (m.startsWith("token recognition error at: ")) {
      return "unexpected character " + m.substring("token recognition error at: ".length());
    }
    if (m.startsWith("extraneous input ")) m = "unexpected " + m.substring("extraneous input ".length());
    if (m.startsWith("mismatched input ")) m = "unexpected " + m.substring("mismatched input ".length());
    if (m.startsWith("no viable alternative at input ")) {
      m = "cannot parse " + m.substring("no viable alternative at input ".length());
    }
    return "syntax error: " + m.replace("\n", "\\n");
  }
}
