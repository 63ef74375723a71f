package io.zktenantproxy.proxy.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * Writes the {@link AdminRoutes} answer for each aggregated HTTP request on the channel's event loop, once it is ready
 * (tree reads complete on the ZooKeeper client's thread). Answers go out in request order, even for pipelined
 * requests; reading pauses while answers are pending. Its fields are used on the channel's event loop only.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final AdminRoutes routes;
    private CompletableFuture<?> previous = CompletableFuture.completedFuture(null);
    private int pending;

    AdminHandler(AdminRoutes routes) {
        this.routes = routes;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = HttpMethod.HEAD.equals(request.method());
        CompletableFuture<Answer> answer = routes.answer(request);
        pending++;
        ctx.channel().config().setAutoRead(false);
        previous = previous.thenCombine(answer, (ignored, a) -> a).whenCompleteAsync((a, error) -> {
            Answer out = error == null ? a
                    : Answer.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + error + "\n");
            ChannelFuture written = ctx.writeAndFlush(response(out, head));
            if (!keepAlive) {
                written.addListener(ChannelFutureListener.CLOSE);
            } else if (--pending == 0) {
                ctx.channel().config().setAutoRead(true);
            }
        }, ctx.executor()).exceptionally(e -> null);
    }

    private static FullHttpResponse response(Answer answer, boolean head) {
        byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
        ByteBuf body = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, answer.status(), body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        response.headers().set("X-Content-Type-Options", "nosniff");
        response.headers().set("Content-Security-Policy", AdminPage.CONTENT_SECURITY_POLICY);
        return response;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
