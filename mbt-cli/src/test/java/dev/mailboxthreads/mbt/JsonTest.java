package dev.mailboxthreads.mbt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON of produce --json and of what consume prints. */
class JsonTest {

  @Test
  void parse_object_givesLinkedHashMapInOrderWithLongDoubleBooleanStringList() {
    Object v = Json.parse("{\"z\":1,\"a\":2.5,\"t\":true,\"s\":\"x\",\"l\":[1,[]],\"o\":{}}");
    assertThat(v).isInstanceOf(LinkedHashMap.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) v;
    assertThat(m.keySet()).containsExactly("z", "a", "t", "s", "l", "o");
    assertThat(m.get("z")).isEqualTo(1L);
    assertThat(m.get("a")).isEqualTo(2.5d);
    assertThat(m.get("t")).isEqualTo(Boolean.TRUE);
    assertThat(m.get("s")).isEqualTo("x");
    assertThat(m.get("l")).isInstanceOf(ArrayList.class).isEqualTo(List.of(1L, List.of()));
    assertThat(m.get("o")).isEqualTo(Map.of());
  }

  @Test
  void parse_scalars_givesTheirJavaValues() {
    assertThat(Json.parse("42")).isEqualTo(42L);
    assertThat(Json.parse("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
    assertThat(Json.parse("1e3")).isEqualTo(1000.0d);
    assertThat(Json.parse("false")).isEqualTo(Boolean.FALSE);
    assertThat(Json.parse(" \"caf\\u00e9\" ")).isEqualTo("café");
  }

  @Test
  void parse_nullAnywhere_isRefusedWithItsPointer() {
    assertThatThrownBy(() -> Json.parse("null")).isInstanceOf(Failure.class)
        .hasMessageContaining("null at the top");
    assertThatThrownBy(() -> Json.parse("{\"a\":{\"b\":[0,null]}}"))
        .hasMessageContaining("null at /a/b/1");
  }

  @Test
  void parse_badInput_isAUsageErrorThatSaysWhy() {
    assertThatThrownBy(() -> Json.parse("")).hasMessageContaining("it is empty");
    assertThatThrownBy(() -> Json.parse("1 2")).hasMessageContaining("more than one value");
    assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}"))
        .hasMessageContaining("Duplicate field 'a'");
    assertThatThrownBy(() -> Json.parse("99999999999999999999"))
        .hasMessageContaining("does not fit in a long");
    assertThatThrownBy(() -> Json.parse("1e999")).hasMessageContaining("does not fit in a double");
    assertThatThrownBy(() -> Json.parse("carrot")).isInstanceOf(Failure.class)
        .satisfies(e -> assertThat(((Failure) e).exitCode()).isEqualTo(Exit.USAGE));
    assertThatThrownBy(() -> Json.parse("[".repeat(Json.MAX_DEPTH + 1)))
        .hasMessageContaining("--json");
  }

  @Test
  void display_stringAsItIs_valuesAsJson_othersWithToString() {
    assertThat(Json.display("carrot")).isEqualTo("carrot");
    assertThat(Json.display("a \"quoted\" word")).isEqualTo("a \"quoted\" word");
    assertThat(Json.display(Json.parse("{\"k\":[1,2.5,\"v\",true]}")))
        .isEqualTo("{\"k\":[1,2.5,\"v\",true]}");
    assertThat(Json.display(7)).isEqualTo("7");
    assertThat(Json.display(java.time.Duration.ofSeconds(1))).isEqualTo("PT1S");
    Map<Object, Object> odd = new LinkedHashMap<>();
    odd.put(1, java.util.Optional.of("x"));
    assertThat(Json.display(odd)).isEqualTo("{\"1\":\"Optional[x]\"}");
  }

  @Test
  void display_cyclicList_stopsAtMaxDepth() {
    List<Object> cycle = new ArrayList<>();
    cycle.add(cycle);
    assertThat(Json.display(cycle)).startsWith("[[[").contains("\"...\"");
  }

  @Test
  void roundTrip_parseThenDisplay_givesTheSameJson() {
    String text = "{\"kind\":\"egg\",\"sizes\":[1.5,2],\"fresh\":true,\"n\":{\"m\":-3}}";
    assertThat(Json.display(Json.parse(text))).isEqualTo(text);
  }
}
