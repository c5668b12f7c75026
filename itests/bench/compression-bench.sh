#!/usr/bin/env bash
# compression-bench.sh — producer throughput and on-disk compression ratio per codec, against a fresh copy of the
# assembled Strata distribution, with Apache Kafka's own ProducerPerformance (kafka-tools 4.1.1).
#
#   itests/bench/compression-bench.sh            (after `mvn -B -o install -DskipTests`)
#
# For each of none, gzip, snappy, lz4, zstd: create topic bench-<codec> (one partition), produce NUM_RECORDS
# JSON-like events (picked at random from a payload file of PAYLOADS distinct events, ~230 bytes each) with
# acks=all linger.ms=5 batch.size=65536 compression.type=<codec>, then sum the partition's .log files. The ratio
# is the size of the uncompressed topic's log divided by the codec's: what the codec saves on disk, record
# framing included. MB/s is ProducerPerformance's, i.e. of uncompressed payload bytes.
#
# Env: STRATA_DIST (default distribution/target/strata), KAFKA_LIB (default /tmp/kafka-ref/lib; fetched with
#      ../shared/bench/fetch-kafka.sh when missing), NUM_RECORDS (default 1000000), PAYLOADS (default 5000),
#      PORT (default 29092), HTTP_PORT (default 28080), CODECS (default "none gzip snappy lz4 zstd"),
#      BENCH_DIR (default: a new temporary directory; holds the container copy, payloads and logs),
#      TOPIC_COMPRESSION (unset: topics keep compression.type=producer; e.g. lz4 makes the broker recompress).
# Alternatively BOOTSTRAP=host:port and DATA_DIR=<its log.dirs> measure a broker that is already running
# (e.g. the reference Kafka of ../shared/bench/run-kafka.sh) instead of starting Strata; EXTERNAL_PID=<its pid>
# adds its CPU seconds.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIST="${STRATA_DIST:-$ROOT/distribution/target/strata}"
LIB="${KAFKA_LIB:-/tmp/kafka-ref/lib}"
N="${NUM_RECORDS:-1000000}"
PAYLOADS="${PAYLOADS:-5000}"
PORT="${PORT:-29092}"
HTTP_PORT="${HTTP_PORT:-28080}"
CODECS="${CODECS:-none gzip snappy lz4 zstd}"
WORK="${BENCH_DIR:-$(mktemp -d /tmp/strata-compression-bench.XXXXXX)}"
mkdir -p "$WORK"

[[ -f "$LIB/kafka-tools-4.1.1.jar" ]] || "$ROOT/../shared/bench/fetch-kafka.sh" "$LIB"
printf '%s\n' appender.e.type=Console appender.e.name=E appender.e.target=SYSTEM_ERR \
  appender.e.layout.type=PatternLayout 'appender.e.layout.pattern=[%d] %p %m (%c)%n' \
  rootLogger.level=WARN rootLogger.appenderRef.e.ref=E > "$WORK/log4j2.properties"
tool() {
  java -Xmx512m -XX:+UseG1GC -Dlog4j2.configurationFile="$WORK/log4j2.properties" -cp "$LIB/*" "$@"
}

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap stop_broker EXIT

if [[ -z "${BOOTSTRAP:-}" ]]; then
  [[ -x "$DIST/bin/strata" ]] || { echo "no assembled distribution at $DIST: run mvn install -DskipTests" >&2; exit 1; }
  HOME_DIR="$WORK/strata"
  rm -rf "$HOME_DIR"; cp -r "$DIST" "$HOME_DIR"; rm -rf "$HOME_DIR/data"
  set_prop "$HOME_DIR/etc/dev.strata.protocol.kafka.cfg" port "$PORT"
  set_prop "$HOME_DIR/etc/dev.strata.broker.cfg" log.dirs "$HOME_DIR/data"
  set_prop "$HOME_DIR/etc/config.properties" org.osgi.service.http.port "$HTTP_PORT"
  (cd "$HOME_DIR" && exec bin/strata < /dev/null > "$WORK/strata.log" 2>&1) &
  BROKER_PID=$!
  BOOTSTRAP="127.0.0.1:$PORT"
  DATA_DIR="$HOME_DIR/data"
  for _ in $(seq 1 120); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.5
  done
fi
: "${DATA_DIR:?DATA_DIR must name the log.dirs of the broker}"
hp="${BOOTSTRAP%%,*}"
(exec 3<>"/dev/tcp/${hp%:*}/${hp##*:}") 2>/dev/null || { echo "cannot connect to $hp" >&2; exit 1; }

# JSON-like events: repetitive field names and value vocabularies, varying ids, times and amounts.
awk -v n="$PAYLOADS" 'BEGIN { srand(42); split("view click purchase search add_to_cart", act, " ");
  split("web ios android", src, " "); split("eu-west us-east ap-south", reg, " ");
  for (i = 0; i < n; i++) {
    printf "{\"id\":%d,\"ts\":\"2026-11-25T%02d:%02d:%02d.%03dZ\",\"user\":\"user-%d\",\"session\":\"%08x\",", \
      1000000 + i, int(rand()*24), int(rand()*60), int(rand()*60), int(rand()*1000), int(rand()*5000), int(rand()*2^31);
    printf "\"action\":\"%s\",\"page\":\"/catalog/items/%d\",\"amount\":%.2f,\"source\":\"%s\",\"region\":\"%s\",", \
      act[1 + int(rand()*5)], int(rand()*2000), rand()*500, src[1 + int(rand()*3)], reg[1 + int(rand()*3)];
    printf "\"tags\":[\"v2\",\"beta\"],\"ok\":%s}\n", (rand() < 0.9 ? "true" : "false") } }' > "$WORK/payloads.json"

# Broker CPU seconds so far: of the Strata JVM started here, or of EXTERNAL_PID (a broker started elsewhere).
CPU_PID="${EXTERNAL_PID:-$BROKER_PID}"
cpu() { [[ -n "$CPU_PID" ]] && awk -v t="$(getconf CLK_TCK)" '{printf "%.1f", ($14+$15)/t}' "/proc/$CPU_PID/stat" \
  2>/dev/null || echo 0; }

AVG="$(awk '{s += length($0)} END {printf "%d", s/NR}' "$WORK/payloads.json")"
echo "# $(date -u +%FT%TZ) $(nproc) cores; $N records per codec from $PAYLOADS payloads of avg $AVG bytes;" \
  "broker $BOOTSTRAP; topic compression.type=${TOPIC_COMPRESSION:-producer}"
printf '%-7s %12s %8s %8s %8s %14s %7s %13s\n' codec records/s MB/s avg_ms p99_ms log_bytes ratio broker_cpu_s
NONE_BYTES=""
for codec in $CODECS; do
  topic="bench-$codec-$$"
  tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create --topic "$topic" \
    --partitions 1 --replication-factor 1 ${TOPIC_COMPRESSION:+--config "compression.type=$TOPIC_COMPRESSION"} \
    > "$WORK/create-$codec.log" 2>&1
  c0="$(cpu)"
  tool org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$N" \
    --payload-file "$WORK/payloads.json" --throughput -1 --producer-props acks=all linger.ms=5 batch.size=65536 \
    "compression.type=$codec" "bootstrap.servers=$BOOTSTRAP" > "$WORK/produce-$codec.log" 2>&1
  c1="$(cpu)"
  bytes="$(find "$DATA_DIR/$topic-0" -name '*.log' -printf '%s\n' | awk '{s += $1} END {print s}')"
  [[ "$codec" == none ]] && NONE_BYTES="$bytes"
  ratio="$( [[ -n "$NONE_BYTES" ]] && awk -v a="$NONE_BYTES" -v b="$bytes" 'BEGIN{printf "%.2f", a/b}' || echo "-")"
  grep 'records sent' "$WORK/produce-$codec.log" | tail -1 | awk -F', ' -v c="$codec" -v b="$bytes" \
    -v r="$ratio" -v cpu="$(awk -v a="$c0" -v b="$c1" 'BEGIN{printf "%.1f", b-a}')" '{
    split($2, a, " "); gsub(/[()]/, "", a[3]); split($3, l, " "); split($7, p, " ");
    printf "%-7s %12.0f %8.2f %8.1f %8d %14d %7s %13s\n", c, a[1], a[3], l[1], p[1], b, r, cpu }'
done
echo "# logs: $WORK"
