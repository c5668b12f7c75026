package dev.strata.api.quota;

/** What a quota limits. */
public enum QuotaType {
    PRODUCE_BYTES,
    FETCH_BYTES,
    REQUEST_TIME
}
