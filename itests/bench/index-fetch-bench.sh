#!/usr/bin/env bash
# index-fetch-bench.sh — produce and fetch throughput of Strata with each offset index implementation: the team's
# perf kit (PERF, default ../shared/bench/perf.sh: Kafka's ProducerPerformance and ConsumerPerformance) against a
# fresh broker on the memory-mapped index, then on the RocksDB index, in alternating rounds.
#
#   itests/bench/index-fetch-bench.sh            (after `mvn -B -o install -DskipTests`)
#
# Both variants boot the same features (strata-index-rocksdb added); only the segment store's indexFactory.target
# differs. Env: STRATA_DIST (default distribution/target/strata), INDEXES (default "mmap rocksdb"), ROUNDS (default
# 1), NUM_RECORDS (default 2000000 x 1 KiB), LAT_RECORDS (default 20000), E2E_MESSAGES (default 0), PORT (29292),
# HTTP_PORT (28280), BENCH_DIR (default: a new temporary directory). Prints perf.sh's RESULT lines, then one
# "RESULT bench=index-fetch" line per run with the index the broker used.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIST="${STRATA_DIST:-$ROOT/distribution/target/strata}"
PERF="${PERF:-$ROOT/../shared/bench/perf.sh}"
INDEXES="${INDEXES:-mmap rocksdb}"
ROUNDS="${ROUNDS:-1}"
PORT="${PORT:-29292}"
HTTP_PORT="${HTTP_PORT:-28280}"
WORK="${BENCH_DIR:-$(mktemp -d /tmp/strata-index-fetch-bench.XXXXXX)}"
export NUM_RECORDS="${NUM_RECORDS:-2000000}" LAT_RECORDS="${LAT_RECORDS:-20000}" E2E_MESSAGES="${E2E_MESSAGES:-0}"
[[ -x "$DIST/bin/strata" ]] || { echo "no Strata distribution at $DIST (mvn -q install -DskipTests)" >&2; exit 1; }
mkdir -p "$WORK"

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap stop_broker EXIT

for round in $(seq 1 "$ROUNDS"); do
  for index in $INDEXES; do
    label="index-$index-r$round-$$" home="$WORK/strata-$index" log="$WORK/index-$index-r$round.log"
    prepare_strata "$DIST" "$home" "$PORT" "$HTTP_PORT" "$index"
    start_strata "$home" "$PORT" "$log"
    BROKER_PID=$BROKER_PID PERF_OUT="$WORK/perf-$label" "$PERF" "127.0.0.1:$PORT" "$label" | grep '^RESULT' || true
    # Which index the partitions really used: RocksDB keeps its files in the log directory, mmap beside the segments.
    used=mmap
    [[ -d "$home/data/.strata-index-rocksdb" ]] && used=rocksdb
    ls "$home"/data/*/*.index > /dev/null 2>&1 && [[ $used == rocksdb ]] && used=both
    summary="$WORK/perf-$label/summary.txt"
    echo "RESULT bench=index-fetch index=$index index_files=$used round=$round" \
      "$(grep 'test=produce' "$summary" | grep -o 'MB/s=[0-9.]*' | sed 's/^/produce_/')" \
      "$(grep 'test=consume' "$summary" | grep -o 'fetch_MB/s=[0-9.]*\|WARNING=[a-z_]*' | paste -sd' ')" \
      "$(grep 'test=latency' "$summary" | grep -o 'p99_ms=[0-9]*')"
    stop_broker
    rm -rf "$home/data"
  done
done
echo "== summary ($WORK)"
grep -h '^RESULT' "$WORK"/perf-*/summary.txt | grep -E 'test=(produce|consume)' | sort
