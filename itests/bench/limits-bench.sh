#!/usr/bin/env bash
# limits-bench.sh — produce/consume throughput of Strata with the listener limits on (the defaults, plus a finite
# per-IP limit and creation rate) and off (everything unlimited), in alternating rounds on the same machine, with
# the team's perf kit (PERF, default ../shared/bench/perf.sh next to the repository: Kafka's ProducerPerformance
# and ConsumerPerformance).
#
#   itests/bench/limits-bench.sh            (after `mvn -B -o install -DskipTests`)
#
# Env: STRATA_DIST (default distribution/target/strata), BASE_DIST (optional: another assembled distribution, e.g.
#      one built from before the limits, measured as variant "base" with its defaults), ROUNDS (default 2),
#      NUM_RECORDS (default 2000000), PORT (default 29192), HTTP_PORT (default 28180),
#      BENCH_DIR (default: a new temporary directory). Prints perf.sh's RESULT lines and a summary.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIST="${STRATA_DIST:-$ROOT/distribution/target/strata}"
PERF="${PERF:-$ROOT/../shared/bench/perf.sh}"
ROUNDS="${ROUNDS:-2}"
PORT="${PORT:-29192}"
HTTP_PORT="${HTTP_PORT:-28180}"
WORK="${BENCH_DIR:-$(mktemp -d /tmp/strata-limits-bench.XXXXXX)}"
export NUM_RECORDS="${NUM_RECORDS:-2000000}" LAT_RECORDS="${LAT_RECORDS:-20000}" E2E_MESSAGES="${E2E_MESSAGES:-0}"
mkdir -p "$WORK"

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap stop_broker EXIT

# run VARIANT DIST: a fresh copy of DIST configured for VARIANT, then perf.sh against it.
run() {
  local variant="$1" dist="$2" label="$1-r$3-$$" home="$WORK/strata-$1"
  local cfg="$home/etc/dev.strata.protocol.kafka.cfg"
  rm -rf "$home"; cp -r "$dist" "$home"; rm -rf "$home/data"
  set_prop "$cfg" port "$PORT"
  set_prop "$home/etc/dev.strata.broker.cfg" log.dirs "$home/data"
  set_prop "$home/etc/config.properties" org.osgi.service.http.port "$HTTP_PORT"
  case "$variant" in
    on)  set_prop "$cfg" max.connections.per.ip 1000
         set_prop "$cfg" max.connection.creation.rate 1000 ;;
    off) set_prop "$cfg" max.connections 2147483647
         set_prop "$cfg" queued.max.request.bytes -1
         set_prop "$cfg" socket.request.read.timeout.ms 2147483647 ;;
  esac
  (cd "$home" && exec bin/strata < /dev/null > "$WORK/$label.log" 2>&1) &
  BROKER_PID=$!
  for _ in $(seq 1 120); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.5
  done
  grep -m1 -o "Kafka listener bound to.*" "$WORK/$label.log" || true
  BROKER_PID=$BROKER_PID PERF_OUT="$WORK/perf-$label" "$PERF" "127.0.0.1:$PORT" "$label" | grep '^RESULT' || true
  stop_broker
  rm -rf "$home/data"
}

for round in $(seq 1 "$ROUNDS"); do
  run on "$DIST" "$round"
  run off "$DIST" "$round"
  [[ -n "${BASE_DIST:-}" ]] && run base "$BASE_DIST" "$round"
done
echo "== summary ($WORK)"
cat "$WORK"/perf-*/summary.txt | grep -E 'test=(produce|consume)' | sort
