// A small command line client on KafkaJS, run by the itests (ThirdPartyClient.java) against a Strata container;
// KafkaJS comes from npm through itests/clients/build.sh (NODE_PATH points at it).
//
//   node kafkajs_client.js BOOTSTRAP create-topic TOPIC PARTITIONS
//   node kafkajs_client.js BOOTSTRAP describe TOPIC           topic metadata, the topic list and the cluster
//   node kafkajs_client.js BOOTSTRAP delete-topic TOPIC
//   node kafkajs_client.js BOOTSTRAP create-partitions TOPIC COUNT   grow the topic to COUNT partitions
//   node kafkajs_client.js BOOTSTRAP delete-records TOPIC PARTITION OFFSET   then each partition's low and high
//   node kafkajs_client.js BOOTSTRAP produce TOPIC FROM COUNT  keys k<i>, values v<i> for i in [FROM, FROM+COUNT)
//   node kafkajs_client.js BOOTSTRAP consume TOPIC GROUP COUNT read COUNT records in the group, commit, leave
//   node kafkajs_client.js BOOTSTRAP describe-group GROUP
//   node kafkajs_client.js BOOTSTRAP transaction TXN_ID        what a transactional producer gets
//
// Output: one fact a line, "name value ...", for the test to parse. Exit 0 when the command did what it says, 1
// with the error on stderr otherwise (transaction exits 0 and prints the outcome, which is what is tested). Every
// wait is bounded (WAIT_MS) so a run always ends by itself.
'use strict'

const { Kafka, logLevel } = require('kafkajs')

const WAIT_MS = 30000
// The whole command: two waits and a margin, still below the test's own bound for a run.
const RUN_MS = 75000
const [bootstrap, command, ...args] = process.argv.slice(2)

const kafka = new Kafka({
  clientId: 'strata-itest-kafkajs',
  brokers: [bootstrap],
  logLevel: logLevel.WARN,
  connectionTimeout: 5000,
  requestTimeout: WAIT_MS,
  retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 }
})

function print (...words) {
  process.stdout.write(words.join(' ') + '\n')
}

function within (promise, what, ms = WAIT_MS) {
  let timer
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(what + ' did not finish within ' + ms + ' ms')), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

async function withAdmin (work) {
  const admin = kafka.admin()
  await admin.connect()
  try {
    return await work(admin)
  } finally {
    await admin.disconnect()
  }
}

async function createTopic (topic, partitions) {
  const created = await withAdmin(admin => admin.createTopics({
    topics: [{ topic, numPartitions: Number(partitions) }],
    waitForLeaders: true,
    timeout: WAIT_MS
  }))
  print('created', topic, created)
}

async function describe (topic) {
  await withAdmin(async admin => {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] })
    for (const t of metadata.topics) {
      for (const p of t.partitions.sort((a, b) => a.partitionId - b.partitionId)) {
        print('partition', t.name, p.partitionId, 'leader', p.leader, 'replicas', p.replicas.join(','),
          'isr', p.isr.join(','))
      }
    }
    for (const name of (await admin.listTopics()).sort()) {
      print('listed', name)
    }
    const cluster = await admin.describeCluster()
    print('cluster', cluster.clusterId, 'controller', cluster.controller)
    for (const b of cluster.brokers) {
      print('broker', b.nodeId, b.host + ':' + b.port)
    }
  })
}

async function deleteTopic (topic) {
  await withAdmin(admin => admin.deleteTopics({ topics: [topic], timeout: WAIT_MS }))
  print('deleted', topic)
}

async function createPartitions (topic, count) {
  await withAdmin(admin => admin.createPartitions({
    topicPartitions: [{ topic, count: Number(count) }],
    timeout: WAIT_MS
  }))
  print('partitions', topic, count)
}

async function deleteRecords (topic, partition, offset) {
  await withAdmin(async admin => {
    // KafkaJS looks the leaders up in metadata it must have loaded already (against Kafka too).
    await admin.fetchTopicMetadata({ topics: [topic] })
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: Number(partition), offset }] })
    for (const p of (await admin.fetchTopicOffsets(topic)).sort((a, b) => a.partition - b.partition)) {
      print('offsets', topic, p.partition, 'low', p.low, 'high', p.high)
    }
  })
}

async function produce (topic, from, count) {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  try {
    const first = Number(from)
    const messages = []
    for (let i = first; i < first + Number(count); i++) {
      messages.push({ key: 'k' + i, value: 'v' + i })
    }
    let acknowledged = 0
    // Batches of 100, each acknowledged by every partition it touched (acks=-1).
    for (let start = 0; start < messages.length; start += 100) {
      const results = await producer.send({ topic, acks: -1, messages: messages.slice(start, start + 100) })
      for (const r of results) {
        if (r.errorCode !== 0) {
          throw new Error('partition ' + r.partition + ' answered error ' + r.errorCode)
        }
      }
      acknowledged += Math.min(100, messages.length - start)
    }
    print('acknowledged', acknowledged)
  } finally {
    await producer.disconnect()
  }
}

async function consume (topic, group, count) {
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10000, heartbeatInterval: 1000 })
  await consumer.connect()
  const wanted = Number(count)
  const next = new Map() // partition -> next offset to consume
  let read = 0
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await within(new Promise((resolve, reject) => {
      consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (read >= wanted) {
            return
          }
          read++
          next.set(partition, (BigInt(message.offset) + 1n).toString())
          print('record', partition, message.offset, message.key.toString(), message.value.toString())
          if (read === wanted) {
            resolve()
          }
        }
      }).catch(reject)
    }), 'consuming ' + wanted + ' records')
    const offsets = [...next.entries()].map(([partition, offset]) => ({ topic, partition, offset }))
    await consumer.commitOffsets(offsets)
    print('committed', offsets.map(o => o.partition + '@' + o.offset).sort().join(','))
  } finally {
    await consumer.disconnect()
  }
  print('consumed', read)
}

async function describeGroup (group) {
  await withAdmin(async admin => {
    const described = await admin.describeGroups([group])
    for (const g of described.groups) {
      print('group', g.groupId, 'error', g.errorCode, 'state', g.state, 'members', g.members.length)
    }
  })
}

async function transaction (transactionalId) {
  const producer = kafka.producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 })
  const started = Date.now()
  try {
    await producer.connect()
    const txn = await producer.transaction()
    await txn.abort()
    print('transaction OK elapsed_ms', Date.now() - started)
  } catch (e) {
    print('transaction', e.type || e.name, 'retriable', e.retriable, 'elapsed_ms', Date.now() - started)
    print('message', e.message)
  } finally {
    await producer.disconnect()
  }
}

const commands = {
  'create-topic': createTopic,
  describe,
  'delete-topic': deleteTopic,
  'create-partitions': createPartitions,
  'delete-records': deleteRecords,
  produce,
  consume,
  'describe-group': describeGroup,
  transaction
}

const run = commands[command]
if (!run || run.length !== args.length) {
  process.stderr.write('usage: see the comment at the top of kafkajs_client.js\n')
  process.exit(1)
}
within(run(...args), command, RUN_MS).then(() => process.exit(0), e => {
  process.stderr.write((e && e.stack ? e.stack : String(e)) + '\n')
  process.exit(1)
})
