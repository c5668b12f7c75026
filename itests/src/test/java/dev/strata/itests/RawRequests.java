package dev.strata.itests;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.SimpleRecord;

/**
 * Single Produce and Fetch requests for {@link RawKafkaConnection}, addressed by topic name (so at most version 12 of
 * either API, which every Kafka-protocol broker of this generation supports). Stateless; thread-safe.
 */
final class RawRequests {

    /** Highest Produce / Fetch versions that address topics by name (v13 switched to topic ids). */
    static final int MAX_BY_NAME_VERSION = 12;

    private RawRequests() {
    }

    /** A valid uncompressed v2 batch of string values (keys null, timestamp now). */
    static MemoryRecords batch(String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(System.currentTimeMillis(), null, values[i].getBytes());
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    /** Sends a Produce of {@code records} to one partition and returns that partition's answer. */
    static ProduceResponseData.PartitionProduceResponse produce(RawKafkaConnection connection, String topic,
                                                                int partition, short acks, ByteBuffer records)
            throws IOException {
        short version = connection.version(ApiKeys.PRODUCE, MAX_BY_NAME_VERSION);
        ProduceResponseData response = connection.request(ApiKeys.PRODUCE, version,
                produceRequest(topic, partition, acks, records));
        if (response.responses().size() != 1
                || response.responses().iterator().next().partitionResponses().size() != 1) {
            throw new IOException("Expected one topic and one partition in " + response);
        }
        ProduceResponseData.TopicProduceResponse topicResponse = response.responses().iterator().next();
        if (!topic.equals(topicResponse.name())) {
            throw new IOException("Produce response for topic " + topicResponse.name() + ", asked " + topic);
        }
        return topicResponse.partitionResponses().get(0);
    }

    static ProduceRequestData produceRequest(String topic, int partition, short acks, ByteBuffer records) {
        ProduceRequestData.TopicProduceDataCollection topics = new ProduceRequestData.TopicProduceDataCollection();
        ProduceRequestData.TopicProduceData topicData = new ProduceRequestData.TopicProduceData().setName(topic);
        topicData.partitionData().add(new ProduceRequestData.PartitionProduceData()
                .setIndex(partition)
                .setRecords(MemoryRecords.readableRecords(records.duplicate())));
        topics.add(topicData);
        return new ProduceRequestData()
                .setTransactionalId(null)
                .setAcks(acks)
                .setTimeoutMs(30_000)
                .setTopicData(topics);
    }

    /** A Fetch of one partition from {@code offset}, outside any fetch session. */
    static FetchRequestData fetchRequest(String topic, int partition, long offset, int maxWaitMs, int minBytes) {
        FetchRequestData.FetchTopic fetchTopic = new FetchRequestData.FetchTopic().setTopic(topic);
        fetchTopic.partitions().add(new FetchRequestData.FetchPartition()
                .setPartition(partition)
                .setFetchOffset(offset)
                .setPartitionMaxBytes(1024 * 1024));
        FetchRequestData request = new FetchRequestData()
                .setReplicaId(-1)
                .setMaxWaitMs(maxWaitMs)
                .setMinBytes(minBytes)
                .setMaxBytes(4 * 1024 * 1024)
                .setIsolationLevel((byte) 0)
                .setSessionId(0)
                .setSessionEpoch(-1);
        request.topics().add(fetchTopic);
        return request;
    }

    /**
     * The record batches of one partition from {@code fromOffset} to its high watermark, read with raw fetches (so
     * the batch headers, e.g. producer id and sequence, are visible).
     */
    static List<RecordBatch> batches(RawKafkaConnection connection, String topic, int partition, long fromOffset)
            throws IOException {
        List<RecordBatch> batches = new ArrayList<>();
        long offset = fromOffset;
        while (true) {
            FetchResponseData.PartitionData data = fetch(connection, fetchRequest(topic, partition, offset, 0, 1));
            if (data.errorCode() != 0) {
                throw new IOException("Fetch of " + topic + "-" + partition + " at " + offset + ": error "
                        + data.errorCode());
            }
            long before = offset;
            if (data.records() instanceof MemoryRecords records) {
                for (RecordBatch batch : records.batches()) {
                    if (batch.lastOffset() >= offset) {
                        batches.add(batch);
                        offset = batch.nextOffset();
                    }
                }
            }
            if (offset >= data.highWatermark()) {
                return batches;
            }
            if (offset == before) {
                throw new IOException("Fetch of " + topic + "-" + partition + " at " + offset + " below the high "
                        + "watermark " + data.highWatermark() + " returned no batch");
            }
        }
    }

    /** Sends a Fetch and returns the one partition's answer. */
    static FetchResponseData.PartitionData fetch(RawKafkaConnection connection, FetchRequestData request)
            throws IOException {
        short version = connection.version(ApiKeys.FETCH, MAX_BY_NAME_VERSION);
        FetchResponseData response = connection.request(ApiKeys.FETCH, version, request);
        if (response.errorCode() != 0) {
            throw new IOException("Fetch failed as a whole with error code " + response.errorCode());
        }
        if (response.responses().size() != 1 || response.responses().get(0).partitions().size() != 1) {
            throw new IOException("Expected one topic and one partition in " + response);
        }
        return response.responses().get(0).partitions().get(0);
    }
}
