package io.meshfed.control.client.ca;

import io.vertx.grpc.common.GrpcStatus;

/**
 * The CA refused a request or could not be reached. {@link #status()} is the gRPC status the CA answered
 * ({@code UNAUTHENTICATED}, {@code PERMISSION_DENIED}, {@code INVALID_ARGUMENT}, {@code UNAVAILABLE}, ...); the message
 * is the CA's, which names what to fix.
 */
public final class CaClientException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient GrpcStatus status;

  public CaClientException(GrpcStatus status, String message) {
    super(status + ": " + message);
    this.status = status;
  }

  public CaClientException(GrpcStatus status, String message, Throwable cause) {
    super(status + ": " + message, cause);
    this.status = status;
  }

  public GrpcStatus status() {
    return status;
  }

  /** True when trying again later may succeed (the CA or its backend was unavailable). */
  public boolean retryable() {
    return status == GrpcStatus.UNAVAILABLE || status == GrpcStatus.DEADLINE_EXCEEDED;
  }
}
