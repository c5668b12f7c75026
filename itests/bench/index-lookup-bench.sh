#!/usr/bin/env bash
# index-lookup-bench.sh — JMH: latency of one warm lookup at a random target in a segment's offset index and time
# index, memory-mapped against RocksDB, for a 128 MiB and a 1 GiB segment at index.interval.bytes 4096
# (bench/jmh, IndexLookupBenchmark; see its Javadoc for the layout).
#
#   itests/bench/index-lookup-bench.sh          (after `mvn -B -o install -DskipTests`)
#
# Builds bench/jmh with the Maven profile `bench` (its JMH artifacts come from Maven Central the first time: set
# MVN_OFFLINE= to let Maven download them), runs JMH (defaults: 2 forks x 5 warm-up x 1 s + 5 x 2 s measured per
# case, 8 cases, about 6 minutes), prints JMH's table and one RESULT line per case.
# Env: JMH_ARGS (extra JMH options, e.g. "-f 1 -wi 2 -w 1s -i 3 -r 1s" for a quick look, "-p segmentMiB=1024"),
#      MVN_ARGS (extra Maven options, e.g. -Dmaven.repo.local=...), MVN_OFFLINE (default -o), BENCH_DIR (default: a
#      new temporary directory for JMH's CSV; the indexes themselves go to java.io.tmpdir and are deleted).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${BENCH_DIR:-$(mktemp -d /tmp/strata-index-lookup-bench.XXXXXX)}"
mkdir -p "$WORK"
# shellcheck disable=SC2086
(cd "$ROOT" && mvn -B -q ${MVN_OFFLINE--o} ${MVN_ARGS:-} -Pbench -pl bench/jmh -am package -DskipTests)
# shellcheck disable=SC2086
java -cp "$ROOT/bench/jmh/target/classes:$ROOT/bench/jmh/target/lib/*" org.openjdk.jmh.Main IndexLookupBenchmark \
  ${JMH_ARGS:-} -rf csv -rff "$WORK/jmh.csv" | tee "$WORK/jmh.log" | grep -E '^(Benchmark|IndexLookupBenchmark)'
# CSV: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: impl","Param: segmentMiB"
tail -n +2 "$WORK/jmh.csv" | tr -d '"' | awk -F, '{sub(/.*\./, "", $1);
  printf "RESULT bench=index-lookup test=%s impl=%s segment_mib=%s entries=%d ns_per_op=%.1f error_ns=%.1f samples=%s\n",
  $1, $8, $9, $9 * 256, $5, $6, $4}'
echo "JMH output and CSV: $WORK/jmh.log, $WORK/jmh.csv"
