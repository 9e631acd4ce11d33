package io.meshfed.control.client.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.control.client.flags.ResponseFlag;
import io.meshfed.control.client.flags.ResponseFlags;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AccessLogFilterTest {

  static AccessLogEntry.Builder request() {
    return AccessLogEntry.http().startTime(Instant.parse("2026-01-02T03:04:05.678Z")).method("GET")
        .path("/productpage").protocol("HTTP/1.1").responseCode(200).authority("bookinfo.example.com")
        .requestId("9f1c4d1e-5a7b-4c2d-8e3f-0a1b2c3d4e5f").durationMillis(12).bytesSent(5120)
        .upstreamCluster("outbound|9080||productpage.default.svc.cluster.local");
  }

  private static boolean matches(String filter, AccessLogEntry entry) {
    return AccessLogFilter.parse(filter).test(entry);
  }

  @Test
  void theDocumentedExampleKeepsErrorsButNotHealthChecks() {
    String filter = "response.code >= 400 && !(request.path startsWith \"/health\")";
    assertThat(matches(filter, request().responseCode(503).build())).isTrue();
    assertThat(matches(filter, request().responseCode(200).build())).isFalse();
    assertThat(matches(filter, request().responseCode(503).path("/healthz/ready").build())).isFalse();
    assertThat(AccessLogFilter.parse(filter)).hasToString(filter);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '#', quoteCharacter = '`', value = {
      "response.code == 503 # true",
      "response.code != 503 # false",
      "response.code > 500 && response.code < 504 # true",
      "response.code <= 499 || response.duration >= 12 # true",
      "response.code in [500, 502, 503] # true",
      "response.code in [200] # false",
      "request.method in ['GET', 'HEAD'] # true",
      "request.method == 'POST' # false",
      "request.path endsWith 'page' # true",
      "request.path contains 'uctp' # true",
      "request.path matches '^/product[a-z]+$' # true",
      "request.path.startsWith(\"/product\") # true",
      "request.path.matches('^/x') # false",
      "request.host == 'bookinfo.example.com' # true",
      "response.flags contains 'UF' # true",
      "response.flags contains 'UR' # false",
      "response.flags == 'URX,UF' # true",
      "response.flags != '-' # true",
      "response.failed # true",
      "!response.failed # false",
      "response.failed == true # true",
      "upstream.cluster startsWith 'outbound|9080|' # true",
      "upstream.host == '' # true",
      "upstream.service_time < 0 # true",
      "connection.kind == 'http' # true",
      "true # true",
      "!(false || !true) # true",
      "response.size > 4096 && (request.method == 'GET' || request.method == 'HEAD') # true",
  })
  void evaluatesOperatorsOnAFailedRequest(String filter, boolean expected) {
    AccessLogEntry entry = request().responseCode(503)
        .responseFlags(ResponseFlags.of(ResponseFlag.UF, ResponseFlag.URX)).build();
    assertThat(matches(filter, entry)).as(filter).isEqualTo(expected);
  }

  @Test
  void andBindsTighterThanOr() {
    AccessLogEntry ok = request().build();
    assertThat(matches("true || false && false", ok)).isTrue();
    assertThat(matches("(true || false) && false", ok)).isFalse();
  }

  @Test
  void blankFilterLetsEverythingThrough() {
    assertThat(AccessLogFilter.parse("  ")).isSameAs(AccessLogFilter.ALL);
    assertThat(AccessLogFilter.ALL.test(request().build())).isTrue();
  }

  @Test
  void tcpEntriesFilterByKindAndSni() {
    AccessLogEntry tcp = AccessLogEntry.tcp().requestedServerName("outbound_.9080_._.reviews.default.svc.cluster.local")
        .responseFlags(ResponseFlags.of(ResponseFlag.UF)).build();
    assertThat(matches("connection.kind == 'tcp' && connection.sni contains 'reviews'", tcp)).isTrue();
    assertThat(matches("request.path startsWith '/'", tcp)).isFalse();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '#', quoteCharacter = '`', value = {
      "response.code >= # 17 # expected a value, found the end of the filter",
      "response.cod >= 400 # 1 # unknown attribute response.cod (expected one of: request.method",
      "response.code >= \"400\" # 18 # cannot compare response.code (a number) with the string \"400\"",
      "request.path > 3 # 16 # cannot compare request.path (a string) with the number 3",
      "request.path < 'a' # 14 # < compares numbers, and request.path (a string) is not one",
      "response.code startsWith '5' # 15 # startsWith needs a string on its left, and response.code (a number)",
      "(response.code == 500 # 22 # expected ) to close the ( at column 1, found end of input",
      "response.code == 500) # 21 # unexpected \")\" (expected: &&, || or the end of the filter)",
      "response.code = 500 # 15 # unknown operator \"=\" (expected: &&, || or ==)",
      "response.code == 500 & true # 22 # unknown operator \"&\"",
      "request.path == 'abc # 17 # string not closed (expected a closing ')",
      "request.path matches '([' # 22 # bad regular expression \"([\"",
      "response.flags contains 'XX' # 25 # response flags: XX in \"XX\" is not a response flag",
      "response.flags contains 'UF,UC' # 25 # response.flags contains one flag at a time",
      "response.flags > 'UF' # 16 # > does not apply to response flags",
      "response.code # 14 # expected an operator after response.code (a number), found end of input (expected: ==",
      "response.code in ['a', 1] # 18 # a list mixes strings and numbers",
      "request.method in [500] # 19 # in needs a list of the left side's type",
      "request.path.endWith('/x') # 14 # unknown method endWith (expected: startsWith, endsWith, contains or matches)",
      "request.path == 'a' && ? 1 # 24 # unexpected character '?'",
      "&& true # 1 # expected a value, found \"&&\"",
      "request.path == 'x\\q' # 19 # unknown escape \\q",
  })
  void badFiltersNameTheColumnAndTheProblem(String filter, int column, String reason) {
    assertThatThrownBy(() -> AccessLogFilter.parse(filter.trim()))
        .isInstanceOf(FilterSyntaxException.class)
        .satisfies(error -> {
          FilterSyntaxException syntax = (FilterSyntaxException) error;
          assertThat(syntax.reason()).startsWith(reason);
          assertThat(syntax.column()).as("column of: %s", syntax.getMessage()).isEqualTo(column);
          assertThat(syntax.getMessage()).startsWith("access-log filter: at column " + column + ": ")
              .contains("\n  " + filter.trim() + "\n  " + " ".repeat(column - 1) + "^");
        });
  }
}
