package dev.strata.itests;

import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/**
 * A blocking Kafka connection over a plain socket that sends one request at a time, built from kafka-clients'
 * generated message classes. For tests that need bytes a well-behaved client never sends, or a precise view of one
 * response. Not thread-safe.
 */
public final class RawKafkaConnection implements Closeable {

    static final String CLIENT_ID = "strata-itests-raw";
    /** Responses larger than this are refused rather than allocated (tests never ask for more). */
    private static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int nextCorrelationId = 1;
    private ApiVersionsResponseData versions;

    private RawKafkaConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:port; {@code timeout} bounds the connect and every read. */
    public static RawKafkaConnection open(int port, Duration timeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            return new RawKafkaConnection(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** The client side's port (the broker logs the connection as from 127.0.0.1 and this port). */
    public int localPort() {
        return socket.getLocalPort();
    }

    /** Sends ApiVersions v3 and remembers the answer for {@link #version}. */
    public ApiVersionsResponseData apiVersions() throws IOException {
        ApiVersionsRequestData request = new ApiVersionsRequestData()
                .setClientSoftwareName("strata-itests")
                .setClientSoftwareVersion("1.0");
        versions = request(ApiKeys.API_VERSIONS, (short) 3, request);
        return versions;
    }

    /**
     * The version to use for {@code key}: the highest both the broker (from ApiVersions) and this client support, at
     * most {@code clientMax}.
     */
    public short version(ApiKeys key, int clientMax) throws IOException {
        if (versions == null) {
            apiVersions();
        }
        ApiVersionsResponseData.ApiVersion broker = versions.apiKeys().find(key.id);
        if (broker == null) {
            throw new IllegalStateException("Broker does not list API " + key + " in ApiVersions");
        }
        int max = Math.min(Math.min(broker.maxVersion(), key.latestVersion()), clientMax);
        int min = Math.max(broker.minVersion(), key.oldestVersion());
        if (max < min) {
            throw new IllegalStateException("No common version for " + key + ": broker " + broker.minVersion() + ".."
                    + broker.maxVersion() + ", client " + key.oldestVersion() + ".." + Math.min(clientMax,
                    key.latestVersion()));
        }
        return (short) max;
    }

    /** Sends a request and reads its response, checking the correlation id. */
    @SuppressWarnings("unchecked")
    public <T extends ApiMessage> T request(ApiKeys key, short version, ApiMessage body) throws IOException {
        int correlationId = send(key, version, body);
        return (T) receive(key, version, correlationId);
    }

    /** Writes one request frame; returns its correlation id. */
    public int send(ApiKeys key, short version, ApiMessage body) throws IOException {
        int correlationId = nextCorrelationId++;
        out.write(encode(key, version, correlationId, body));
        out.flush();
        return correlationId;
    }

    /** The bytes of a whole request frame (size prefix included). */
    public static byte[] encode(ApiKeys key, short version, int correlationId, ApiMessage body) {
        RequestHeaderData header = new RequestHeaderData()
                .setRequestApiKey(key.id)
                .setRequestApiVersion(version)
                .setCorrelationId(correlationId)
                .setClientId(CLIENT_ID);
        short headerVersion = key.requestHeaderVersion(version);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        int size = header.size(cache, headerVersion) + body.size(cache, version);
        ByteBuffer buffer = ByteBuffer.allocate(4 + size);
        buffer.putInt(size);
        ByteBufferAccessor accessor = new ByteBufferAccessor(buffer);
        header.write(accessor, cache, headerVersion);
        body.write(accessor, cache, version);
        if (buffer.hasRemaining()) {
            throw new IllegalStateException("Encoded " + buffer.position() + " bytes, expected " + buffer.limit());
        }
        return buffer.array();
    }

    /** Reads the next response frame and parses it as the response to {@code key} at {@code version}. */
    public ApiMessage receive(ApiKeys key, short version, int expectedCorrelationId) throws IOException {
        ByteBuffer frame = ByteBuffer.wrap(readFrame());
        ResponseHeaderData header = new ResponseHeaderData(new ByteBufferAccessor(frame),
                key.responseHeaderVersion(version));
        if (header.correlationId() != expectedCorrelationId) {
            throw new IOException("Response correlation id " + header.correlationId() + ", expected "
                    + expectedCorrelationId + " (" + key + " v" + version + ")");
        }
        ApiMessage response = ApiMessageType.fromApiKey(key.id).newResponse();
        response.read(new ByteBufferAccessor(frame), version);
        return response;
    }

    /** Reads one size-prefixed frame. */
    public byte[] readFrame() throws IOException {
        int size = in.readInt();
        if (size < 0 || size > MAX_RESPONSE_BYTES) {
            throw new IOException("Response frame size " + size + " out of range");
        }
        byte[] frame = new byte[size];
        in.readFully(frame);
        return frame;
    }

    /** Writes bytes as they are (no framing added). */
    public void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Closes the sending side only, so the broker sees end of input while this side can still read. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /**
     * Waits until the broker closes the connection, reading and discarding anything it sends first.
     *
     * @return true if the connection ended (end of stream or reset) within {@code timeout}; false if it stayed open
     */
    public boolean awaitClosedByBroker(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] sink = new byte[8192];
        while (System.nanoTime() < deadline) {
            long remainingMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            socket.setSoTimeout((int) Math.min(remainingMs, Integer.MAX_VALUE));
            try {
                if (in.read(sink) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (EOFException | SocketException e) {
                return true; // reset by peer counts as closed
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
