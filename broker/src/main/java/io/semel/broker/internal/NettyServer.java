package io.semel.broker.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.semel.broker.BrokerConfig;
import io.semel.protocol.FrameCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP side: one boss thread accepting ({@code broker-accept}), {@code ioThreads} event loops
 * ({@code broker-io}) running every connection's decoder and {@link ConnectionHandler}. NIO
 * transport, so it runs wherever Java does. Enforces {@code maxConnections}: a connection beyond
 * it is closed at once with a log line. Thread-safe: {@link #start} and {@link #close} from one
 * thread.
 */
public final class NettyServer {
    private static final Logger LOG = LoggerFactory.getLogger(NettyServer.class);

    private final BrokerConfig config;
    private final RequestDispatcher dispatcher;
    private final ErrorMapping errors;
    private final BrokerMetrics metrics;
    private final BrokerSecurity security;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final ChannelGroup connections = new DefaultChannelGroup("semel-connections", GlobalEventExecutor.INSTANCE);
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel listener;

    public NettyServer(BrokerConfig config, RequestDispatcher dispatcher, ErrorMapping errors, BrokerMetrics metrics,
            BrokerSecurity security) {
        this.metrics = metrics;
        this.security = security;
        this.config = config;
        this.dispatcher = dispatcher;
        this.errors = errors;
    }

    /** Binds and starts accepting; returns the bound address. */
    public InetSocketAddress start() throws IOException {
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("broker-accept", true),
                NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("broker-io", true),
                NioIoHandler.newFactory());
        FrameCodec codec = new FrameCodec(config.maxFrameBytes());
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (open.incrementAndGet() > config.maxConnections()) {
                            open.decrementAndGet();
                            LOG.warn("refusing connection from {}: {} connections open, the limit (maxConnections) is {}",
                                    ch.remoteAddress(), config.maxConnections(), config.maxConnections());
                            metrics.connectionRefused();
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> open.decrementAndGet());
                        connections.add(ch);
                        ch.pipeline().addLast("port-guard", new PortGuard(security)); // TLS or plain: see PortGuard
                        ch.pipeline().addLast("frames", new FrameDecoder(codec));
                        ch.pipeline().addLast("requests", new ConnectionHandler(config, codec, dispatcher, errors,
                                inFlight, metrics, security));
                    }
                });
        try {
            listener = b.bind(config.host(), config.port()).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close(0);
            throw new IOException("interrupted while binding " + config.host() + ":" + config.port(), e);
        } catch (RuntimeException e) {
            close(0);
            throw new IOException("cannot listen on " + config.host() + ":" + config.port() + ": " + e, e);
        }
        return (InetSocketAddress) listener.localAddress();
    }

    /** Stops accepting new connections; open ones keep being served. */
    public void stopAccepting() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
        }
    }

    /** Requests taken but not yet answered, over all connections. */
    public int inFlight() {
        return inFlight.get();
    }

    public int openConnections() {
        return open.get();
    }

    /** Closes every connection and stops the threads, waiting up to {@code waitMs} for the loops. */
    public void close(long waitMs) {
        stopAccepting();
        connections.close().awaitUninterruptibly(waitMs + 1000, TimeUnit.MILLISECONDS);
        if (boss != null) {
            boss.shutdownGracefully(0, waitMs, TimeUnit.MILLISECONDS).awaitUninterruptibly(waitMs + 1000);
        }
        if (workers != null) {
            workers.shutdownGracefully(0, waitMs, TimeUnit.MILLISECONDS).awaitUninterruptibly(waitMs + 1000);
        }
    }
}
