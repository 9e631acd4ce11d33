package io.meshfed.control.plane.xds;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;
import com.google.protobuf.UnsafeByteOperations;

/**
 * {@link Any}s whose type URL is held as UTF-8 bytes. {@link Any#pack} keeps it as a String, which protobuf encodes
 * again each time the Any is sized or written; a translation writes tens of thousands of them (every resource of a
 * snapshot, every cluster's transport socket and protocol options, the east-west filter chains' TCP proxy, HTTP
 * connection manager and TLS configs). The bytes on the wire are those of {@link Any#pack}.
 *
 * <p>Reading {@link Any#getTypeUrl()} turns the bytes back into a String kept in the Any: compare with
 * {@link Any#getTypeUrlBytes()} instead.
 */
public final class TypedAny {

  /** What {@link Any#pack} puts before a message type's full name. */
  public static final String TYPE_URL_PREFIX = "type.googleapis.com/";

  private TypedAny() {
  }

  /** The type URL {@link Any#pack} gives messages of {@code type}, as bytes: keep it in a constant. */
  public static ByteString typeUrl(Descriptor type) {
    return typeUrl(TYPE_URL_PREFIX + type.getFullName());
  }

  /** {@code url} as UTF-8 bytes: keep it in a constant. */
  public static ByteString typeUrl(String url) {
    return ByteString.copyFromUtf8(url);
  }

  /** As {@link Any#pack}, with the given type URL ({@link #typeUrl(Descriptor)} of the message's type). */
  public static Any pack(ByteString typeUrl, Message message) {
    return Any.newBuilder().setTypeUrlBytes(typeUrl).setValue(message.toByteString()).build();
  }

  /** As {@link Any#pack}, for constants: the type URL is derived here, once per call. */
  public static Any pack(Message message) {
    return pack(typeUrl(message.getDescriptorForType()), message);
  }

  /** An Any of {@code typeUrl} over serialised bytes, which are not copied: the caller must not change them. */
  public static Any wrap(ByteString typeUrl, byte[] value) {
    return Any.newBuilder().setTypeUrlBytes(typeUrl).setValue(UnsafeByteOperations.unsafeWrap(value)).build();
  }
}
