package io.meshfed.control.plane.xds;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Serialises a message in parts: its other fields (a serialised "shell": the message without one repeated message
 * field) and that field's elements, each serialised on its own, perhaps on other threads. The result is exactly what
 * the serialisation of the whole message gives, since protobuf writes known fields in field-number order: a
 * listener with tens of thousands of filter chains is then written by many threads instead of one, and its chains do
 * not have to live as message trees until it is.
 */
public final class WireSplice {

    private WireSplice() {
    }

    /**
     * The bytes of {@code shell}'s message with {@code elements} as its repeated message field {@code field}, in
     * that order.
     *
     * @param shell a message's deterministic serialisation (see {@link Snapshot#deterministicBytes}), without field
     *     {@code field} and without unknown fields (protobuf writes those last, after every known one)
     * @param elements the serialised elements; not copied until written
     * @throws IllegalArgumentException if {@code shell} has field {@code field} before any field numbered above it,
     *     or its fields up to there are not a message's (the rest is copied unread)
     */
    public static byte[] withRepeated(byte[] shell, int field, List<byte[]> elements) {
        int at = insertionPoint(shell, field);
        int size = shell.length;
        int tagSize = CodedOutputStream.computeTagSize(field);
        for (byte[] element : elements) {
            size += tagSize + CodedOutputStream.computeUInt32SizeNoTag(element.length) + element.length;
        }
        byte[] out = new byte[size];
        System.arraycopy(shell, 0, out, 0, at);
        CodedOutputStream stream = CodedOutputStream.newInstance(out, at, size - at);
        try {
            for (byte[] element : elements) {
                stream.writeTag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                stream.writeUInt32NoTag(element.length);
                stream.writeRawBytes(element);
            }
            stream.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.arraycopy(shell, at, out, size - (shell.length - at), shell.length - at);
        return out;
    }

    /**
     * Where the first field numbered above {@code field} starts in {@code shell} (its length if none): where
     * {@code field}'s entries go.
     *
     * @throws IllegalArgumentException if {@code shell} has field {@code field} before any field numbered above it,
     *     or its fields up to there are not a message's
     */
    public static int insertionPoint(byte[] shell, int field) {
        CodedInputStream in = CodedInputStream.newInstance(shell);
        try {
            while (true) {
                int start = in.getTotalBytesRead();
                int tag = in.readTag();
                if (tag == 0) {
                    return start;
                }
                int number = WireFormat.getTagFieldNumber(tag);
                if (number == field) {
                    throw new IllegalArgumentException("shell: already has field " + field + " (expected: the "
                            + "message without it)");
                }
                if (number > field) {
                    return start;
                }
                in.skipField(tag);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("shell: not a serialised message (" + e.getMessage() + ")", e);
        }
    }
}
