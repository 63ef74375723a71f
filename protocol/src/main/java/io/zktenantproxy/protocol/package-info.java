/**
 * The ZooKeeper client wire protocol as the proxy needs it, and nothing else: framing ({@link FrameDecoder}), the
 * opcode table ({@link OpCode}), the handshake records, bounded jute readers ({@link Jute}), ZooKeeper's path rules
 * ({@link PathRules}), the tenant's chroot ({@link TenantChroot}) and the rewriting of every frame into and out of it
 * ({@link TenantConnection}, {@link RequestRewriter}, {@link ReplyRewriter}). Malformed input becomes a
 * {@link ProtocolException}.
 *
 * <p>Imports Netty's buffers and codec base classes only: no metrics, configuration or logging policy, and nothing of
 * the {@code proxy} module. Imported by the {@code proxy} module ({@code config}, {@code metrics}, {@code server},
 * {@code tree}, {@code cli}).
 */
package io.zktenantproxy.protocol;
