package org.imdp.sipmsrp.msrp;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepted MSRP connections that have not yet bound to a session by their first request (RFC 4975 §5.4): anyone
 * can open them, so they are bounded. At most {@code maxConnections} at once (one over it is closed as soon as it is
 * active, before anything of it is read), and each may send at most {@code maxBytes} octets before it binds (past
 * them it is closed, the octets released): the decoder behind never buffers more for a connection nobody vouched
 * for, whatever the frame it announces. Each accepted connection gets a {@link #newGuard() guard}, the first handler
 * of its pipeline; binding removes it ({@link Guard#NAME}), which frees the connection's place.
 */
final class UnboundConnections {

    private static final Logger LOG = LoggerFactory.getLogger(UnboundConnections.class);
    /** At most one WARN line per this many milliseconds: a flood must not flood the log too. */
    private static final long WARN_EVERY_MILLIS = 10_000;

    private final int maxConnections;
    private final int maxBytes;
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder refused = new LongAdder();
    private final LongAdder closedOverBytes = new LongAdder();
    private final AtomicLong lastWarn = new AtomicLong();

    UnboundConnections(int maxConnections, int maxBytes) {
        if (maxConnections <= 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("maxConnections and maxBytes must be positive: " + maxConnections
                                               + ", " + maxBytes);
        }
        this.maxConnections = maxConnections;
        this.maxBytes = maxBytes;
    }

    /** The handler for one accepted connection. */
    Guard newGuard() {
        return new Guard();
    }

    /** Accepted connections open now that have not bound yet. */
    int open() {
        return open.get();
    }

    /** Connections closed so far because {@link #open()} was at the limit. */
    long refused() {
        return refused.sum();
    }

    /** Connections closed so far because they sent more than the octets allowed before binding. */
    long closedOverBytes() {
        return closedOverBytes.sum();
    }

    private void warn(String what) {
        long now = System.currentTimeMillis();
        long last = lastWarn.get();
        if (now - last >= WARN_EVERY_MILLIS && lastWarn.compareAndSet(last, now)) {
            LOG.warn("{} (so far {} refused over the limit of {} unbound connections, {} closed over {} octets "
                     + "before binding)", what, refused.sum(), maxConnections, closedOverBytes.sum(), maxBytes);
        }
    }

    /** Counts one accepted connection from active until it binds or closes, and the octets it sends until then. */
    final class Guard extends ChannelInboundHandlerAdapter {

        /** The guard's name in the pipeline. */
        static final String NAME = "unbound-guard";

        private boolean counted;
        private long received;

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            if (open.incrementAndGet() > maxConnections) {
                open.decrementAndGet();
                refused.increment();
                warn("MSRP connection from " + ctx.channel().remoteAddress() + " refused: " + maxConnections
                     + " unbound connections open");
                ctx.close();
                return;
            }
            counted = true;
            super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (!counted) {
                // refused: closing
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof ByteBuf bytes) {
                received += bytes.readableBytes();
                if (received > maxBytes) {
                    bytes.release();
                    closedOverBytes.increment();
                    warn("MSRP connection from " + ctx.channel().remoteAddress() + " closed: more than " + maxBytes
                         + " octets before it bound to a session");
                    release();
                    ctx.close();
                    return;
                }
            }
            super.channelRead(ctx, msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            release();
            super.channelInactive(ctx);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            release();
        }

        private void release() {
            if (counted) {
                counted = false;
                open.decrementAndGet();
            }
        }
    }
}
