package dev.mailboxthreads.mbt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for {@code produce --json} and for printing what {@code consume} receives, with
 * Jackson's streaming parser and generator (jackson-core; no data binding).
 *
 * <p>A JSON text becomes: object → {@link LinkedHashMap} (keys in order; a repeated key is an
 * error), array → {@link ArrayList}, integer → {@link Long}, other number → {@link Double},
 * {@code true}/{@code false} → {@link Boolean}, string → {@link String}. {@code null} is
 * refused: a message and its parts are never null. So is an integer beyond a {@code long}, a
 * number beyond a {@code double}, and nesting deeper than {@value #MAX_DEPTH}.
 */
final class Json {
  /** Well under JavaCodec's default maxDepth (1000), which counts objects, not brackets. */
  static final int MAX_DEPTH = 500;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
      .build();

  private Json() {}

  /**
   * Decodes one JSON value.
   *
   * @throws Failure a usage error that quotes the text and says what is wrong, and where
   */
  static Object parse(String text) {
    try (JsonParser parser = FACTORY.createParser(text)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw bad(text, "it is empty; for an empty string write \"\"");
      }
      Object value = value(parser, first, text);
      if (parser.nextToken() != null) {
        throw bad(text, "more than one value; wrap them in an array [...] or send each as its"
            + " own MESSAGE");
      }
      return value;
    } catch (JsonProcessingException e) {
      String at = e.getLocation() == null ? "" : " at column " + e.getLocation().getColumnNr();
      throw bad(text, e.getOriginalMessage().replace('\n', ' ') + at);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a String does no I/O
    }
  }

  private static Object value(JsonParser parser, JsonToken token, String text)
      throws IOException {
    return switch (token) {
      case START_OBJECT -> {
        Map<String, Object> map = new LinkedHashMap<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
          String key = parser.currentName();
          map.put(key, value(parser, parser.nextToken(), text));
        }
        yield map;
      }
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
          list.add(value(parser, t, text));
        }
        yield list;
      }
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT -> {
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
          throw bad(text, "integer " + parser.getText() + " at " + where(parser)
              + " does not fit in a long; quote it to send it as a string");
        }
        yield parser.getLongValue();
      }
      case VALUE_NUMBER_FLOAT -> {
        double d = parser.getDoubleValue();
        if (Double.isInfinite(d)) {
          throw bad(text, "number " + parser.getText() + " at " + where(parser)
              + " does not fit in a double; quote it to send it as a string");
        }
        yield d;
      }
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> throw bad(text, "null at " + where(parser) + ": messages and their"
          + " parts cannot be null; leave the member out, or send \"null\" as a string");
      default -> throw bad(text, "unexpected " + token + " at " + where(parser));
    };
  }

  /** A JSON pointer to the current value ("/a/0"), or "the top" for the whole text. */
  private static String where(JsonParser parser) {
    String pointer = parser.getParsingContext().pathAsPointer().toString();
    return pointer.isEmpty() ? "the top" : pointer;
  }

  private static Failure bad(String text, String why) {
    String shown = text.length() > 60 ? text.substring(0, 57) + "..." : text;
    return Failure.usage("--json: '" + shown + "' is not a JSON value we can send: " + why);
  }

  /**
   * How {@code consume} prints a message: a string as it is; a map, collection, number or
   * boolean as JSON (members that JSON cannot hold, as JSON strings of their {@code
   * toString()}); anything else with {@code toString()}.
   */
  static String display(Object message) {
    if (message instanceof String s) {
      return s;
    }
    if (!(message instanceof Map || message instanceof Collection
        || message instanceof Number || message instanceof Boolean)) {
      return String.valueOf(message);
    }
    StringWriter out = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      write(g, message, 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to a StringWriter does no I/O
    }
    return out.toString();
  }

  private static void write(JsonGenerator g, Object value, int depth) throws IOException {
    if (depth > MAX_DEPTH) { // a Java sender's graph may hold a cycle
      g.writeString("...");
      return;
    }
    switch (value) {
      case null -> g.writeNull();
      case String s -> g.writeString(s);
      case Boolean b -> g.writeBoolean(b);
      case Long l -> g.writeNumber(l);
      case Integer i -> g.writeNumber(i);
      case Short s -> g.writeNumber(s);
      case Byte b -> g.writeNumber(b);
      case BigInteger b -> g.writeNumber(b);
      case BigDecimal b -> g.writeNumber(b);
      case Double d when Double.isFinite(d) -> g.writeNumber(d);
      case Float f when Float.isFinite(f) -> g.writeNumber(f);
      case Map<?, ?> map -> {
        g.writeStartObject();
        for (Map.Entry<?, ?> e : map.entrySet()) {
          g.writeFieldName(String.valueOf(e.getKey()));
          write(g, e.getValue(), depth + 1);
        }
        g.writeEndObject();
      }
      case Collection<?> c -> {
        g.writeStartArray();
        for (Object o : c) {
          write(g, o, depth + 1);
        }
        g.writeEndArray();
      }
      default -> g.writeString(String.valueOf(value));
    }
  }
}
