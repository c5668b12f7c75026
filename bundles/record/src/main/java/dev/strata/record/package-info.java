/**
 * Kafka's v2 record-batch format (magic 2) as plain Java over {@link java.nio.ByteBuffer}: the broker, the log
 * stores and the coordinators share it without depending on kafka-clients, which stays private to the protocol
 * bundle.
 */
@Export
@Version("1.3.0")
package dev.strata.record;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
