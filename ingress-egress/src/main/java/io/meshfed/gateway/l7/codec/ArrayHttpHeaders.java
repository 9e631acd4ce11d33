package io.meshfed.gateway.l7.codec;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collections;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Function;

/**
 * HTTP/1.1 headers in arrival order in parallel arrays, looked up by a case-insensitive scan. A proxied request or
 * response carries a dozen headers, each read or rewritten once or twice; for that, a scan beats Netty's hashed
 * {@code DefaultHttpHeaders}, which hashes every name on the way in and allocates an entry per header and a bucket
 * table per message. Names and values are validated as they are added (RFC 9110 §5.1 token, §5.5 field value), like
 * Netty's validating headers, so a request the decoder reads into this is held to the same rules. Event-loop
 * confined, like every message it belongs to.
 */
public final class ArrayHttpHeaders extends HttpHeaders {

  /** Creates these headers for Netty's HTTP/1.1 decoders' messages. */
  public static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {
    @Override
    public HttpHeaders newHeaders() {
      return new ArrayHttpHeaders(8);
    }

    @Override
    public HttpHeaders newEmptyHeaders() {
      return new ArrayHttpHeaders(2);
    }
  };

  /**
   * Creates these headers for Netty's HTTP/1.1 decoders' trailers: the decoder makes trailers for the end of every
   * message, and almost none has any, so they start without arrays (the first header added allocates them).
   */
  public static final HttpHeadersFactory TRAILERS = new HttpHeadersFactory() {
    @Override
    public HttpHeaders newHeaders() {
      return new ArrayHttpHeaders(0);
    }

    @Override
    public HttpHeaders newEmptyHeaders() {
      return new ArrayHttpHeaders(0);
    }
  };

  private static final CharSequence[] NONE = new CharSequence[0];
  private static final int[] NO_FINGERPRINTS = new int[0];

  private CharSequence[] names;
  private CharSequence[] values;
  // Each name's fingerprint(): a scan compares these and reads the text of only the names whose fingerprint matches.
  private int[] fingerprints;
  private int size;

  ArrayHttpHeaders(int capacity) {
    names = capacity == 0 ? NONE : new CharSequence[capacity];
    values = capacity == 0 ? NONE : new CharSequence[capacity];
    fingerprints = capacity == 0 ? NO_FINGERPRINTS : new int[capacity];
  }

  // --- lookup ------------------------------------------------------------------------------------------------------

  /**
   * A name's length combined with its first and last characters, ASCII case folded as names are compared (Netty's
   * {@code AsciiString.contentEqualsIgnoreCase}): names equal but for case have equal fingerprints.
   */
  private static int fingerprint(CharSequence name) {
    int length = name.length();
    return length == 0 ? 0 : (length << 16) | ((folded(name.charAt(0)) << 8) ^ folded(name.charAt(length - 1)));
  }

  private static int folded(char c) {
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
  }

  private boolean nameAtIs(int index, CharSequence name, int fingerprint) {
    return fingerprints[index] == fingerprint && AsciiString.contentEqualsIgnoreCase(names[index], name);
  }

  private int indexOf(CharSequence name, int from) {
    int fingerprint = fingerprint(name);
    for (int i = from; i < size; i++) {
      if (nameAtIs(i, name, fingerprint)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String get(String name) {
    return get((CharSequence) name);
  }

  @Override
  public String get(CharSequence name) {
    int at = indexOf(name, 0);
    return at < 0 ? null : values[at].toString();
  }

  @Override
  public String get(CharSequence name, String defaultValue) {
    String value = get(name);
    return value == null ? defaultValue : value;
  }

  /** The first value parsed by {@code parser}; null when absent or unparsable. */
  private <T> T parsed(CharSequence name, Function<String, T> parser) {
    String value = get(name);
    if (value == null) {
      return null;
    }
    try {
      return parser.apply(value.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public Integer getInt(CharSequence name) {
    return parsed(name, Integer::valueOf);
  }

  @Override
  public int getInt(CharSequence name, int defaultValue) {
    Integer value = getInt(name);
    return value == null ? defaultValue : value;
  }

  @Override
  public Short getShort(CharSequence name) {
    return parsed(name, Short::valueOf);
  }

  @Override
  public short getShort(CharSequence name, short defaultValue) {
    Short value = getShort(name);
    return value == null ? defaultValue : value;
  }

  @Override
  public Long getTimeMillis(CharSequence name) {
    return parsed(name, text -> {
      Date date = DateFormatter.parseHttpDate(text);
      return date == null ? null : date.getTime();
    });
  }

  @Override
  public long getTimeMillis(CharSequence name, long defaultValue) {
    Long value = getTimeMillis(name);
    return value == null ? defaultValue : value;
  }

  @Override
  public List<String> getAll(String name) {
    return getAll((CharSequence) name);
  }

  @Override
  public List<String> getAll(CharSequence name) {
    int at = indexOf(name, 0);
    if (at < 0) {
      return Collections.emptyList();
    }
    int next = indexOf(name, at + 1);
    if (next < 0) {
      return Collections.singletonList(values[at].toString());
    }
    List<String> all = new ArrayList<>(4);
    for (int i = at; i >= 0; i = indexOf(name, i + 1)) {
      all.add(values[i].toString());
    }
    return all;
  }

  @Override
  public Iterator<String> valueStringIterator(CharSequence name) {
    Iterator<CharSequence> values = valueCharSequenceIterator(name);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return values.hasNext();
      }

      @Override
      public String next() {
        return values.next().toString();
      }
    };
  }

  @Override
  public Iterator<CharSequence> valueCharSequenceIterator(CharSequence name) {
    return new Iterator<>() {
      private int next = indexOf(name, 0);

      @Override
      public boolean hasNext() {
        return next >= 0;
      }

      @Override
      public CharSequence next() {
        if (next < 0) {
          throw new NoSuchElementException();
        }
        CharSequence value = values[next];
        next = indexOf(name, next + 1);
        return value;
      }
    };
  }

  @Override
  public boolean contains(String name) {
    return indexOf(name, 0) >= 0;
  }

  @Override
  public boolean contains(CharSequence name) {
    return indexOf(name, 0) >= 0;
  }

  @Override
  public boolean contains(String name, String value, boolean ignoreCase) {
    return contains((CharSequence) name, value, ignoreCase);
  }

  @Override
  public boolean contains(CharSequence name, CharSequence value, boolean ignoreCase) {
    for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
      if (ignoreCase ? AsciiString.contentEqualsIgnoreCase(values[i], value)
          : AsciiString.contentEquals(values[i], value)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether any value of {@code name}, read as a comma-separated list, has an element equal to {@code value} once
   * trimmed: Netty's meaning (which {@code HttpUtil.isKeepAlive} and {@code isTransferEncodingChunked} ask per
   * message), found in place instead of through an iterator and a trimmed sub-sequence per element.
   */
  @Override
  public boolean containsValue(CharSequence name, CharSequence value, boolean ignoreCase) {
    for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
      if (listHas(values[i], value, ignoreCase)) {
        return true;
      }
    }
    return false;
  }

  private static boolean listHas(CharSequence list, CharSequence element, boolean ignoreCase) {
    int length = list.length();
    int begin = 0;
    while (true) {
      int end = AsciiString.indexOf(list, ',', begin);
      if (end < 0) {
        // Like Netty, an empty element after the last comma is no element.
        return (begin < length || begin == 0) && trimmedEquals(list, begin, length, element, ignoreCase);
      }
      if (trimmedEquals(list, begin, end, element, ignoreCase)) {
        return true;
      }
      begin = end + 1;
    }
  }

  /**
   * Whether {@code list[from, to)}, without leading and trailing whitespace (chars up to space), is {@code element},
   * case folded as Netty folds (ASCII only). Netty's trim of an {@code AsciiString} value also strips obs-text bytes
   * (it compares signed bytes); that quirk is not copied.
   */
  private static boolean trimmedEquals(CharSequence list, int from, int to, CharSequence element,
                                       boolean ignoreCase) {
    while (from < to && list.charAt(from) <= ' ') {
      from++;
    }
    while (to > from && list.charAt(to - 1) <= ' ') {
      to--;
    }
    return to - from == element.length()
        && AsciiString.regionMatchesAscii(list, ignoreCase, from, element, 0, to - from);
  }

  @Override
  public boolean isEmpty() {
    return size == 0;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Set<String> names() {
    Set<String> distinct = new LinkedHashSet<>();
    for (int i = 0; i < size; i++) {
      if (indexOf(names[i], 0) == i) {
        distinct.add(names[i].toString());
      }
    }
    return distinct;
  }

  @Override
  public List<Map.Entry<String, String>> entries() {
    List<Map.Entry<String, String>> entries = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      entries.add(new AbstractMap.SimpleImmutableEntry<>(names[i].toString(), values[i].toString()));
    }
    return entries;
  }

  @Override
  public Iterator<Map.Entry<String, String>> iterator() {
    return entries().iterator();
  }

  @Override
  public Iterator<Map.Entry<CharSequence, CharSequence>> iteratorCharSequence() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < size;
      }

      @Override
      public Map.Entry<CharSequence, CharSequence> next() {
        if (next >= size) {
          throw new NoSuchElementException();
        }
        int at = next++;
        return new AbstractMap.SimpleImmutableEntry<>(names[at], values[at]);
      }
    };
  }

  // --- mutation ----------------------------------------------------------------------------------------------------

  private static CharSequence validName(CharSequence name) {
    if (name == null || name.length() == 0) {
      throw new IllegalArgumentException("empty header name: " + name + " (expected: an RFC 9110 token)");
    }
    int bad = HttpHeaderValidationUtil.validateToken(name);
    if (bad != -1) {
      throw new IllegalArgumentException("header name " + name + ": character 0x"
          + Integer.toHexString(name.charAt(bad)) + " at index " + bad + " (expected: an RFC 9110 token)");
    }
    return name;
  }

  /**
   * The value as octets, validated. Text with characters above U+00FF (a configured header value) becomes its UTF-8
   * bytes, as Envoy sends it: every value held here is one char per wire byte, which is what the encoder copies.
   */
  private static CharSequence validValue(Object value) {
    if (value == null) {
      throw new NullPointerException("header value");
    }
    CharSequence text;
    if (value instanceof CharSequence chars) {
      text = chars;
    } else if (value instanceof Date date) {
      text = DateFormatter.format(date);
    } else if (value instanceof Calendar calendar) {
      text = DateFormatter.format(calendar.getTime());
    } else {
      text = value.toString();
    }
    if (!(text instanceof AsciiString) && beyondLatin1(text)) {
      text = new AsciiString(text.toString().getBytes(StandardCharsets.UTF_8), false);
    }
    int bad = HttpHeaderValidationUtil.validateValidHeaderValue(text);
    if (bad != -1) {
      throw new IllegalArgumentException("header value: character 0x" + Integer.toHexString(text.charAt(bad))
          + " at index " + bad + " (expected: no control characters but horizontal tab)");
    }
    return text;
  }

  private static boolean beyondLatin1(CharSequence text) {
    for (int i = 0, length = text.length(); i < length; i++) {
      if (text.charAt(i) > 0xFF) {
        return true;
      }
    }
    return false;
  }

  private void append(CharSequence name, CharSequence value) {
    if (size == names.length) {
      int capacity = Math.max(4, size * 2);
      names = Arrays.copyOf(names, capacity);
      values = Arrays.copyOf(values, capacity);
      fingerprints = Arrays.copyOf(fingerprints, capacity);
    }
    names[size] = name;
    values[size] = value;
    fingerprints[size] = fingerprint(name);
    size++;
  }

  @Override
  public HttpHeaders add(String name, Object value) {
    return add((CharSequence) name, value);
  }

  @Override
  public HttpHeaders add(CharSequence name, Object value) {
    append(validName(name), validValue(value));
    return this;
  }

  @Override
  public HttpHeaders add(String name, Iterable<?> values) {
    return add((CharSequence) name, values);
  }

  @Override
  public HttpHeaders add(CharSequence name, Iterable<?> values) {
    validName(name);
    for (Object value : values) {
      append(name, validValue(value));
    }
    return this;
  }

  @Override
  public HttpHeaders addInt(CharSequence name, int value) {
    return add(name, Integer.toString(value));
  }

  @Override
  public HttpHeaders addShort(CharSequence name, short value) {
    return add(name, Short.toString(value));
  }

  @Override
  public HttpHeaders set(String name, Object value) {
    return set((CharSequence) name, value);
  }

  /** Replaces the first occurrence in place (keeping its position) and drops the others. */
  @Override
  public HttpHeaders set(CharSequence name, Object value) {
    CharSequence text = validValue(value);
    int at = indexOf(name, 0);
    if (at < 0) {
      append(validName(name), text);
      return this;
    }
    values[at] = text;
    removeFrom(name, at + 1);
    return this;
  }

  @Override
  public HttpHeaders set(String name, Iterable<?> values) {
    return set((CharSequence) name, values);
  }

  @Override
  public HttpHeaders set(CharSequence name, Iterable<?> values) {
    validName(name);
    removeFrom(name, 0);
    for (Object value : values) {
      append(name, validValue(value));
    }
    return this;
  }

  @Override
  public HttpHeaders set(HttpHeaders headers) {
    if (headers == this) {
      return this;
    }
    return super.set(headers);
  }

  @Override
  public HttpHeaders setInt(CharSequence name, int value) {
    return set(name, Integer.toString(value));
  }

  @Override
  public HttpHeaders setShort(CharSequence name, short value) {
    return set(name, Short.toString(value));
  }

  @Override
  public HttpHeaders remove(String name) {
    return remove((CharSequence) name);
  }

  @Override
  public HttpHeaders remove(CharSequence name) {
    removeFrom(name, 0);
    return this;
  }

  /** Removes {@code name} at {@code from} and after; writes nothing when it is absent (most removals). */
  private void removeFrom(CharSequence name, int from) {
    int kept = indexOf(name, from);
    if (kept < 0) {
      return;
    }
    int fingerprint = fingerprints[kept];
    for (int i = kept + 1; i < size; i++) {
      if (!nameAtIs(i, name, fingerprint)) {
        names[kept] = names[i];
        values[kept] = values[i];
        fingerprints[kept] = fingerprints[i];
        kept++;
      }
    }
    Arrays.fill(names, kept, size, null);
    Arrays.fill(values, kept, size, null);
    size = kept;
  }

  @Override
  public HttpHeaders clear() {
    Arrays.fill(names, 0, size, null);
    Arrays.fill(values, 0, size, null);
    size = 0;
    return this;
  }

  @Override
  public HttpHeaders copy() {
    ArrayHttpHeaders copy = new ArrayHttpHeaders(Math.max(2, size));
    System.arraycopy(names, 0, copy.names, 0, size);
    System.arraycopy(values, 0, copy.values, 0, size);
    System.arraycopy(fingerprints, 0, copy.fingerprints, 0, size);
    copy.size = size;
    return copy;
  }

  // --- encoding ----------------------------------------------------------------------------------------------------

  /** The header at {@code index} in arrival order (for encoders walking the headers without an iterator). */
  CharSequence nameAt(int index) {
    return names[index];
  }

  CharSequence valueAt(int index) {
    return values[index];
  }
}
