#!/usr/bin/env bash
# restart-bench.sh — how long a Strata broker takes to come back after a crash with a large log.
#
# Fills PARTITIONS partitions with TOTAL_MB of 1 KiB records (Kafka's own ProducerPerformance, acks=1), kills
# the broker with SIGKILL, starts it again and measures the time until the launcher prints "Strata started" and
# until the Kafka port answers; then stops it cleanly (SIGTERM) and measures a clean start for comparison.
# Prints one RESULT line per start.
#
# Env: STRATA_DIST (default: distribution/target/strata of this repository), LABEL (default: strata),
#      PARTITIONS (1000), TOTAL_MB (10240), SEGMENT_BYTES (log.segment.bytes, default 1 MiB, so a partition
#      has several segments), KAFKA_LIB (default /tmp/kafka-ref/lib; fetched with ../shared/bench/fetch-kafka.sh
#      when missing), BENCH_DIR (default: a new /tmp/strata-restart-bench.*), PORT (29092), HTTP_PORT (28080).
# The data stays in BENCH_DIR/data for a second look; remove BENCH_DIR afterwards (it holds TOTAL_MB).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIST="${STRATA_DIST:-$ROOT/distribution/target/strata}"
LABEL="${LABEL:-strata}"
PARTITIONS="${PARTITIONS:-1000}"
TOTAL_MB="${TOTAL_MB:-10240}"
SEGMENT_BYTES="${SEGMENT_BYTES:-1048576}"
LIB="${KAFKA_LIB:-/tmp/kafka-ref/lib}"
WORK="${BENCH_DIR:-$(mktemp -d /tmp/strata-restart-bench.XXXXXX)}"
PORT="${PORT:-29092}"
HTTP_PORT="${HTTP_PORT:-28080}"
BOOT="127.0.0.1:$PORT"
RECORDS=$((TOTAL_MB * 1024))

[[ -x "$DIST/bin/strata" ]] || { echo "no Strata distribution at $DIST (mvn -q install -DskipTests)" >&2; exit 1; }
[[ -f "$LIB/kafka-tools-4.1.1.jar" ]] || "$ROOT/../shared/bench/fetch-kafka.sh" "$LIB"
mkdir -p "$WORK"
HOME_DIR="$WORK/strata"
rm -rf "$HOME_DIR" && cp -r "$DIST" "$HOME_DIR" && rm -rf "$HOME_DIR/data" "$HOME_DIR/work"
printf 'host=127.0.0.1\nport=%s\n' "$PORT" > "$HOME_DIR/etc/dev.strata.protocol.kafka.cfg"
printf 'log.dirs=%s\nlog.segment.bytes=%s\n' "$WORK/data" "$SEGMENT_BYTES" > "$HOME_DIR/etc/dev.strata.broker.cfg"
sed -i "s/^org.osgi.service.http.port.*/org.osgi.service.http.port = $HTTP_PORT/" "$HOME_DIR/etc/config.properties"
printf '%s\n' appender.e.type=Console appender.e.name=E appender.e.target=SYSTEM_ERR \
  appender.e.layout.type=PatternLayout 'appender.e.layout.pattern=[%d] %p %m (%c)%n' \
  rootLogger.level=WARN rootLogger.appenderRef.e.ref=E > "$WORK/log4j2.properties"
tool() { java -Xmx512m -Dlog4j2.configurationFile="$WORK/log4j2.properties" -cp "$LIB/*" "$@"; }

PID=""
# start NAME: starts the broker, waits for "Strata started" and for the port; prints a RESULT line.
start() {
  local name="$1" log="$WORK/$1.log" t0 started answered
  t0=$(date +%s%N)
  (cd "$HOME_DIR" && exec bin/strata < /dev/null > "$log" 2>&1) &
  PID=$!
  until grep -q "Strata started" "$log"; do
    kill -0 "$PID" 2>/dev/null || { echo "broker exited; see $log" >&2; tail -20 "$log" >&2; exit 1; }
    sleep 0.05
  done
  started=$(( ($(date +%s%N) - t0) / 1000000 ))
  until (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; do sleep 0.05; done
  answered=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "RESULT label=$LABEL start=$name started_ms=$started port_ms=$answered launcher_says=\"$(grep -o 'Strata started in [0-9]* ms' "$log")\" data_mb=$(du -sm "$WORK/data" | cut -f1)"
}

start first
tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOT" --create --topic restart \
  --partitions "$PARTITIONS" --replication-factor 1 > /dev/null
tool org.apache.kafka.tools.ProducerPerformance --topic restart --num-records "$RECORDS" --record-size 1024 \
  --throughput -1 --producer-props acks=1 linger.ms=5 batch.size=65536 "bootstrap.servers=$BOOT" \
  | tail -1
segments=$(find "$WORK/data" -name '*.log' | wc -l)
echo "filled: $(du -sm "$WORK/data" | cut -f1) MB in $segments segment files"

kill -KILL "$PID"; wait "$PID" 2>/dev/null || true
start after-sigkill
kill -TERM "$PID"; wait "$PID" 2>/dev/null || true
start after-sigterm
kill -TERM "$PID"; wait "$PID" 2>/dev/null || true
