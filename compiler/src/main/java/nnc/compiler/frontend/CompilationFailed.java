package nnc.compiler.frontend;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Thrown when a model has errors; carries all of them, rendered against their sources. */
public final class CompilationFailed extends Exception {
  private final List<Diagnostic> diagnostics;
  private final transient Map<String, SourceText> sources;

  public CompilationFailed(List<Diagnostic> diagnostics, Map<String, SourceText> sources) {
    super(diagnostics.size() + " error(s)", null, false, false);
    this.diagnostics = List.copyOf(diagnostics);
    this.sources = Map.copyOf(sources);
  }

  @Override
  public String getMessage() {
    return render();
  }

  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }

  /** Every diagnostic with its source line and caret, then a count. */
  public String render() {
    String body = diagnostics.stream().map(d -> d.render(sources.get(d.span().file())))
        .collect(Collectors.joining("\n"));
    int n = diagnostics.size();
    return body + "\n" + n + (n == 1 ? " error" : " errors");
  }
}
