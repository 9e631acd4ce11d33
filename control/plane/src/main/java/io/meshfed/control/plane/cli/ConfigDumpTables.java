package io.meshfed.control.plane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads an Envoy admin {@code /config_dump} (as meshfed gateways and the control plane's
 * {@code /debug/config_dump} print it) into {@code istioctl proxy-config}-style tables, or the resources of one kind
 * as JSON. Private keys never leave this class: they are dropped from JSON output and never printed.
 */
final class ConfigDumpTables {

  enum Kind {
    LISTENERS("ListenersConfigDump", "dynamic_listeners"),
    ROUTES("RoutesConfigDump", "dynamic_route_configs"),
    CLUSTERS("ClustersConfigDump", "dynamic_active_clusters"),
    ENDPOINTS("EndpointsConfigDump", "dynamic_endpoint_configs"),
    SECRETS("SecretsConfigDump", "dynamic_active_secrets");

    final String dumpType;
    final String field;

    Kind(String dumpType, String field) {
      this.dumpType = dumpType;
      this.field = field;
    }
  }

  private ConfigDumpTables() {
  }

  /** The dynamic entries of one kind, private keys removed. */
  static ArrayNode entries(JsonNode configDump, Kind kind) {
    ArrayNode out = AdminHttp.JSON.createArrayNode();
    for (JsonNode config : configDump.path("configs")) {
      if (config.path("@type").asText().endsWith("." + kind.dumpType)) {
        for (JsonNode entry : config.path(kind.field)) {
          out.add(withoutPrivateKeys(entry.deepCopy()));
        }
      }
    }
    return out;
  }

  private static JsonNode withoutPrivateKeys(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.remove("private_key");
      object.fields().forEachRemaining(field -> withoutPrivateKeys(field.getValue()));
    } else if (node instanceof ArrayNode array) {
      array.forEach(ConfigDumpTables::withoutPrivateKeys);
    }
    return node;
  }

  static Table table(ArrayNode entries, Kind kind) {
    return switch (kind) {
      case LISTENERS -> listeners(entries);
      case ROUTES -> routes(entries);
      case CLUSTERS -> clusters(entries);
      case ENDPOINTS -> endpoints(entries);
      case SECRETS -> secrets(entries);
    };
  }

  private static String status(JsonNode entry) {
    String status = entry.path("client_status").asText("");
    JsonNode error = entry.path("error_state");
    if (!error.isMissingNode()) {
      return (status.isEmpty() ? "NACKED" : status) + ": " + error.path("details").asText();
    }
    return status;
  }

  private static Table listeners(ArrayNode entries) {
    Table table = new Table("NAME", "ADDRESS", "PORT", "CHAINS", "FILTERS", "STATUS");
    for (JsonNode entry : entries) {
      JsonNode listener = entry.path("active_state").path("listener");
      JsonNode socket = listener.path("address").path("socket_address");
      List<String> filters = new ArrayList<>();
      for (JsonNode chain : listener.path("filter_chains")) {
        for (JsonNode filter : chain.path("filters")) {
          String name = filter.path("name").asText().replace("envoy.filters.network.", "");
          if (!filters.contains(name)) {
            filters.add(name);
          }
        }
      }
      table.row(entry.path("name").asText(listener.path("name").asText()), socket.path("address").asText(),
          socket.path("port_value").asText(), Integer.toString(listener.path("filter_chains").size()),
          String.join(",", filters), status(entry));
    }
    return table;
  }

  private static Table routes(ArrayNode entries) {
    Table table = new Table("NAME", "VIRTUAL HOST", "DOMAINS", "ROUTES", "STATUS");
    for (JsonNode entry : entries) {
      JsonNode config = entry.path("route_config");
      for (JsonNode host : config.path("virtual_hosts")) {
        List<String> domains = new ArrayList<>();
        host.path("domains").forEach(d -> domains.add(d.asText()));
        table.row(config.path("name").asText(), host.path("name").asText(), String.join(",", domains),
            Integer.toString(host.path("routes").size()), status(entry));
      }
      if (config.path("virtual_hosts").isEmpty()) {
        table.row(config.path("name").asText(), "", "", "0", status(entry));
      }
    }
    return table;
  }

  private static Table clusters(ArrayNode entries) {
    Table table = new Table("SERVICE FQDN", "PORT", "SUBSET", "DIRECTION", "TYPE", "STATUS");
    for (JsonNode entry : entries) {
      JsonNode cluster = entry.path("cluster");
      String name = cluster.path("name").asText();
      String[] parts = name.split("\\|", -1);
      String type = cluster.path("type").asText("EDS");
      if (parts.length == 4) {
        table.row(parts[3], parts[1], parts[2], parts[0].toUpperCase(), type, status(entry));
      } else {
        table.row(name, "", "", "", type, status(entry));
      }
    }
    return table;
  }

  private static Table endpoints(ArrayNode entries) {
    Table table = new Table("ENDPOINT", "STATUS", "LOCALITY", "PRIORITY", "WEIGHT", "CLUSTER");
    for (JsonNode entry : entries) {
      JsonNode assignment = entry.path("endpoint_config");
      String cluster = assignment.path("cluster_name").asText();
      for (JsonNode group : assignment.path("endpoints")) {
        JsonNode locality = group.path("locality");
        String where = String.join("/", locality.path("region").asText(), locality.path("zone").asText(),
            locality.path("sub_zone").asText()).replaceAll("^/+$", "");
        for (JsonNode endpoint : group.path("lb_endpoints")) {
          JsonNode socket = endpoint.path("endpoint").path("address").path("socket_address");
          table.row(socket.path("address").asText() + ":" + socket.path("port_value").asText(),
              endpoint.path("health_status").asText("HEALTHY"), where, group.path("priority").asText("0"),
              endpoint.path("load_balancing_weight").asText(""), cluster);
        }
      }
    }
    return table;
  }

  /**
   * As {@code istioctl proxy-config secret} lists them: an accepted secret is {@code ACTIVE} (Envoy's
   * {@code dynamic_active_secrets}); the certificate's validity, serial and dates, plus its SPIFFE id (URI SAN) so the
   * gateway's own identity ({@code default}) can be read off without openssl.
   */
  private static Table secrets(ArrayNode entries) {
    Table table = new Table("RESOURCE NAME", "TYPE", "STATUS", "VALID CERT", "SERIAL NUMBER", "NOT AFTER",
        "NOT BEFORE", "SPIFFE ID");
    Instant now = Instant.now();
    for (JsonNode entry : entries) {
      JsonNode secret = entry.path("secret");
      String name = entry.path("name").asText(secret.path("name").asText());
      JsonNode chain = secret.path("tls_certificate").path("certificate_chain");
      JsonNode trusted = secret.path("validation_context").path("trusted_ca");
      String type = !chain.isMissingNode() ? "Cert Chain" : !trusted.isMissingNode() ? "CA" : "";
      X509Certificate certificate = first(!chain.isMissingNode() ? chain : trusted);
      String status = entry.has("error_state") ? status(entry) : "ACTIVE";
      if (certificate == null) {
        table.row(name, type, status, "", "", "", "", "");
        continue;
      }
      boolean valid = !now.isBefore(certificate.getNotBefore().toInstant())
          && !now.isAfter(certificate.getNotAfter().toInstant());
      table.row(name, type, status, Boolean.toString(valid), certificate.getSerialNumber().toString(16),
          certificate.getNotAfter().toInstant().toString(), certificate.getNotBefore().toInstant().toString(),
          spiffeId(certificate));
    }
    return table;
  }

  /** The certificate's first {@code spiffe://} URI SAN, empty when it has none (a root CA). */
  private static String spiffeId(X509Certificate certificate) {
    try {
      var names = certificate.getSubjectAlternativeNames();
      if (names == null) {
        return "";
      }
      for (List<?> name : names) {
        // GeneralName type 6: uniformResourceIdentifier (RFC 5280, 4.2.1.6).
        if (name.size() == 2 && Integer.valueOf(6).equals(name.get(0))
            && String.valueOf(name.get(1)).startsWith("spiffe://")) {
          return String.valueOf(name.get(1));
        }
      }
    } catch (java.security.cert.CertificateParsingException unreadable) {
      return "";
    }
    return "";
  }

  /** The first certificate of a DataSource (inline bytes base64, or inline string PEM). */
  private static X509Certificate first(JsonNode source) {
    byte[] pem;
    if (source.has("inline_bytes")) {
      pem = Base64.getDecoder().decode(source.path("inline_bytes").asText());
    } else if (source.has("inline_string")) {
      pem = source.path("inline_string").asText().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    } else {
      return null;
    }
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(pem));
    } catch (java.security.cert.CertificateException | RuntimeException e) {
      return null;
    }
  }
}
