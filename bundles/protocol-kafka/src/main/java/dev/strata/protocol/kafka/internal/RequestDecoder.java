package dev.strata.protocol.kafka.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a frame into a {@link KafkaRequest}: reads the API key and version, parses the request header in the header
 * version that API and version use (flexible versions carry tagged fields), then the body with the generated
 * {@code *Data} class. An unknown or unimplemented API key (the group APIs while no group coordinator is present), an
 * unsupported version (other than ApiVersions), or a truncated or malformed frame: the problem is logged and the
 * connection closed, as Kafka does. Bytes after a complete body are ignored, as Kafka ignores them.
 *
 * <p>The body is parsed in place from the frame's heap array (a {@link PooledFrame}, never recycled, so parsed
 * bodies, produce records included, stay valid however Netty counts references); the request holds the frame so
 * that its memory reservation lasts until the request is handled. One instance per connection; used only on its
 * event loop.
 */
final class RequestDecoder extends MessageToMessageDecoder<ByteBuf> {
    private static final Logger LOG = LoggerFactory.getLogger(RequestDecoder.class);

    /** api key (2) + api version (2) + correlation id (4) + client id length (2). */
    private static final int MIN_HEADER_BYTES = 10;

    private final BooleanSupplier groupsAvailable;
    private final RateLimitedLog log;
    private boolean rejected;

    /**
     * @param groupsAvailable whether a group coordinator is present (the group APIs are accepted only then)
     * @param log where refused requests are reported, rate-limited
     */
    RequestDecoder(BooleanSupplier groupsAvailable, RateLimitedLog log) {
        super(ByteBuf.class);
        this.groupsAvailable = groupsAvailable;
        this.log = log;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        if (rejected) {
            return;
        }
        if (frame.readableBytes() < MIN_HEADER_BYTES) {
            reject(ctx, "frame of " + frame.readableBytes() + " bytes is too short for a request header", null);
            return;
        }
        short apiKey = frame.getShort(frame.readerIndex());
        short version = frame.getShort(frame.readerIndex() + 2);
        SupportedApis.Range range = SupportedApis.range(apiKey, groupsAvailable.getAsBoolean());
        if (range == null) {
            reject(ctx, "unknown or unsupported API key " + apiKey + " (version " + version + ")", null);
            return;
        }
        ApiMessageType api = ApiMessageType.fromApiKey(apiKey);
        int size = frame.readableBytes();
        ByteBuffer buffer;
        if (frame.hasArray()) {
            // A PooledFrame: parse its array in place; the request keeps the frame (and its reservation) alive.
            buffer = ByteBuffer.wrap(frame.array(), frame.arrayOffset() + frame.readerIndex(), size).slice();
        } else {
            buffer = ByteBuffer.allocate(size);
            frame.getBytes(frame.readerIndex(), buffer);
            buffer.flip();
        }
        ByteBufferAccessor reader = new ByteBufferAccessor(buffer);
        RequestHeaderData header;
        try {
            header = new RequestHeaderData(reader, api.requestHeaderVersion(version));
        } catch (RuntimeException e) {
            reject(ctx, "malformed " + api.name() + " v" + version + " request header", e);
            return;
        }
        if (!range.contains(version)) {
            if (api == ApiMessageType.API_VERSIONS) {
                out.add(new KafkaRequest(header, api, null, size, frame.retain()));
            } else {
                reject(ctx, api.name() + " version " + version + " is not supported (supported " + range.min()
                        + ".." + range.max() + ")", null);
            }
            return;
        }
        ApiMessage body = api.newRequest();
        try {
            body.read(reader, version);
        } catch (RuntimeException e) {
            reject(ctx, "malformed " + api.name() + " v" + version + " request body (correlation id "
                    + header.correlationId() + ")", e);
            return;
        }
        if (buffer.hasRemaining() && LOG.isDebugEnabled()) {
            // Kafka parses a body and ignores what follows it (AbstractRequest.parseRequest checks nothing more);
            // librdkafka 2.15 sends 3 such bytes after every all-topics Metadata v9+ request.
            LOG.debug("Ignoring {} bytes after a {} v{} request from {} (correlation id {})", buffer.remaining(),
                    api.name(), version, ctx.channel().remoteAddress(), header.correlationId());
        }
        out.add(new KafkaRequest(header, api, body, size, frame.retain()));
    }

    private void reject(ChannelHandlerContext ctx, String reason, Exception cause) {
        rejected = true;
        log.warn(LOG, "bad-request", "Closing connection from " + ctx.channel().remoteAddress() + ": " + reason
                + (cause == null ? "" : ": " + cause));
        ctx.close();
    }
}
