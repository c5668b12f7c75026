package dev.strata.protocol.kafka.internal;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/** A blocking Kafka connection over a plain socket, speaking bytes the test chooses. Not thread-safe. */
final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    RawConnection(int port) throws IOException {
        this(port, null);
    }

    /** Connects from a chosen local address (any 127.x.y.z is loopback on Linux), or any when null. */
    RawConnection(int port, java.net.InetAddress local) throws IOException {
        socket = new Socket("127.0.0.1", port, local, 0);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** A size-prefixed request: header in the version the API uses, then the body. */
    static byte[] request(ApiMessage body, short version, int correlationId) {
        ApiMessageType api = ApiMessageType.fromApiKey(body.apiKey());
        short headerVersion = api.requestHeaderVersion(version);
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(body.apiKey())
                .setRequestApiVersion(version).setCorrelationId(correlationId).setClientId("raw-test");
        ObjectSerializationCache cache = new ObjectSerializationCache();
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        body.addSize(size, cache, version);
        ByteBuffer buf = ByteBuffer.allocate(4 + size.totalSize());
        buf.putInt(size.totalSize());
        ByteBufferAccessor writer = new ByteBufferAccessor(buf);
        header.write(writer, cache, headerVersion);
        body.write(writer, cache, version);
        return buf.array();
    }

    void send(ApiMessage body, short version, int correlationId) throws IOException {
        sendRaw(request(body, version, correlationId));
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one response frame; returns it positioned after the correlation id (header v0). */
    ByteBuffer readFrame() throws IOException {
        int size = in.readInt();
        byte[] body = new byte[size];
        in.readFully(body);
        return ByteBuffer.wrap(body);
    }

    /** Reads one response and its header in the version the API uses; returns the correlation id. */
    int readResponse(ApiMessage into, short version) throws IOException {
        ByteBuffer frame = readFrame();
        ApiMessageType api = ApiMessageType.fromApiKey(into.apiKey());
        ByteBufferAccessor reader = new ByteBufferAccessor(frame);
        ResponseHeaderData header = new ResponseHeaderData(reader, api.responseHeaderVersion(version));
        into.read(reader, version);
        if (frame.hasRemaining()) {
            throw new IOException(frame.remaining() + " bytes left after " + api.name() + " v" + version);
        }
        return header.correlationId();
    }

    /** Whether the server closed the connection (EOF or reset) within the socket timeout. */
    boolean closedByPeer() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (EOFException | SocketException e) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
