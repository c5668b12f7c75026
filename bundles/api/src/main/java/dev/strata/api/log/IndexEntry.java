package dev.strata.api.log;

/** One entry of an offset index: the absolute offset of a batch and the byte position of that batch. */
public record IndexEntry(long offset, int position) {
}
