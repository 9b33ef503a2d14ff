package nnc.compiler.frontend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import nnc.compiler.ir.Span;
import nnc.grammar.NnLexer;
import nnc.grammar.NnParser;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.ListTokenSource;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.Vocabulary;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Runs the ANTLR lexer and parser, turning their complaints into located diagnostics. Stray
 * characters are reported here (and kept from the parser); after a syntax error the parser skips
 * to the next line that starts a statement, so one mistake gives one message.
 */
final class SyntaxParser {
  private SyntaxParser() {}

  record Result(NnParser.ProgramContext tree, List<Diagnostic> errors) {}

  /** Keywords that begin a statement or item: after an error, parsing resumes at one of them. */
  private static final Set<String> STATEMENT_STARTS = Set.of("'input'", "'param'", "'const'", "'output'", "'let'",
      "'train'", "'for'", "'return'", "'fn'", "'import'", "'model'", "'}'");

  static Result parse(SourceText src) {
    List<Diagnostic> errors = new ArrayList<>();
    NnLexer lexer = new NnLexer(CharStreams.fromString(src.text(), src.name()));
    lexer.removeErrorListeners();
    List<Token> tokens = new ArrayList<>();
    List<? extends Token> all = lexer.getAllTokens();
    for (int i = 0; i < all.size(); i++) {
      Token t = all.get(i);
      if (t.getText().equals("/") && i + 1 < all.size() && all.get(i + 1).getText().equals("*")
          && all.get(i + 1).getStartIndex() == t.getStopIndex() + 1) {
        // A '/*' the lexer could not close: the rest of the file is inside the comment.
        add(errors, new Diagnostic(new Span(src.name(), t.getLine(), t.getCharPositionInLine() + 1, 2),
            "syntax error: unterminated comment (the closing */ is missing)"));
        break;
      }
      if (t.getType() != NnLexer.ERR_CHAR) {
        tokens.add(t);
        continue;
      }
      String line = src.line(t.getLine());
      int col = t.getCharPositionInLine();
      Token prev = tokens.isEmpty() ? null : tokens.get(tokens.size() - 1);
      if (t.getText().equals("\"")) {
        int length = line == null ? 1 : line.length() - col;
        add(errors, new Diagnostic(new Span(src.name(), t.getLine(), col + 1, length),
            "syntax error: unterminated string (the closing \" is missing)"));
        while (i + 1 < all.size() && all.get(i + 1).getLine() == t.getLine()) i++; // the rest of the line is the string
      } else if (t.getText().equals(".") && prev != null && prev.getType() == NnLexer.NUMBER
          && prev.getStopIndex() + 1 == t.getStartIndex()) {
        add(errors, new Diagnostic(new Span(src.name(), prev.getLine(), prev.getCharPositionInLine() + 1,
            prev.getText().length() + 1), "syntax error: malformed number '" + prev.getText()
            + ".': write " + prev.getText() + ".0 (a digit must follow the decimal point)"));
      } else {
        add(errors, new Diagnostic(new Span(src.name(), t.getLine(), col + 1, 1),
            "syntax error: unexpected character '" + t.getText() + "'"));
      }
    }
    NnParser parser = new NnParser(new CommonTokenStream(new ListTokenSource(tokens, src.name())));
    parser.removeErrorListeners();
    parser.setErrorHandler(new LineRecovery());
    parser.addErrorListener(new BaseErrorListener() {
      @Override
      public void syntaxError(Recognizer<?, ?> r, Object offending, int line, int col, String msg,
          RecognitionException e) {
        add(errors, parserError((Parser) r, (Token) offending, msg, e, src.name()));
      }
    });
    NnParser.ProgramContext tree = parser.program();
    errors.sort(Comparator.comparingInt((Diagnostic d) -> d.span().line()).thenComparingInt(d -> d.span().column()));
    return new Result(tree, errors);
  }

  /** One error per line: ANTLR's recovery often reports the same mistake again. */
  private static void add(List<Diagnostic> errors, Diagnostic d) {
    if (errors.stream().noneMatch(x -> x.span().line() == d.span().line())) errors.add(d);
  }

  private static Diagnostic parserError(Parser p, Token t, String msg, RecognitionException e, String file) {
    String expected;
    boolean statementMayEnd;
    try {
      IntervalSet set = e != null ? e.getExpectedTokens() : p.getExpectedTokens();
      expected = describe(set, p.getVocabulary());
      statementMayEnd = set.contains(p.getTokenType("'input'")) || set.contains(p.getTokenType("'}'"));
    } catch (RuntimeException ex) {
      expected = null;
      statementMayEnd = true;
    }
    Token prev = previous(p.getInputStream(), t);
    boolean missing = msg.startsWith("missing ");
    String what = missing ? msg.substring("missing ".length(), msg.indexOf(" at ")) : null;
    if (missing && !what.startsWith("'")) what = describe(IntervalSet.of(p.getTokenType(what)), p.getVocabulary());
    // An unfinished statement followed by a token on a later line (or the end of the file): the
    // line ended too early, so point just after its last token.
    if (prev != null && prev.getLine() < t.getLine() && (!statementMayEnd || t.getType() == Token.EOF)) {
      String end = t.getType() == Token.EOF ? "end of file" : "end of line";
      String text = missing ? "missing " + what + " at the " + end.replace("end of line", "end of the line")
          : "unexpected " + end + (expected == null ? "" : ", expecting " + expected);
      return new Diagnostic(new Span(file, prev.getLine(), prev.getCharPositionInLine() + prev.getText().length() + 1, 1),
          "syntax error: " + text);
    }
    String found = t.getType() == Token.EOF ? "end of file" : "'" + t.getText() + "'";
    String text = missing ? "missing " + what + " before " + found
        : "unexpected " + found + (expected == null ? "" : ", expecting " + expected);
    int length = t.getType() == Token.EOF ? 1 : t.getText().length();
    return new Diagnostic(new Span(file, t.getLine(), t.getCharPositionInLine() + 1, length), "syntax error: " + text);
  }

  private static Token previous(TokenStream ts, Token t) {
    int i = t.getTokenIndex();
    return i > 0 ? ts.get(i - 1) : null;
  }

  /** The expected tokens in words: a whole class ("an expression") or a short list. */
  private static String describe(IntervalSet set, Vocabulary v) {
    if (set == null || set.isNil()) return null;
    List<String> names = new ArrayList<>();
    for (int type : set.toList()) names.add(type == Token.EOF ? "end of file" : v.getDisplayName(type));
    if (names.contains("NUMBER")) return "an expression";
    if (names.contains("'input'")) return names.contains("'}'") ? "a statement or '}'" : "a statement";
    if (names.contains("ID")) return "a name";
    if (names.equals(List.of("DTYPE"))) return "a type (f32, f64, i32 or bool)";
    if (names.equals(List.of("STRING"))) return "a string";
    if (names.size() == 1) return names.get(0);
    if (names.size() == 2) return names.get(0) + " or " + names.get(1);
    return "one of " + String.join(" ", names);
  }

  /**
   * ANTLR's recovery, except that after an error it skips to the next line that begins a statement
   * (a keyword, or a name followed by '=' or ','), since statements have no terminator.
   */
  private static final class LineRecovery extends DefaultErrorStrategy {
    private int lastRecovery = -1;

    /** Never drop the first token of a statement on a new line as "extraneous": resynchronize there. */
    @Override
    protected Token singleTokenDeletion(Parser p) {
      return startsStatement(p, p.getInputStream()) ? null : super.singleTokenDeletion(p);
    }

    @Override
    public void recover(Parser p, RecognitionException e) {
      TokenStream in = p.getInputStream();
      if (in.index() == lastRecovery && in.LA(1) != Token.EOF) p.consume(); // no progress since last time
      while (in.LA(1) != Token.EOF && !startsStatement(p, in)) p.consume();
      lastRecovery = in.index();
    }

    private static boolean startsStatement(Parser p, TokenStream in) {
      Token t = in.LT(1);
      Token prev = in.LT(-1);
      if (prev != null && prev.getLine() == t.getLine()) return false;
      String name = p.getVocabulary().getDisplayName(t.getType());
      if (STATEMENT_STARTS.contains(name)) return true;
      int next = in.LA(2);
      String after = next == Token.EOF ? "" : p.getVocabulary().getDisplayName(next);
      return t.getType() == NnLexer.ID && (after.equals("'='") || after.equals("','"));
    }
  }
}
