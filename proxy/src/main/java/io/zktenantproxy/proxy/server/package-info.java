/**
 * The running proxy: listeners, the connection as a pair of Netty handlers, and the way upstream.
 *
 * <h2>The request path, class by class</h2>
 * <ol>
 *   <li>{@link io.zktenantproxy.proxy.server.ProxyServer} binds one listener per tenant; {@link
 *       io.zktenantproxy.proxy.server.AcceptPacer} paces how fast each accepts.</li>
 *   <li>{@link io.zktenantproxy.proxy.server.ConnectionInitializer} asks the {@link
 *       io.zktenantproxy.proxy.server.TenantResolver} which tenant the accepted connection belongs to (the one place
 *       that decides it), then builds the pipeline: idle timeout, frame decoder ({@code FrameCumulator}), {@link
 *       io.zktenantproxy.proxy.server.FrontendHandler}.</li>
 *   <li>The {@code FrontendHandler} makes the {@link io.zktenantproxy.proxy.server.Connection}, the one owner of the
 *       connection's state, and hands it every client frame. {@link io.zktenantproxy.proxy.server.Admission} counts
 *       the connection against the tenant's limit and starts the handshake deadline.</li>
 *   <li>Each client frame passes the tenant's budget ({@link io.zktenantproxy.proxy.server.BudgetGate}; a frame over
 *       it waits in {@link io.zktenantproxy.proxy.server.PacedFrames}), then the protocol state ({@code
 *       io.zktenantproxy.protocol.TenantConnection}), which validates and rewrites it into the chroot and returns a
 *       {@code RequestOutcome}: forward it, or it was answered by the proxy in xid order (a refusal with
 *       {@code QUOTAEXCEEDED} among them: the protocol state checks writes against the tenant's {@code TenantQuota}
 *       and watches against the session's ledger), or hold it: a write near the quota waits for a fresh count of the
 *       tenant's usage, with every frame behind it, in the {@code Connection}.</li>
 *   <li>The first frame, the ConnectRequest, waits at the {@link io.zktenantproxy.proxy.server.SessionGate} (chroot
 *       provisioned, the tenant's usage counted by the ensemble when it has a quota, a resumed session owned by this
 *       tenant: {@link
 *       io.zktenantproxy.proxy.server.EnsembleSessionGate}), then the {@link
 *       io.zktenantproxy.proxy.server.UpstreamDialer} ({@link io.zktenantproxy.proxy.server.UpstreamConnector}) opens
 *       the upstream channel on the client's event loop. Frames sent meanwhile queue in order in the {@link
 *       io.zktenantproxy.proxy.server.Relay}.</li>
 *   <li>The {@link io.zktenantproxy.proxy.server.Relay} writes to either channel, flushes once per read batch and
 *       applies backpressure by auto-read in both directions.</li>
 *   <li>Frames from the ensemble reach the {@link io.zktenantproxy.proxy.server.BackendHandler}, then the {@code
 *       Connection} and the protocol state, which strips the chroot and matches replies to requests; everything for
 *       the client leaves through {@code Relay.toClient}. The ConnectResponse goes to the {@link
 *       io.zktenantproxy.proxy.server.SessionBinder} (session ownership marker, session gauge, idle timeout).</li>
 *   <li>Anything that ends the connection goes through {@code Connection.close} once, with a {@code CloseReason}
 *       (metric, log line); either side closing closes the other.</li>
 * </ol>
 *
 * <p>Both channels of a connection run on the client channel's event loop, so the per-connection classes take no
 * locks. The tenant-wide pieces ({@link io.zktenantproxy.proxy.server.Tenant}, {@link
 * io.zktenantproxy.proxy.server.TenantBudget}, the session registry) are thread-safe.
 *
 * <p>Imports {@code config}, {@code metrics}, {@code upstream} (the proxy's one operator client, which
 * {@link io.zktenantproxy.proxy.server.ProxyServer} builds and shares), {@code quota} and the {@code protocol} module. Imported by
 * {@code admin} and {@code runtime}; never by {@code tree}, which sits beside it. The layering is checked by
 * {@code PackageLayeringTest}.
 */
package io.zktenantproxy.proxy.server;
