/** The quota SPI: produce, fetch and request-time quotas per user and client-id. */
@Export
@Version("1.0.0")
package dev.strata.api.quota;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
