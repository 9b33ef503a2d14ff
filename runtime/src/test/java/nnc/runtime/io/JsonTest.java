package nnc.runtime.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void parsesObjectsInOrder() {
    Object v = Json.parse(" {\"b\": [1, -2, 3.5e0], \"a\": {\"x\": true, \"y\": null}, \"c\": false} ");
    Map<?, ?> m = (Map<?, ?>) v;
    assertEquals(List.of("b", "a", "c"), new ArrayList<>(m.keySet()));
    assertEquals(Arrays.asList(1L, -2L, 3.5), m.get("b"));
    Map<?, ?> a = (Map<?, ?>) m.get("a");
    assertEquals(Boolean.TRUE, a.get("x"));
    assertNull(a.get("y"));
    assertEquals(true, a.containsKey("y"));
    assertEquals(Boolean.FALSE, m.get("c"));
  }

  @Test
  void parsesNumbersAsLongOrDouble() {
    assertEquals(0L, Json.parse("-0"));
    assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
    assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
    assertEquals(0.25, Json.parse("0.25"));
    assertEquals(1e-5, Json.parse("1E-5"));
    assertEquals(120.0, Json.parse("1.2e+2"));
  }

  @Test
  void decodesEscapes() {
    assertEquals("q\"b\\s/\b\f\n\r\té€", Json.parse("\"q\\\"b\\\\s\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC\""));
    assertEquals("héllo", Json.parse("\"héllo\""));
  }

  @Test
  void parsedContainersAreUnmodifiable() {
    Map<?, ?> m = (Map<?, ?>) Json.parse("{\"a\":[]}");
    assertThrows(UnsupportedOperationException.class, () -> m.clear());
    assertThrows(UnsupportedOperationException.class, () -> ((List<?>) m.get("a")).clear());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
    "``|at offset 0: unexpected end of input, expected a value",
    "`{\"a\":1,}`|at offset 7: expected a string key",
    "`[1,]`|at offset 3: unexpected character ']'",
    "`[1 2]`|at offset 3: expected ',' or ']' in an array",
    "`{\"a\" 1}`|at offset 5: expected ':' after an object key",
    "`{\"a\":1,\"a\":2}`|at offset 7: duplicate key 'a'",
    "`01`|at offset 1: leading zero in a number",
    "`-`|at offset 1: expected a digit",
    "`1.`|at offset 2: expected a digit after '.'",
    "`1e`|at offset 2: expected a digit in the exponent",
    "`9223372036854775808`|at offset 0: integer 9223372036854775808 does not fit in 64 bits",
    "`tru`|at offset 0: expected 'true'",
    "`\"abc`|at offset 4: unterminated string",
    "`\"\\x\"`|at offset 2: invalid escape \\'x'",
    "`\"\\u12g4\"`|at offset 5: invalid hex digit 'g' in a \\u escape",
    "`{} {}`|at offset 3: unexpected '{' after the JSON value",
    "`// c`|at offset 0: unexpected character '/'",
  })
  void rejectsInvalidJsonWithTheOffset(String text, String message) {
    var e = assertThrows(IllegalArgumentException.class, () -> Json.parse(text));
    assertEquals(message, e.getMessage());
  }

  @Test
  void rejectsRawControlCharactersInStrings() {
    var e = assertThrows(IllegalArgumentException.class, () -> Json.parse("\"a\nb\""));
    assertEquals("at offset 2: unescaped control character U+000A in a string", e.getMessage());
  }

  @Test
  void limitsNesting() {
    String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
    assertEquals(List.class.isInstance(Json.parse(ok)), true);
    String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
    var e = assertThrows(IllegalArgumentException.class, () -> Json.parse(deep));
    assertEquals("at offset 64: nesting deeper than 64 levels", e.getMessage());
  }

  @Test
  void writesCompactlyInMapOrder() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("z", List.of(1L, 2, 0.5));
    m.put("a", Arrays.asList(true, null, "x"));
    m.put("e", Map.of());
    assertEquals("{\"z\":[1,2,0.5],\"a\":[true,null,\"x\"],\"e\":{}}", Json.write(m));
  }

  @Test
  void escapesStringsOnWrite() {
    assertEquals("\"q\\\"\\\\\\n\\r\\t\\b\\f\\u0001é/\"", Json.write("q\"\\\n\r\t\b\f\u0001é/"));
  }

  @Test
  void roundTrips() {
    String text = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},\"s\":\"a\\u0000b\"}";
    assertEquals(text, Json.write(Json.parse(text)));
  }

  @Test
  void refusesValuesJsonCannotHold() {
    var nan = assertThrows(IllegalArgumentException.class, () -> Json.write(List.of(Double.NaN)));
    assertEquals("JSON has no form for NaN", nan.getMessage());
    var key = assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of(1, 2)));
    assertEquals("JSON object keys must be strings, got 1", key.getMessage());
    var type = assertThrows(IllegalArgumentException.class, () -> Json.write(new Object[0]));
    assertEquals("no JSON form for [Ljava.lang.Object;", type.getMessage());
  }
}
