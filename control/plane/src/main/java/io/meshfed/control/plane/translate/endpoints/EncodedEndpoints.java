package io.meshfed.control.plane.translate.endpoints;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The endpoints of a load assignment, already in protobuf wire form: the {@code endpoints} fields (number 2) of a
 * {@code ClusterLoadAssignment}, as its deterministic serialisation writes them. Clusters with equal endpoints (the
 * east-west gateway's outbound and passthrough clusters of one service) share one instance, so the endpoints of a
 * service are encoded once however many load assignments list them, and no message objects are kept for them.
 *
 * @param localities how many {@code LocalityLbEndpoints} the bytes hold
 */
public record EncodedEndpoints(byte[] bytes, int localities) {

  /** {@code ClusterLoadAssignment.cluster_name}. */
  private static final int CLUSTER_NAME = 1;

  /**
   * The serialised {@code ClusterLoadAssignment} named {@code clusterName} with these endpoints: exactly the bytes
   * of the deterministic serialisation of the message (its fields in field-number order; it has no other field).
   */
  public byte[] assignment(String clusterName) {
    int size = clusterName.isEmpty() ? 0 : CodedOutputStream.computeStringSize(CLUSTER_NAME, clusterName);
    byte[] out = new byte[size + bytes.length];
    CodedOutputStream stream = CodedOutputStream.newInstance(out);
    try {
      if (!clusterName.isEmpty()) {
        stream.writeString(CLUSTER_NAME, clusterName);
      }
      stream.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.arraycopy(bytes, 0, out, size, bytes.length);
    return out;
  }

  /** The size of a length-delimited field holding {@code size} bytes. */
  static int nested(int field, int size) {
    return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
  }

  /** Starts a length-delimited field of {@code size} bytes. */
  static void begin(CodedOutputStream out, int field, int size) throws IOException {
    out.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    out.writeUInt32NoTag(size);
  }
}
