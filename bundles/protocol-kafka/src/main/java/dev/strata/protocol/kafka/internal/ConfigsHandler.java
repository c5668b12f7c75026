package dev.strata.protocol.kafka.internal;

import dev.strata.api.broker.Broker;
import dev.strata.api.broker.ConfigEntry;
import dev.strata.api.broker.ConfigOp;
import dev.strata.api.broker.ConfigResource;
import dev.strata.api.broker.RequestContext;
import dev.strata.api.common.ErrorCode;
import dev.strata.api.common.StrataException;
import dev.strata.api.logging.LoggerLevels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DescribeConfigs, IncrementalAlterConfigs and AlterConfigs for topics and brokers (the broker's) and broker loggers
 * (the logging backend's {@link LoggerLevels}, optional). Each resource is answered on its own: one resource's
 * error leaves the others alone, as in Kafka. Stateless, thread-safe.
 */
final class ConfigsHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigsHandler.class);

    /** Kafka's ConfigResource.Type ids. */
    static final byte RESOURCE_TOPIC = 2;
    static final byte RESOURCE_BROKER = 4;
    static final byte RESOURCE_BROKER_LOGGER = 8;

    /** Kafka's levels for a broker logger (LogLevelConfig.VALID_LOG_LEVELS), sorted as its message lists them. */
    private static final List<String> KAFKA_LEVELS = List.of("DEBUG", "ERROR", "FATAL", "INFO", "TRACE", "WARN");

    private final Broker broker;
    private final Supplier<LoggerLevels> loggers;

    /** @param loggers the logging backend's loggers while there is one, else null */
    ConfigsHandler(Broker broker, Supplier<LoggerLevels> loggers) {
        this.broker = broker;
        this.loggers = loggers;
    }

    DescribeConfigsResponseData describeConfigs(DescribeConfigsRequestData request, short version) {
        DescribeConfigsResponseData response = new DescribeConfigsResponseData().setThrottleTimeMs(0);
        for (DescribeConfigsResource resource : request.resources()) {
            DescribeConfigsResult out = new DescribeConfigsResult().setResourceType(resource.resourceType())
                    .setResourceName(resource.resourceName()).setErrorCode(ErrorCode.NONE.code());
            response.results().add(out);
            List<String> keys = resource.configurationKeys();
            try {
                for (ConfigEntry e : describe(resource.resourceType(), resource.resourceName())) {
                    if (keys == null || keys.isEmpty() || keys.contains(e.name())) {
                        out.configs().add(result(e, request.includeSynonyms(), request.includeDocumentation()));
                    }
                }
            } catch (StrataException e) {
                out.setErrorCode(e.error().code()).setErrorMessage(e.getMessage()).setConfigs(new ArrayList<>());
            } catch (RuntimeException e) {
                LOG.error("Describing configs of {} {} failed", resource.resourceType(), resource.resourceName(), e);
                out.setErrorCode(ErrorCode.UNKNOWN_SERVER_ERROR.code()).setErrorMessage(e.toString())
                        .setConfigs(new ArrayList<>());
            }
        }
        return response;
    }

    private List<ConfigEntry> describe(byte type, String name) {
        if (type == RESOURCE_BROKER_LOGGER) {
            LoggerLevels levels = loggers(name);
            List<ConfigEntry> out = new ArrayList<>();
            levels.levels().forEach((logger, level) -> out.add(new ConfigEntry(logger, level,
                    ConfigEntry.Source.DYNAMIC_BROKER_LOGGER_CONFIG, false, false, List.of(), null, null)));
            return out;
        }
        return broker.describeConfigs(new ConfigResource(type(type), name));
    }

    private static DescribeConfigsResourceResult result(ConfigEntry e, boolean synonyms, boolean documentation) {
        List<DescribeConfigsSynonym> list = new ArrayList<>();
        if (synonyms) {
            e.synonyms().forEach(s -> list.add(new DescribeConfigsSynonym().setName(s.name())
                    .setValue(e.sensitive() ? null : s.value()).setSource(source(s.source()))));
        }
        return new DescribeConfigsResourceResult().setName(e.name()).setValue(e.sensitive() ? null : e.value())
                .setReadOnly(e.readOnly()).setConfigSource(source(e.source())).setIsSensitive(e.sensitive())
                .setSynonyms(list).setConfigType(configType(e.type()))
                .setDocumentation(documentation ? e.documentation() : null);
    }

    IncrementalAlterConfigsResponseData incrementalAlterConfigs(IncrementalAlterConfigsRequestData request,
                                                                RequestContext context) {
        IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData().setThrottleTimeMs(0);
        Map<String, Integer> counts = counts(request.resources().stream()
                .map(r -> r.resourceType() + "/" + r.resourceName()).toList());
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource resource : request.resources()) {
            ErrorCode error = ErrorCode.NONE;
            String message = null;
            try {
                if (counts.get(resource.resourceType() + "/" + resource.resourceName()) > 1) {
                    throw new StrataException(ErrorCode.INVALID_REQUEST, "Each resource must appear at most once.");
                }
                List<ConfigOp> ops = new ArrayList<>();
                for (AlterableConfig c : resource.configs()) {
                    ops.add(new ConfigOp(c.name(), opType(c.configOperation()), c.value()));
                }
                if (resource.resourceType() == RESOURCE_BROKER_LOGGER) {
                    alterLoggers(resource.resourceName(), ops, request.validateOnly());
                } else {
                    broker.incrementalAlterConfigs(new ConfigResource(type(resource.resourceType()),
                            resource.resourceName()), ops, request.validateOnly(), context);
                }
            } catch (StrataException e) {
                error = e.error();
                message = e.getMessage();
            } catch (RuntimeException e) {
                LOG.error("IncrementalAlterConfigs of {} {} failed", resource.resourceType(),
                        resource.resourceName(), e);
                error = ErrorCode.UNKNOWN_SERVER_ERROR;
                message = e.toString();
            }
            response.responses().add(new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName())
                    .setErrorCode(error.code()).setErrorMessage(message));
        }
        return response;
    }

    AlterConfigsResponseData alterConfigs(AlterConfigsRequestData request, RequestContext context) {
        AlterConfigsResponseData response = new AlterConfigsResponseData().setThrottleTimeMs(0);
        Map<String, Integer> counts = counts(request.resources().stream()
                .map(r -> r.resourceType() + "/" + r.resourceName()).toList());
        for (AlterConfigsRequestData.AlterConfigsResource resource : request.resources()) {
            ErrorCode error = ErrorCode.NONE;
            String message = null;
            try {
                if (counts.get(resource.resourceType() + "/" + resource.resourceName()) > 1) {
                    throw new StrataException(ErrorCode.INVALID_REQUEST, "Each resource must appear at most once.");
                }
                if (resource.resourceType() == RESOURCE_BROKER_LOGGER) {
                    throw new StrataException(ErrorCode.INVALID_REQUEST, "Unknown resource type 8");
                }
                Map<String, String> configs = new LinkedHashMap<>();
                List<String> nulls = new ArrayList<>();
                for (AlterConfigsRequestData.AlterableConfig c : resource.configs()) {
                    if (configs.containsKey(c.name())) {
                        throw new StrataException(ErrorCode.INVALID_REQUEST, "Error due to duplicate config keys");
                    }
                    if (c.value() == null) {
                        nulls.add(c.name());
                    }
                    configs.put(c.name(), c.value());
                }
                if (!nulls.isEmpty()) {
                    throw new StrataException(ErrorCode.INVALID_REQUEST,
                            "Null value not supported for : " + String.join(", ", nulls));
                }
                broker.alterConfigs(new ConfigResource(type(resource.resourceType()), resource.resourceName()),
                        configs, request.validateOnly(), context);
            } catch (StrataException e) {
                error = e.error();
                message = e.getMessage();
            } catch (RuntimeException e) {
                LOG.error("AlterConfigs of {} {} failed", resource.resourceType(), resource.resourceName(), e);
                error = ErrorCode.UNKNOWN_SERVER_ERROR;
                message = e.toString();
            }
            response.responses().add(new AlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName())
                    .setErrorCode(error.code()).setErrorMessage(message));
        }
        return response;
    }

    /**
     * Kafka's RuntimeLoggerManager rules: SET to one of Kafka's levels and DELETE (back to the parent's level) of a
     * logger that exists, never DELETE of the root, no APPEND or SUBTRACT; all checked before any is applied.
     */
    private void alterLoggers(String brokerId, List<ConfigOp> ops, boolean validateOnly) {
        LoggerLevels levels = loggers(brokerId);
        Set<String> existing = levels.levels().keySet();
        for (ConfigOp op : ops) {
            switch (op.type()) {
                case SET -> {
                    requireLogger(existing, op.name());
                    if (!KAFKA_LEVELS.contains(op.value())) {
                        throw new StrataException(ErrorCode.INVALID_CONFIG, "Cannot set the log level of "
                                + op.name() + " to " + op.value() + " as it is not a supported log level. Valid log"
                                + " levels are " + String.join(", ", KAFKA_LEVELS));
                    }
                }
                case DELETE -> {
                    requireLogger(existing, op.name());
                    if (op.name().equals(LoggerLevels.ROOT)) {
                        throw new StrataException(ErrorCode.INVALID_REQUEST, "Removing the log level of the "
                                + LoggerLevels.ROOT + " logger is not allowed");
                    }
                }
                default -> throw new StrataException(ErrorCode.INVALID_REQUEST, op.type()
                        + " operation is not allowed for the BROKER_LOGGER resource");
            }
        }
        if (validateOnly) {
            return;
        }
        for (ConfigOp op : ops) {
            // Logback has no FATAL; SLF4J bridges map it to ERROR.
            String level = op.type() == ConfigOp.Type.DELETE ? null
                    : op.value().equals("FATAL") ? "ERROR" : op.value().toUpperCase(Locale.ROOT);
            levels.setLevel(op.name(), level);
            LOG.warn(level == null ? "Unset the log level of {}" : "Updated the log level of {} to {}", op.name(),
                    level);
        }
    }

    private static void requireLogger(Set<String> existing, String name) {
        if (!existing.contains(name)) {
            throw new StrataException(ErrorCode.INVALID_CONFIG, "Logger " + name + " does not exist!");
        }
    }

    /** The logging backend for this broker's loggers, checked as Kafka checks the resource name. */
    private LoggerLevels loggers(String brokerId) {
        if (brokerId == null || brokerId.isEmpty()) {
            throw new StrataException(ErrorCode.INVALID_REQUEST, "Broker id must not be empty");
        }
        int id;
        try {
            id = Integer.parseInt(brokerId);
        } catch (NumberFormatException e) {
            throw new StrataException(ErrorCode.INVALID_REQUEST, "Node id must be an integer, but it is: " + brokerId);
        }
        int self = broker.metadata().localBrokerId();
        if (id != self) {
            throw new StrataException(ErrorCode.INVALID_REQUEST, "Unexpected broker id, expected " + self
                    + " but received " + brokerId);
        }
        LoggerLevels levels = loggers.get();
        if (levels == null) {
            throw new StrataException(ErrorCode.INVALID_REQUEST, "Broker loggers cannot be described or changed: no"
                    + " logging backend service (dev.strata.api.logging.LoggerLevels) is installed");
        }
        return levels;
    }

    private static ConfigResource.Type type(byte id) {
        return switch (id) {
            case RESOURCE_TOPIC -> ConfigResource.Type.TOPIC;
            case RESOURCE_BROKER -> ConfigResource.Type.BROKER;
            default -> throw new StrataException(ErrorCode.INVALID_REQUEST, "Unsupported resource type: " + id);
        };
    }

    private static ConfigOp.Type opType(byte id) {
        return switch (id) {
            case 0 -> ConfigOp.Type.SET;
            case 1 -> ConfigOp.Type.DELETE;
            case 2 -> ConfigOp.Type.APPEND;
            case 3 -> ConfigOp.Type.SUBTRACT;
            default -> throw new StrataException(ErrorCode.INVALID_REQUEST, "Unknown operations type " + id);
        };
    }

    private static Map<String, Integer> counts(List<String> keys) {
        Map<String, Integer> counts = new HashMap<>();
        keys.forEach(k -> counts.merge(k, 1, Integer::sum));
        return counts;
    }

    /** Kafka's DescribeConfigsResponse.ConfigSource ids. */
    static byte source(ConfigEntry.Source source) {
        return switch (source) {
            case DYNAMIC_TOPIC_CONFIG -> 1;
            case DYNAMIC_BROKER_CONFIG -> 2;
            case DYNAMIC_DEFAULT_BROKER_CONFIG -> 3;
            case STATIC_BROKER_CONFIG -> 4;
            case DEFAULT_CONFIG -> 5;
            case DYNAMIC_BROKER_LOGGER_CONFIG -> 6;
        };
    }

    /** Kafka's DescribeConfigsResponse.ConfigType ids (0: unknown). */
    private static byte configType(ConfigEntry.Type type) {
        return type == null ? 0 : (byte) (type.ordinal() + 1); // BOOLEAN 1 ... PASSWORD 9, in Kafka's order
    }
}
