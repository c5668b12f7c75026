/**
 * Log compaction as a service: the broker decides which partition to clean and when (dirty ratio, compaction lag,
 * its cleaner threads); a {@link dev.strata.api.cleaner.LogCleaner} decides what the cleaned segments hold.
 */
@Export
@Version("1.0.0")
package dev.strata.api.cleaner;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
