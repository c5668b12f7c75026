package dev.strata.record;

import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;

/** A record batch that does not follow the v2 format or fails its CRC; carries the Kafka error to answer with. */
public class InvalidRecordException extends StrataException {
    private static final long serialVersionUID = 1L;

    public InvalidRecordException(ErrorCode error, String message) {
        super(error, message);
    }

    public InvalidRecordException(ErrorCode error, String message, Throwable cause) {
        super(error, message, cause);
    }

    public static InvalidRecordException corrupt(String message) {
        return new InvalidRecordException(ErrorCode.CORRUPT_MESSAGE, message);
    }
}
