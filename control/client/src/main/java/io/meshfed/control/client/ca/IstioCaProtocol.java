package io.meshfed.control.client.ca;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Struct;
import com.google.protobuf.StructProto;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import java.util.ArrayList;
import java.util.List;

/**
 * Istio's certificate service ({@code istio.v1.auth.IstioCertificateService/CreateCertificate}, Istio's
 * {@code security/proto/istioca.proto} / {@code ca.proto}), the gRPC service Istio agents send their CSRs to. The
 * two messages are described in code with protobuf's {@code DescriptorProtos} and carried as {@link DynamicMessage}s,
 * so no protoc is needed; the wire format is the one Istio's generated code speaks.
 *
 * <pre>
 * message IstioCertificateRequest { string csr = 1; int64 validity_duration = 3; google.protobuf.Struct metadata = 4; }
 * message IstioCertificateResponse { repeated string cert_chain = 1; }
 * </pre>
 *
 * <p>{@code validity_duration} is in seconds; {@code cert_chain} holds one PEM certificate per entry, leaf first and
 * the root last.
 */
public final class IstioCaProtocol {

  /** The gRPC service name. */
  public static final String SERVICE = "istio.v1.auth.IstioCertificateService";
  /** The one method. */
  public static final String METHOD = "CreateCertificate";
  /** Metadata key Istio agents send to name the cluster whose API server should review their token. */
  public static final String CLUSTER_ID_METADATA = "ClusterID";

  private static final Descriptors.FileDescriptor FILE = build();
  private static final Descriptor REQUEST = FILE.findMessageTypeByName("IstioCertificateRequest");
  private static final Descriptor RESPONSE = FILE.findMessageTypeByName("IstioCertificateResponse");
  private static final FieldDescriptor CSR = REQUEST.findFieldByName("csr");
  private static final FieldDescriptor VALIDITY = REQUEST.findFieldByName("validity_duration");
  private static final FieldDescriptor METADATA = REQUEST.findFieldByName("metadata");
  private static final FieldDescriptor CERT_CHAIN = RESPONSE.findFieldByName("cert_chain");

  private static final ServiceName SERVICE_NAME = ServiceName.create(SERVICE);

  /** The method as a server binds it. */
  public static final ServiceMethod<DynamicMessage, DynamicMessage> SERVER_METHOD = ServiceMethod.server(
      SERVICE_NAME, METHOD, GrpcMessageEncoder.encoder(),
      GrpcMessageDecoder.decoder(DynamicMessage.getDefaultInstance(REQUEST)));

  /** The method as a client calls it. */
  public static final ServiceMethod<DynamicMessage, DynamicMessage> CLIENT_METHOD = ServiceMethod.client(
      SERVICE_NAME, METHOD, GrpcMessageEncoder.encoder(),
      GrpcMessageDecoder.decoder(DynamicMessage.getDefaultInstance(RESPONSE)));

  private IstioCaProtocol() {
  }

  private static Descriptors.FileDescriptor build() {
    FileDescriptorProto file = FileDescriptorProto.newBuilder()
        .setName("istio/v1/auth/ca.proto")
        .setPackage("istio.v1.auth")
        .setSyntax("proto3")
        .addDependency(StructProto.getDescriptor().getFile().getName())
        .addMessageType(DescriptorProto.newBuilder().setName("IstioCertificateRequest")
            .addField(field("csr", 1, FieldDescriptorProto.Type.TYPE_STRING, false, null))
            .addField(field("validity_duration", 3, FieldDescriptorProto.Type.TYPE_INT64, false, null))
            .addField(field("metadata", 4, FieldDescriptorProto.Type.TYPE_MESSAGE, false,
                ".google.protobuf.Struct")))
        .addMessageType(DescriptorProto.newBuilder().setName("IstioCertificateResponse")
            .addField(field("cert_chain", 1, FieldDescriptorProto.Type.TYPE_STRING, true, null)))
        .addService(ServiceDescriptorProto.newBuilder().setName("IstioCertificateService")
            .addMethod(MethodDescriptorProto.newBuilder().setName(METHOD)
                .setInputType(".istio.v1.auth.IstioCertificateRequest")
                .setOutputType(".istio.v1.auth.IstioCertificateResponse")))
        .build();
    try {
      return Descriptors.FileDescriptor.buildFrom(file,
          new Descriptors.FileDescriptor[] {StructProto.getDescriptor().getFile()});
    } catch (Descriptors.DescriptorValidationException e) {
      throw new IllegalStateException("istio ca.proto descriptor: " + e.getMessage(), e);
    }
  }

  private static FieldDescriptorProto field(String name, int number, FieldDescriptorProto.Type type,
      boolean repeated, String typeName) {
    FieldDescriptorProto.Builder field = FieldDescriptorProto.newBuilder().setName(name).setNumber(number)
        .setType(type).setJsonName(jsonName(name))
        .setLabel(repeated ? FieldDescriptorProto.Label.LABEL_REPEATED : FieldDescriptorProto.Label.LABEL_OPTIONAL);
    if (typeName != null) {
      field.setTypeName(typeName);
    }
    return field.build();
  }

  private static String jsonName(String name) {
    StringBuilder out = new StringBuilder();
    boolean upper = false;
    for (char c : name.toCharArray()) {
      if (c == '_') {
        upper = true;
      } else {
        out.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return out.toString();
  }

  /** The service descriptor (for servers that list their services, e.g. reflection). */
  public static Descriptors.ServiceDescriptor serviceDescriptor() {
    return FILE.findServiceByName("IstioCertificateService");
  }

  /** A request. */
  public static DynamicMessage request(String csrPem, long validitySeconds, Struct metadata) {
    DynamicMessage.Builder request = DynamicMessage.newBuilder(REQUEST).setField(CSR, csrPem);
    if (validitySeconds > 0) {
      request.setField(VALIDITY, validitySeconds);
    }
    if (metadata != null && metadata.getFieldsCount() > 0) {
      request.setField(METADATA, metadata);
    }
    return request.build();
  }

  /** The CSR of a request (empty if absent). */
  public static String csr(DynamicMessage request) {
    return (String) request.getField(CSR);
  }

  /** The requested validity in seconds (0 if absent). */
  public static long validitySeconds(DynamicMessage request) {
    return (Long) request.getField(VALIDITY);
  }

  /** The request's metadata (empty if absent). */
  public static Struct metadata(DynamicMessage request) {
    Object value = request.getField(METADATA);
    if (value instanceof Struct struct) {
      return struct;
    }
    // DynamicMessage keeps message fields it parsed as DynamicMessage: convert through the wire form.
    try {
      return Struct.parseFrom(((com.google.protobuf.Message) value).toByteString());
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      return Struct.getDefaultInstance();
    }
  }

  /** A response carrying {@code chainPems}, one certificate per entry, leaf first, root last. */
  public static DynamicMessage response(List<String> chainPems) {
    DynamicMessage.Builder response = DynamicMessage.newBuilder(RESPONSE);
    for (String pem : chainPems) {
      response.addRepeatedField(CERT_CHAIN, pem);
    }
    return response.build();
  }

  /** The certificates of a response, leaf first. */
  public static List<String> certChain(DynamicMessage response) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < response.getRepeatedFieldCount(CERT_CHAIN); i++) {
      out.add((String) response.getRepeatedField(CERT_CHAIN, i));
    }
    return out;
  }
}
