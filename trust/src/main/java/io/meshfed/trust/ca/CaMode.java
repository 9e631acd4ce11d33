package io.meshfed.trust.ca;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where the root lives and who signs leaves. */
public enum CaMode {
  /** Embedded default: a root in the data directory, a per-cluster intermediate in memory signs leaves. */
  LOCAL("local"),
  /** The root lives in Vault; Vault signs this cluster's in-memory intermediate, which signs leaves locally. */
  VAULT("vault"),
  /** Vault signs every leaf ({@code pki/sign/<role>}, {@code no_store}); no CA key is ever outside Vault. */
  VAULT_SIGN("vault-sign");

  private final String configName;

  CaMode(String configName) {
    this.configName = configName;
  }

  /** The name used in config and on the command line. */
  public String configName() {
    return configName;
  }

  /** Parses {@code local}, {@code vault} or {@code vault-sign}. */
  public static CaMode parse(String text) {
    for (CaMode mode : values()) {
      if (mode.configName.equals(text == null ? "" : text.toLowerCase(Locale.ROOT))) {
        return mode;
      }
    }
    throw new IllegalArgumentException("ca mode: " + text + " (expected: "
        + Arrays.stream(values()).map(CaMode::configName).collect(Collectors.joining(", ")) + ")");
  }

  @Override
  public String toString() {
    return configName;
  }
}
