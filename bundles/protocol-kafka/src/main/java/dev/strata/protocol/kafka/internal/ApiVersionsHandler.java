package dev.strata.protocol.kafka.internal;

import dev.strata.api.common.ErrorCode;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;

/**
 * ApiVersions: the APIs and version ranges of {@link SupportedApis}, and nothing else; the group APIs only while a
 * group coordinator is present. Stateless, thread-safe.
 */
final class ApiVersionsHandler {
    private final BooleanSupplier groupsAvailable;

    ApiVersionsHandler(BooleanSupplier groupsAvailable) {
        this.groupsAvailable = groupsAvailable;
    }

    /** What Kafka accepts as client software name and version (v3+). */
    private static final Pattern SOFTWARE = Pattern.compile("[a-zA-Z0-9](?:[a-zA-Z0-9\\-.]*[a-zA-Z0-9])?");

    ApiVersionsResponseData handle(ApiVersionsRequestData request, short version) {
        if (version >= 3 && !(valid(request.clientSoftwareName()) && valid(request.clientSoftwareVersion()))) {
            return new ApiVersionsResponseData().setErrorCode(ErrorCode.INVALID_REQUEST.code())
                    .setApiKeys(SupportedApis.apiVersions(groupsAvailable.getAsBoolean()));
        }
        return new ApiVersionsResponseData().setErrorCode(ErrorCode.NONE.code())
                .setApiKeys(SupportedApis.apiVersions(groupsAvailable.getAsBoolean())).setThrottleTimeMs(0);
    }

    /** The answer to an ApiVersions version this server does not know; encoded as v0 so any client can read it. */
    ApiVersionsResponseData unsupportedVersion() {
        return new ApiVersionsResponseData().setErrorCode(ErrorCode.UNSUPPORTED_VERSION.code())
                .setApiKeys(SupportedApis.apiVersions(groupsAvailable.getAsBoolean()));
    }

    private static boolean valid(String s) {
        return s != null && SOFTWARE.matcher(s).matches();
    }
}
