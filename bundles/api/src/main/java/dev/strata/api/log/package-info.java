/**
 * The log-store SPI: partition logs made of record batches, their segments (for retention and compaction), and the
 * swappable offset index.
 */
@Export
@Version("3.0.0")
package dev.strata.api.log;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
