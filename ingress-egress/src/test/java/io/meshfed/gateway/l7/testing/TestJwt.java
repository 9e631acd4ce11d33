package io.meshfed.gateway.l7.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

/** An RS256 issuer for tests: its JWKS document, and tokens with any claims. */
public final class TestJwt {

  private final KeyPair keys;
  private final String kid;

  public TestJwt(String kid) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    this.keys = generator.generateKeyPair();
    this.kid = kid;
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes[0] == 0) {
      byte[] trimmed = new byte[bytes.length - 1];
      System.arraycopy(bytes, 1, trimmed, 0, trimmed.length);
      return trimmed;
    }
    return bytes;
  }

  public String jwks() {
    RSAPublicKey key = (RSAPublicKey) keys.getPublic();
    return new JsonObject().put("keys", new JsonArray().add(new JsonObject().put("kty", "RSA").put("alg", "RS256")
        .put("use", "sig").put("kid", kid).put("n", b64(unsigned(key.getModulus())))
        .put("e", b64(unsigned(key.getPublicExponent()))))).encode();
  }

  /** A signed token with {@code claims}; {@code exp} one hour ahead unless given. */
  public String token(JsonObject claims) throws Exception {
    JsonObject payload = claims.copy();
    if (!payload.containsKey("exp")) {
      payload.put("exp", System.currentTimeMillis() / 1000 + 3600);
    }
    String header = b64(new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", kid).encode()
        .getBytes(StandardCharsets.UTF_8));
    String body = b64(payload.encode().getBytes(StandardCharsets.UTF_8));
    Signature signature = Signature.getInstance("SHA256withRSA");
    signature.initSign(keys.getPrivate());
    signature.update((header + "." + body).getBytes(StandardCharsets.US_ASCII));
    return header + "." + body + "." + b64(signature.sign());
  }
}
