package dev.strata.api.broker;

/**
 * Who sent a request: for quotas, authorization and logs.
 *
 * @param clientId the client-id from the request header (may be empty)
 * @param principal the authenticated user, {@code ANONYMOUS} without authentication
 * @param clientAddress the peer's address as text
 * @param listener the name of the listener the request arrived on
 */
public record RequestContext(String clientId, String principal, String clientAddress, String listener) {
    public static final String ANONYMOUS = "User:ANONYMOUS";
}
