#!/usr/bin/env bash
# index-swap-bench.sh — what a live index swap and a live store update cost a partition with a large log: how long
# each takes (the broker's own log lines), and the produce latency a client sees meanwhile.
#
#   itests/bench/index-swap-bench.sh            (after `mvn -B -o install -DskipTests`)
#
# Starts a fresh broker (strata-index-rocksdb booted, the segment store on the memory-mapped index), fills a topic of
# PARTITIONS partition(s) with FILL_MB MiB of 1 KiB records (Kafka's ProducerPerformance, acks=1), then runs four
# phases, each a ProducerPerformance run of LAT_RECORDS 1 KiB records at a fixed LAT_RATE records/s (acks=all
# linger.ms=5 batch.size=65536, the settings of the shared kit's latency step) into the same topic:
#   baseline      nothing else happens;
#   index-swap    etc/dev.strata.storage.segment.cfg switched to RocksDB (FileInstall applies it): the store
#                 rebuilds every segment's indexes in RocksDB and switches each log over ("Index swap mmap ->
#                 rocksdb finished in T ms");
#   store-update  Gogo `update <id> file:<its jar in system/>` of the segment-store bundle: the broker moves
#                 every partition to the new store instance ("Moved N partition(s) to log store ... in T ms
#                 (longest pause of one partition P ms)");
#   index-back    the index switched back to mmap.
# The action starts once the producer has printed its first progress line (about 5 s in) and must end before the
# producer does (else the line carries WARNING=action_outlasted_run: raise LAT_RECORDS). Prints one RESULT line per
# phase: latency p50/p99/p99.9/max of the run, and the action's duration as the broker logged it.
#
# Env: STRATA_DIST (default distribution/target/strata), PARTITIONS (1), FILL_MB (1024), SEGMENT_BYTES (topic
#      segment.bytes, default 1073741824 as Kafka's), LAT_RATE (5000), LAT_RECORDS (150000, 30 s at 5,000/s),
#      PHASES (default "baseline index-swap store-update index-back"), KAFKA_LIB (/tmp/kafka-ref/lib), PORT (29392),
#      HTTP_PORT (28380), BENCH_DIR (default: a new temporary directory; holds FILL_MB, removed at the end unless
#      KEEP=1).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIST="${STRATA_DIST:-$ROOT/distribution/target/strata}"
PARTITIONS="${PARTITIONS:-1}"
FILL_MB="${FILL_MB:-1024}"
SEGMENT_BYTES="${SEGMENT_BYTES:-1073741824}"
LAT_RATE="${LAT_RATE:-5000}"
LAT_RECORDS="${LAT_RECORDS:-150000}"
PHASES="${PHASES:-baseline index-swap store-update index-back}"
LIB="${KAFKA_LIB:-/tmp/kafka-ref/lib}"
PORT="${PORT:-29392}"
HTTP_PORT="${HTTP_PORT:-28380}"
WORK="${BENCH_DIR:-$(mktemp -d /tmp/strata-index-swap-bench.XXXXXX)}"
BOOT="127.0.0.1:$PORT"
TOPIC=swap
STORE_BSN=dev.strata.storage.segment
[[ -x "$DIST/bin/strata" ]] || { echo "no Strata distribution at $DIST (mvn -q install -DskipTests)" >&2; exit 1; }
[[ -f "$LIB/kafka-tools-4.1.1.jar" ]] || "$ROOT/../shared/bench/fetch-kafka.sh" "$LIB"
mkdir -p "$WORK"
HOME_DIR="$WORK/strata"
LOG="$WORK/broker.log"

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cleanup() {
  stop_broker
  [[ "${KEEP:-0}" == 1 ]] || rm -rf "$HOME_DIR/data"
}
trap cleanup EXIT

printf '%s\n' appender.e.type=Console appender.e.name=E appender.e.target=SYSTEM_ERR \
  appender.e.layout.type=PatternLayout 'appender.e.layout.pattern=[%d] %p %m (%c)%n' \
  rootLogger.level=WARN rootLogger.appenderRef.e.ref=E > "$WORK/log4j2.properties"
tool() {
  java -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Dlog4j2.configurationFile="$WORK/log4j2.properties" \
    -cp "$LIB/*" "$@"
}
lines() { wc -l < "$LOG"; }
# log_ms LINE: the epoch milliseconds of a broker log line's timestamp (its first word, ISO-8601).
log_ms() { date -d "${1%% *}" +%s%3N; }

prepare_strata "$DIST" "$HOME_DIR" "$PORT" "$HTTP_PORT" mmap
start_strata "$HOME_DIR" "$PORT" "$LOG"
await_log "$LOG" "native library loaded" 0 120 > /dev/null
tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOT" --create --topic "$TOPIC" \
  --partitions "$PARTITIONS" --replication-factor 1 --config "segment.bytes=$SEGMENT_BYTES" > /dev/null
fill_start=$SECONDS
tool org.apache.kafka.tools.ProducerPerformance --topic "$TOPIC" --num-records "$((FILL_MB * 1024))" \
  --record-size 1024 --throughput -1 --producer-props acks=1 linger.ms=5 batch.size=65536 "bootstrap.servers=$BOOT" \
  | tail -1
echo "filled: $(du -sm "$HOME_DIR/data" | cut -f1) MB in $(find "$HOME_DIR/data" -name '*.log' | wc -l) segment file(s)," \
  "$PARTITIONS partition(s), in $((SECONDS - fill_start)) s"

# action PHASE: starts the phase's action and prints the log line that says it ended.
action() {
  local from; from=$(lines)
  case "$1" in
    baseline) echo "none" ;;
    index-swap) set_index "$HOME_DIR" rocksdb
                await_log "$LOG" "Index swap mmap -> rocksdb finished" "$from" 900 ;;
    index-back) set_index "$HOME_DIR" mmap
                await_log "$LOG" "Index swap rocksdb -> mmap finished" "$from" 900 ;;
    store-update) local id; id=$(bundle_id "$HOME_DIR" "$HTTP_PORT" "$STORE_BSN")
                [[ -n "$id" ]] || { echo "no bundle $STORE_BSN" >&2; return 1; }
                # From the jar in system/ (the same build): Felix cannot re-read the bundle's mvn: location itself.
                local jar; jar=$(ls "$HOME_DIR"/system/dev/strata/strata-storage-segment/*/strata-storage-segment-*.jar)
                gogo "$HOME_DIR" "$HTTP_PORT" "update $id file:$jar" > "$WORK/update.out"
                if grep -qE '^ERROR|Exception' "$WORK/update.out" \
                    || tail -n "+$((from + 1))" "$LOG" | grep -q 'Unable to update the bundle'; then
                  echo "update $id failed:" >&2; cat "$WORK/update.out" >&2; return 1
                fi
                # The old store's "went away" line is logged on the Gogo session's thread: its output has it.
                grep -m1 'went away' "$WORK/update.out" || await_log "$LOG" "went away" "$from" 60
                await_log "$LOG" "partition(s) to log store" "$from" 900 ;;
    *) echo "unknown phase $1 (baseline, index-swap, store-update, index-back)" >&2; return 1 ;;
  esac
}

: > "$WORK/actions.txt"
for phase in $PHASES; do
  out="$WORK/latency-$phase.log"
  tool org.apache.kafka.tools.ProducerPerformance --topic "$TOPIC" --num-records "$LAT_RECORDS" --record-size 1024 \
    --throughput "$LAT_RATE" --producer-props acks=all linger.ms=5 batch.size=65536 "bootstrap.servers=$BOOT" \
    > "$out" 2>&1 &
  producer=$!
  # The first progress line (5 s in): the producer is connected and at its rate.
  deadline=$((SECONDS + 120))
  until grep -q 'records sent' "$out"; do
    kill -0 "$producer" 2>/dev/null || { echo "producer exited; see $out" >&2; cat "$out" >&2; exit 1; }
    (( SECONDS < deadline )) || { echo "no progress from the producer within 120 s; see $out" >&2; exit 1; }
    sleep 0.2
  done
  t0=$(date +%s%N)
  ended=$(action "$phase")
  action_wall_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  outlasted=""
  kill -0 "$producer" 2>/dev/null || outlasted=" WARNING=action_outlasted_run"
  wait "$producer"
  echo "$phase: $ended" >> "$WORK/actions.txt"
  lat=$(grep 'records sent' "$out" | tail -1 | awk -F', ' '{printf "avg_ms=%.1f p50_ms=%d p99_ms=%d p99.9_ms=%d max_ms=%.0f",
    $3, $5, $7, $8, $4}')
  took=$(grep -o 'finished in [0-9]* ms\|in [0-9]* ms (longest pause of one partition [0-9]* ms' <<< "$ended" \
    | grep -o '[0-9]* ms' | tr -d ' ms' | paste -sd' ' || true)
  set -- $took
  detail=""
  case "$phase" in
    index-swap|index-back) detail="swap_ms=${1:-?} $(grep -o '[0-9]* log(s) moved ([0-9]* segment(s), [0-9]* index entries built)' <<< "$ended" \
      | awk '{printf "logs=%s segments=%s entries=%s", $1, substr($4, 2), $6}' || true)" ;;
    store-update) # From the old store going away (its partitions closed) to the last partition open in the new one.
      away=$(log_ms "$(grep 'went away' <<< "$ended")") moved=$(log_ms "$(grep 'to log store' <<< "$ended")")
      detail="no_store_to_all_moved_ms=$((moved - away)) move_ms=${1:-?} longest_partition_pause_ms=${2:-?}"
      detail="$detail $(grep -o 'Moved [0-9]* partition' <<< "$ended" | awk '{print "partitions=" $2}' || true)" ;;
  esac
  echo "RESULT bench=index-swap phase=$phase fill_mb=$FILL_MB partitions=$PARTITIONS rate=$LAT_RATE $lat" \
    "action_wall_ms=$action_wall_ms $detail$outlasted"
done
echo "broker log: $LOG; the actions' log lines: $WORK/actions.txt"
