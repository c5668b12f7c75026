package dev.strata.api.common;

/** An error with a Kafka error code, thrown across the API so that callers can answer with the right code. */
public class StrataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode error;

    public StrataException(ErrorCode error, String message) {
        super(message);
        this.error = error;
    }

    public StrataException(ErrorCode error, String message, Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    public ErrorCode error() {
        return error;
    }
}
