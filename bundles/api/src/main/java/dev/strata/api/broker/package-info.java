/** The broker service that protocol bundles call: produce, fetch, offsets, topics, producer ids. */
@Export
@Version("1.2.0")
package dev.strata.api.broker;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
