/*
 * A small command line client on librdkafka, built by itests/clients/build.sh and run by the itests
 * (RdkafkaClient.java) against a Strata container: the newest librdkafka exactly as an application uses it.
 *
 *   rdkafka_client BOOTSTRAP list-topics
 *   rdkafka_client BOOTSTRAP produce TOPIC FROM COUNT CODEC     keys k<i>, values v<i>, i in [FROM, FROM+COUNT)
 *   rdkafka_client BOOTSTRAP consume-regex GROUP REGEX COUNT    subscribe(REGEX), read COUNT records, commit, close
 *   rdkafka_client BOOTSTRAP init-transactions TXN_ID TIMEOUT_MS
 *   rdkafka_client BOOTSTRAP create-topic TOPIC PARTITIONS
 *   rdkafka_client BOOTSTRAP describe-topic TOPIC                with authorized operations
 *   rdkafka_client BOOTSTRAP describe-cluster                    with authorized operations
 *   rdkafka_client BOOTSTRAP describe-group GROUP
 *   rdkafka_client BOOTSTRAP delete-topic TOPIC
 *
 * Output: one fact a line, "name value ...", for the test to parse; diagnostics on stderr. Exit 0 when the
 * command did what it says, 1 otherwise (init-transactions exits 0 and prints the outcome, which is what is tested).
 * Every wait is bounded (WAIT_MS) so a run always ends by itself. RDKAFKA_DEBUG in the environment sets librdkafka's
 * "debug" property.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rdkafka.h"

#define WAIT_MS 30000

static const char *bootstrap;

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void die(const char *what, const char *detail) {
        fprintf(stderr, "error: %s: %s\n", what, detail);
        exit(1);
}

static void set(rd_kafka_conf_t *conf, const char *name, const char *value) {
        char errstr[512];
        if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK)
                die(name, errstr);
}

static rd_kafka_conf_t *new_conf(void) {
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        set(conf, "bootstrap.servers", bootstrap);
        set(conf, "client.id", "strata-itest-rdkafka");
        /* librdkafka's own debug contexts (e.g. "protocol,cgrp") when diagnosing a run by hand. */
        if (getenv("RDKAFKA_DEBUG"))
                set(conf, "debug", getenv("RDKAFKA_DEBUG"));
        return conf;
}

static rd_kafka_t *new_client(rd_kafka_type_t type, rd_kafka_conf_t *conf) {
        char errstr[512];
        rd_kafka_t *rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
        if (!rk)
                die("rd_kafka_new", errstr);
        return rk;
}

static int list_topics(void) {
        rd_kafka_t *rk = new_client(RD_KAFKA_PRODUCER, new_conf());
        const struct rd_kafka_metadata *md;
        /* all_topics=1: the Metadata request for every topic (v13 on a current broker). */
        rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, NULL, &md, WAIT_MS);
        if (err)
                die("metadata", rd_kafka_err2str(err));
        for (int i = 0; i < md->broker_cnt; i++)
                printf("broker %" PRId32 " %s:%d\n", md->brokers[i].id, md->brokers[i].host, md->brokers[i].port);
        for (int i = 0; i < md->topic_cnt; i++)
                printf("topic %s %d %s\n", md->topics[i].topic, md->topics[i].partition_cnt,
                       rd_kafka_err2name(md->topics[i].err));
        rd_kafka_metadata_destroy(md);
        rd_kafka_destroy(rk);
        return 0;
}

static int delivered, failed;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
        (void)rk;
        (void)opaque;
        if (m->err) {
                failed++;
                fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(m->err));
                return;
        }
        delivered++;
        printf("delivered %" PRId32 " %" PRId64 " %.*s\n", m->partition, m->offset, (int)m->key_len,
               (const char *)m->key);
}

static int produce(const char *topic, int from, int count, const char *codec) {
        rd_kafka_conf_t *conf = new_conf();
        set(conf, "compression.codec", codec);
        set(conf, "enable.idempotence", "true");
        set(conf, "linger.ms", "5");
        rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
        rd_kafka_t *rk = new_client(RD_KAFKA_PRODUCER, conf);
        char key[32], value[64];
        for (int i = from; i < from + count; i++) {
                snprintf(key, sizeof(key), "k%d", i);
                snprintf(value, sizeof(value), "v%d", i);
                rd_kafka_resp_err_t err;
                while ((err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                                                RD_KAFKA_V_VALUE(value, strlen(value)),
                                                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
                       RD_KAFKA_RESP_ERR__QUEUE_FULL)
                        rd_kafka_poll(rk, 100);
                if (err)
                        die("produce", rd_kafka_err2str(err));
                rd_kafka_poll(rk, 0);
        }
        rd_kafka_flush(rk, WAIT_MS);
        rd_kafka_destroy(rk);
        printf("acknowledged %d failed %d\n", delivered, failed);
        return delivered == count ? 0 : 1;
}

static int consume_regex(const char *group, const char *regex, int count) {
        rd_kafka_conf_t *conf = new_conf();
        set(conf, "group.id", group);
        set(conf, "auto.offset.reset", "earliest");
        set(conf, "enable.auto.commit", "false");
        set(conf, "topic.metadata.refresh.interval.ms", "1000");
        rd_kafka_t *rk = new_client(RD_KAFKA_CONSUMER, conf);
        rd_kafka_poll_set_consumer(rk);
        rd_kafka_topic_partition_list_t *subscription = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(subscription, regex, RD_KAFKA_PARTITION_UA);
        rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, subscription);
        rd_kafka_topic_partition_list_destroy(subscription);
        if (err)
                die("subscribe", rd_kafka_err2str(err));
        int read = 0;
        int64_t deadline = now_ms() + WAIT_MS;
        while (read < count && now_ms() < deadline) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
                if (!m)
                        continue;
                if (m->err) {
                        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                                fprintf(stderr, "consume error: %s\n", rd_kafka_message_errstr(m));
                } else {
                        read++;
                        printf("record %s %" PRId32 " %" PRId64 " %.*s %.*s\n", rd_kafka_topic_name(m->rkt),
                               m->partition, m->offset, (int)m->key_len, (const char *)m->key, (int)m->len,
                               (const char *)m->payload);
                }
                rd_kafka_message_destroy(m);
        }
        err = read > 0 ? rd_kafka_commit(rk, NULL, 0) : RD_KAFKA_RESP_ERR_NO_ERROR;
        printf("consumed %d committed %s\n", read, rd_kafka_err2name(err));
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
        return read == count && !err ? 0 : 1;
}

static int init_transactions(const char *txn_id, int timeout_ms) {
        rd_kafka_conf_t *conf = new_conf();
        set(conf, "transactional.id", txn_id);
        rd_kafka_t *rk = new_client(RD_KAFKA_PRODUCER, conf);
        int64_t start = now_ms();
        rd_kafka_error_t *error = rd_kafka_init_transactions(rk, timeout_ms);
        int64_t elapsed = now_ms() - start;
        if (!error) {
                printf("init-transactions OK elapsed_ms %" PRId64 "\n", elapsed);
        } else {
                printf("init-transactions %s fatal %d retriable %d abortable %d elapsed_ms %" PRId64 "\n",
                       rd_kafka_error_name(error), rd_kafka_error_is_fatal(error),
                       rd_kafka_error_is_retriable(error), rd_kafka_error_txn_requires_abort(error), elapsed);
                printf("message %s\n", rd_kafka_error_string(error));
                rd_kafka_error_destroy(error);
        }
        rd_kafka_destroy(rk);
        return 0;
}

/* Runs one admin call on a private queue and returns its result event (or dies after WAIT_MS). */
static rd_kafka_event_t *admin_wait(rd_kafka_queue_t *queue, rd_kafka_event_type_t type) {
        rd_kafka_event_t *event = rd_kafka_queue_poll(queue, WAIT_MS + 5000);
        if (!event)
                die("admin", "no result");
        if (rd_kafka_event_type(event) != type)
                die("admin", rd_kafka_event_name(event));
        if (rd_kafka_event_error(event))
                die("admin", rd_kafka_event_error_string(event));
        return event;
}

static rd_kafka_AdminOptions_t *admin_options(rd_kafka_t *rk, int with_operations) {
        char errstr[512];
        rd_kafka_AdminOptions_t *options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_ANY);
        if (rd_kafka_AdminOptions_set_request_timeout(options, WAIT_MS, errstr, sizeof(errstr)))
                die("request timeout", errstr);
        if (with_operations) {
                rd_kafka_error_t *error = rd_kafka_AdminOptions_set_include_authorized_operations(options, 1);
                if (error)
                        die("include authorized operations", rd_kafka_error_string(error));
        }
        return options;
}

static void print_operations(const char *what, const rd_kafka_AclOperation_t *ops, size_t cnt) {
        printf("%s", what);
        if (!ops)
                printf(" (none)");
        for (size_t i = 0; i < cnt; i++)
                printf(" %s", rd_kafka_AclOperation_name(ops[i]));
        printf("\n");
}

static int create_topic(rd_kafka_t *rk, rd_kafka_queue_t *queue, const char *topic, int partitions) {
        char errstr[512];
        rd_kafka_NewTopic_t *new_topic = rd_kafka_NewTopic_new(topic, partitions, -1, errstr, sizeof(errstr));
        if (!new_topic)
                die("new topic", errstr);
        rd_kafka_AdminOptions_t *options = admin_options(rk, 0);
        rd_kafka_CreateTopics(rk, &new_topic, 1, options, queue);
        rd_kafka_event_t *event = admin_wait(queue, RD_KAFKA_EVENT_CREATETOPICS_RESULT);
        size_t cnt;
        const rd_kafka_topic_result_t **results =
            rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &cnt);
        int ok = 1;
        for (size_t i = 0; i < cnt; i++) {
                rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
                printf("created %s %s\n", rd_kafka_topic_result_name(results[i]), rd_kafka_err2name(err));
                ok &= err == RD_KAFKA_RESP_ERR_NO_ERROR;
        }
        rd_kafka_event_destroy(event);
        rd_kafka_AdminOptions_destroy(options);
        rd_kafka_NewTopic_destroy(new_topic);
        return ok ? 0 : 1;
}

static int delete_topic(rd_kafka_t *rk, rd_kafka_queue_t *queue, const char *topic) {
        rd_kafka_DeleteTopic_t *target = rd_kafka_DeleteTopic_new(topic);
        rd_kafka_AdminOptions_t *options = admin_options(rk, 0);
        rd_kafka_DeleteTopics(rk, &target, 1, options, queue);
        rd_kafka_event_t *event = admin_wait(queue, RD_KAFKA_EVENT_DELETETOPICS_RESULT);
        size_t cnt;
        const rd_kafka_topic_result_t **results =
            rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &cnt);
        int ok = 1;
        for (size_t i = 0; i < cnt; i++) {
                rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
                printf("deleted %s %s\n", rd_kafka_topic_result_name(results[i]), rd_kafka_err2name(err));
                ok &= err == RD_KAFKA_RESP_ERR_NO_ERROR;
        }
        rd_kafka_event_destroy(event);
        rd_kafka_AdminOptions_destroy(options);
        rd_kafka_DeleteTopic_destroy(target);
        return ok ? 0 : 1;
}

static int describe_topic(rd_kafka_t *rk, rd_kafka_queue_t *queue, const char *topic) {
        const char *names[] = {topic};
        rd_kafka_TopicCollection_t *topics = rd_kafka_TopicCollection_of_topic_names(names, 1);
        rd_kafka_AdminOptions_t *options = admin_options(rk, 1);
        rd_kafka_DescribeTopics(rk, topics, options, queue);
        rd_kafka_event_t *event = admin_wait(queue, RD_KAFKA_EVENT_DESCRIBETOPICS_RESULT);
        size_t cnt;
        const rd_kafka_TopicDescription_t **descriptions =
            rd_kafka_DescribeTopics_result_topics(rd_kafka_event_DescribeTopics_result(event), &cnt);
        int ok = cnt == 1;
        for (size_t i = 0; i < cnt; i++) {
                const rd_kafka_error_t *error = rd_kafka_TopicDescription_error(descriptions[i]);
                size_t partitions, ops_cnt;
                rd_kafka_TopicDescription_partitions(descriptions[i], &partitions);
                printf("topic %s %s partitions %zu\n", rd_kafka_TopicDescription_name(descriptions[i]),
                       error ? rd_kafka_error_name(error) : "NO_ERROR", partitions);
                const rd_kafka_AclOperation_t *ops =
                    rd_kafka_TopicDescription_authorized_operations(descriptions[i], &ops_cnt);
                print_operations("operations", ops, ops_cnt);
                ok &= !error;
        }
        rd_kafka_event_destroy(event);
        rd_kafka_AdminOptions_destroy(options);
        rd_kafka_TopicCollection_destroy(topics);
        return ok ? 0 : 1;
}

static int describe_cluster(rd_kafka_t *rk, rd_kafka_queue_t *queue) {
        rd_kafka_AdminOptions_t *options = admin_options(rk, 1);
        rd_kafka_DescribeCluster(rk, options, queue);
        rd_kafka_event_t *event = admin_wait(queue, RD_KAFKA_EVENT_DESCRIBECLUSTER_RESULT);
        const rd_kafka_DescribeCluster_result_t *result = rd_kafka_event_DescribeCluster_result(event);
        size_t nodes_cnt, ops_cnt;
        const rd_kafka_Node_t **nodes = rd_kafka_DescribeCluster_result_nodes(result, &nodes_cnt);
        const rd_kafka_Node_t *controller = rd_kafka_DescribeCluster_result_controller(result);
        printf("cluster %s\n", rd_kafka_DescribeCluster_result_cluster_id(result));
        printf("controller %d\n", controller ? rd_kafka_Node_id(controller) : -1);
        for (size_t i = 0; i < nodes_cnt; i++)
                printf("node %d %s:%" PRIu16 "\n", rd_kafka_Node_id(nodes[i]), rd_kafka_Node_host(nodes[i]),
                       rd_kafka_Node_port(nodes[i]));
        const rd_kafka_AclOperation_t *ops = rd_kafka_DescribeCluster_result_authorized_operations(result, &ops_cnt);
        print_operations("operations", ops, ops_cnt);
        rd_kafka_event_destroy(event);
        rd_kafka_AdminOptions_destroy(options);
        return 0;
}

static int describe_group(rd_kafka_t *rk, rd_kafka_queue_t *queue, const char *group) {
        const char *groups[] = {group};
        rd_kafka_AdminOptions_t *options = admin_options(rk, 1);
        rd_kafka_DescribeConsumerGroups(rk, groups, 1, options, queue);
        rd_kafka_event_t *event = admin_wait(queue, RD_KAFKA_EVENT_DESCRIBECONSUMERGROUPS_RESULT);
        size_t cnt, ops_cnt;
        const rd_kafka_ConsumerGroupDescription_t **descriptions = rd_kafka_DescribeConsumerGroups_result_groups(
            rd_kafka_event_DescribeConsumerGroups_result(event), &cnt);
        for (size_t i = 0; i < cnt; i++) {
                const rd_kafka_error_t *error = rd_kafka_ConsumerGroupDescription_error(descriptions[i]);
                printf("group %s %s state %s\n", rd_kafka_ConsumerGroupDescription_group_id(descriptions[i]),
                       error ? rd_kafka_error_name(error) : "NO_ERROR",
                       rd_kafka_consumer_group_state_name(
                           rd_kafka_ConsumerGroupDescription_state(descriptions[i])));
                const rd_kafka_AclOperation_t *ops =
                    rd_kafka_ConsumerGroupDescription_authorized_operations(descriptions[i], &ops_cnt);
                print_operations("operations", ops, ops_cnt);
        }
        rd_kafka_event_destroy(event);
        rd_kafka_AdminOptions_destroy(options);
        return cnt == 1 ? 0 : 1;
}

static int admin(int argc, char **argv) {
        rd_kafka_t *rk = new_client(RD_KAFKA_PRODUCER, new_conf());
        rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
        const char *command = argv[2];
        int rc;
        if (!strcmp(command, "create-topic") && argc == 5)
                rc = create_topic(rk, queue, argv[3], atoi(argv[4]));
        else if (!strcmp(command, "delete-topic") && argc == 4)
                rc = delete_topic(rk, queue, argv[3]);
        else if (!strcmp(command, "describe-topic") && argc == 4)
                rc = describe_topic(rk, queue, argv[3]);
        else if (!strcmp(command, "describe-cluster") && argc == 3)
                rc = describe_cluster(rk, queue);
        else if (!strcmp(command, "describe-group") && argc == 4)
                rc = describe_group(rk, queue, argv[3]);
        else
                die("usage", "see the comment at the top of rdkafka_client.c");
        rd_kafka_queue_destroy(queue);
        rd_kafka_destroy(rk);
        return rc;
}

int main(int argc, char **argv) {
        if (argc < 3)
                die("usage", "rdkafka_client BOOTSTRAP COMMAND ARGS...");
        setvbuf(stdout, NULL, _IOLBF, 0);
        bootstrap = argv[1];
        const char *command = argv[2];
        fprintf(stderr, "librdkafka %s\n", rd_kafka_version_str());
        if (!strcmp(command, "list-topics") && argc == 3)
                return list_topics();
        if (!strcmp(command, "produce") && argc == 7)
                return produce(argv[3], atoi(argv[4]), atoi(argv[5]), argv[6]);
        if (!strcmp(command, "consume-regex") && argc == 6)
                return consume_regex(argv[3], argv[4], atoi(argv[5]));
        if (!strcmp(command, "init-transactions") && argc == 5)
                return init_transactions(argv[3], atoi(argv[4]));
        return admin(argc, argv);
}
