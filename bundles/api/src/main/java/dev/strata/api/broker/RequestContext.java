package dev.strata.api.broker;

/**
 * Who sent a request: for quotas, authorization and logs.
 *
 * @param clientId the client-id from the request header (may be empty)
 * @param principal the authenticated user, {@code ANONYMOUS} without authentication
 * @param clientAddress the peer's address as text
 * @param listener the name of the listener the request arrived on; {@link #INTERNAL_LISTENER} for calls the
 *     broker's own components make
 */
public record RequestContext(String clientId, String principal, String clientAddress, String listener) {
    public static final String ANONYMOUS = "User:ANONYMOUS";

    /**
     * The listener name of requests from inside the container (e.g. the group coordinator writing
     * {@code __consumer_offsets}). Protocol bundles never use it for client requests; only such calls may write to
     * internal topics.
     */
    public static final String INTERNAL_LISTENER = "internal";

    /** A context for a call the container's own component {@code component} makes (not a client). */
    public static RequestContext internal(String component) {
        return new RequestContext(component, "User:strata-internal", INTERNAL_LISTENER, INTERNAL_LISTENER);
    }

    /** Whether the call comes from inside the container rather than from a client connection. */
    public boolean isInternal() {
        return INTERNAL_LISTENER.equals(listener);
    }
}
