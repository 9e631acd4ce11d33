package io.meshfed.gateway.eastwest.terminate;

import io.meshfed.gateway.eastwest.RejectReason;
import io.meshfed.gateway.eastwest.connection.Downstream;
import io.meshfed.gateway.eastwest.rbac.RbacContext;
import io.meshfed.gateway.eastwest.rbac.RbacPolicy;
import io.meshfed.gateway.eastwest.tls.PeerIdentity;
import io.meshfed.gateway.eastwest.tls.PeerRejectedException;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Terminate mode after the handshake: turns the handshake's outcome into a rejection reason (no client certificate,
 * untrusted chain, trust domain mismatch, other TLS failure), then applies the chain's network RBAC filters
 * (PeerAuthentication + AuthorizationPolicy) to the verified peer; an admitted connection gets the chain's target
 * handler in this handler's place. Decrypted bytes that arrive before the decision are held here and handed on.
 */
public final class PeerAuthorizer extends ChannelInboundHandlerAdapter {

  private final boolean requireClientCertificate;
  private final List<RbacPolicy> rbac;
  private final Supplier<ChannelHandler> target;
  private final Queue<Object> held = new ArrayDeque<>();
  private boolean decided;

  /** @param target creates the handler that carries an admitted connection on (tcp_proxy or HTTP) */
  public PeerAuthorizer(boolean requireClientCertificate, List<RbacPolicy> rbac, Supplier<ChannelHandler> target) {
    this.requireClientCertificate = requireClientCertificate;
    this.rbac = List.copyOf(rbac);
    this.target = target;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof SslHandshakeCompletionEvent handshake && !decided) {
      decided = true;
      if (handshake.isSuccess()) {
        authorize(ctx);
      } else {
        rejectHandshake(ctx, handshake.cause());
      }
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  private void rejectHandshake(ChannelHandlerContext ctx, Throwable cause) {
    Downstream record = Downstream.of(ctx.channel());
    for (Throwable at = cause; at != null; at = at.getCause()) {
      if (at instanceof PeerRejectedException rejected) {
        RejectReason reason = switch (rejected.reason()) {
          case NO_CERTIFICATE -> RejectReason.NO_CLIENT_CERT;
          case UNTRUSTED_CHAIN -> RejectReason.UNTRUSTED_CHAIN;
          case SAN_MISMATCH -> RejectReason.TRUST_DOMAIN_MISMATCH;
        };
        record.reject(reason, rejected.getMessage());
        return;
      }
    }
    record.reject(RejectReason.TLS_HANDSHAKE_FAILED, String.valueOf(cause.getMessage()));
  }

  private void authorize(ChannelHandlerContext ctx) {
    Downstream record = Downstream.of(ctx.channel());
    SslHandler ssl = ctx.pipeline().get(SslHandler.class);
    record.protocol(ssl.applicationProtocol());
    PeerIdentity peer = null;
    SSLSession session = ssl.engine().getSession();
    if (session.getValue(PeerIdentity.SESSION_KEY) instanceof PeerIdentity verified) {
      peer = verified;
    } else {
      try {
        Certificate[] chain = session.getPeerCertificates();
        if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
          peer = PeerIdentity.of(leaf);
        }
      } catch (SSLPeerUnverifiedException e) {
        peer = null;
      }
    }
    if (peer == null && requireClientCertificate) {
      record.reject(RejectReason.NO_CLIENT_CERT, "the client sent no certificate (require_client_certificate)");
      return;
    }
    if (peer != null) {
      record.principal(peer.principal());
    }
    RbacPolicy.Decision decision = RbacPolicy.evaluateAll(rbac, new RbacContext(peer,
        (InetSocketAddress) ctx.channel().remoteAddress(),
        ((InetSocketAddress) ctx.channel().localAddress()).getPort(), record.serverName()));
    if (!decision.allowed()) {
      record.reject(RejectReason.RBAC_DENIED, "rbac_access_denied_matched_policy[" + decision.matchedPolicy() + "]");
      return;
    }
    ctx.pipeline().addAfter(ctx.name(), "target", target.get());
    for (Object message = held.poll(); message != null; message = held.poll()) {
      ctx.fireChannelRead(message);
    }
    ctx.fireChannelReadComplete();
    ctx.pipeline().remove(this);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (decided && held.isEmpty() && ctx.pipeline().get("target") != null) {
      ctx.fireChannelRead(msg);
      return;
    }
    held.add(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseHeld();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseHeld();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // SslHandler reports handshake failures here too; the completion event carries the classified reason.
    if (!decided) {
      decided = true;
      rejectHandshake(ctx, cause);
      return;
    }
    ctx.close();
  }

  private void releaseHeld() {
    for (Object message = held.poll(); message != null; message = held.poll()) {
      ReferenceCountUtil.release(message);
    }
  }
}
