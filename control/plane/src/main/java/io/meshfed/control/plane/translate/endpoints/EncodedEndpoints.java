package io.meshfed.control.plane.translate.endpoints;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The endpoints of a load assignment, already in protobuf wire form: the serialised {@code ClusterLoadAssignment}
 * of the first cluster that asked for them, whose {@code endpoints} fields (number 2, as its deterministic
 * serialisation writes them) start at {@code offset}. Clusters with equal endpoints (the east-west gateway's outbound
 * and passthrough clusters of one service) share one instance, so the endpoints of a service are encoded once however
 * many load assignments list them, and kept once: inside the first load assignment's bytes, which the snapshot
 * serves as they are.
 *
 * @param clusterName the cluster the bytes were written for
 * @param serialized the load assignment of {@code clusterName}; never modified
 * @param offset where its endpoints fields start (after the {@code cluster_name} field)
 * @param localities how many {@code LocalityLbEndpoints} the bytes hold
 */
public record EncodedEndpoints(String clusterName, byte[] serialized, int offset, int localities) {

  /** {@code ClusterLoadAssignment.cluster_name}. */
  static final int CLUSTER_NAME = 1;

  /**
   * The serialised {@code ClusterLoadAssignment} named {@code name} with these endpoints: exactly the bytes of the
   * deterministic serialisation of the message (its fields in field-number order; it has no other field). For the
   * cluster they were written for, the bytes themselves (not a copy).
   */
  public byte[] assignment(String name) {
    if (name.equals(clusterName)) {
      return serialized;
    }
    int size = nameSize(name);
    byte[] out = new byte[size + serialized.length - offset];
    CodedOutputStream stream = CodedOutputStream.newInstance(out);
    try {
      if (!name.isEmpty()) {
        stream.writeString(CLUSTER_NAME, name);
      }
      stream.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.arraycopy(serialized, offset, out, size, serialized.length - offset);
    return out;
  }

  /** The size of the {@code cluster_name} field (proto3: an empty name is not written). */
  static int nameSize(String name) {
    return name.isEmpty() ? 0 : CodedOutputStream.computeStringSize(CLUSTER_NAME, name);
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
