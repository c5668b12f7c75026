# lib.sh — shell functions the benchmark scripts here share; source it, do not run it.

# set_prop FILE KEY VALUE: replace the key's line or append one.
set_prop() {
  if grep -qE "^[[:space:]]*$2[[:space:]]*[=:]" "$1"; then
    sed -i -E "s|^[[:space:]]*$2[[:space:]]*[=:].*|$2 = $3|" "$1"
  else
    echo "$2 = $3" >> "$1"
  fi
}

# stop_broker: SIGTERM to the broker in BROKER_PID (if running), wait for it, forget it.
BROKER_PID=""
stop_broker() {
  if [[ -n "$BROKER_PID" ]] && kill -0 "$BROKER_PID" 2>/dev/null; then
    kill "$BROKER_PID"; wait "$BROKER_PID" 2>/dev/null || true
  fi
  BROKER_PID=""
}

# prepare_strata DIST HOME PORT HTTP_PORT INDEX: a fresh copy of DIST in HOME (no data, log.dirs HOME/data) listening
# on PORT (Kafka) and HTTP_PORT (web console), booting the strata-index-rocksdb feature too, with the segment store
# on the INDEX implementation (mmap or rocksdb).
prepare_strata() {
  local dist="$1" home="$2" port="$3" http_port="$4" index="$5"
  rm -rf "$home"; cp -r "$dist" "$home"; rm -rf "$home/data" "$home/work"
  set_prop "$home/etc/dev.strata.protocol.kafka.cfg" port "$port"
  set_prop "$home/etc/dev.strata.broker.cfg" log.dirs "$home/data"
  set_prop "$home/etc/config.properties" org.osgi.service.http.port "$http_port"
  sed -i 's/strata-protocol-kafka,/strata-protocol-kafka, strata-index-rocksdb,/' "$home/etc/features.cfg"
  grep -q strata-index-rocksdb "$home/etc/features.cfg" || { echo "could not add strata-index-rocksdb to $home/etc/features.cfg" >&2; return 1; }
  set_index "$home" "$index"
}

# set_index HOME INDEX: selects the segment store's index implementation (FileInstall applies it live).
set_index() {
  local cfg="$1/etc/dev.strata.storage.segment.cfg"
  touch "$cfg"
  set_prop "$cfg" indexFactory.target "(strata.index.type=$2)"
}

# start_strata HOME PORT LOG: starts the broker in HOME (output to LOG), sets BROKER_PID and waits up to 180 s for
# the Kafka port.
start_strata() {
  local home="$1" port="$2" log="$3" deadline=$((SECONDS + 180))
  (cd "$home" && exec bin/strata < /dev/null > "$log" 2>&1) &
  BROKER_PID=$!
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    kill -0 "$BROKER_PID" 2>/dev/null || { echo "broker exited; see $log" >&2; tail -20 "$log" >&2; return 1; }
    (( SECONDS < deadline )) || { echo "broker did not open port $port within 180 s; see $log" >&2; return 1; }
    sleep 0.2
  done
}

# await_log LOG PATTERN FROM_LINE TIMEOUT_S: waits until a line after line FROM_LINE of LOG contains PATTERN (fixed
# string) and prints the first such line; fails after TIMEOUT_S seconds.
await_log() {
  local log="$1" pattern="$2" from="$3" deadline=$((SECONDS + $4)) line
  while :; do
    line=$(tail -n "+$((from + 1))" "$log" | grep -F -m1 -- "$pattern" || true)
    [[ -n "$line" ]] && { echo "$line"; return 0; }
    (( SECONDS < deadline )) || { echo "no '$pattern' in $log within $4 s" >&2; return 1; }
    sleep 0.2
  done
}

# gogo HOME HTTP_PORT COMMAND...: runs one Gogo command line through the web console (strata-console) with the login
# the container generated at its first start (etc/webconsole.credentials); waits up to 60 s for the console to
# accept it.
gogo() {
  local home="$1" http_port="$2"; shift 2
  local creds="$home/etc/webconsole.credentials" deadline=$((SECONDS + 60)) user pass
  until [[ -f "$creds" ]] && curl -sf -o /dev/null -u "$(login_of "$creds")" \
      "http://127.0.0.1:$http_port/system/console/bundles"; do
    (( SECONDS < deadline )) || { echo "the web console on port $http_port did not accept the login in $creds" >&2; return 1; }
    sleep 0.3
  done
  curl -sf -u "$(login_of "$creds")" --data-urlencode "command=$*" "http://127.0.0.1:$http_port/system/console/gogo"
}
login_of() {
  echo "$(sed -n 's/^username *= *//p' "$1"):$(sed -n 's/^password *= *//p' "$1")"
}

# bundle_id HOME HTTP_PORT BSN: the id of the bundle with that symbolic name (Gogo's lb -s).
bundle_id() {
  gogo "$1" "$2" "lb -s $3" | awk -F'|' -v bsn="$3" '{gsub(/^ +| +$/, "", $4); split($4, a, " ")}
    a[1] == bsn {gsub(/ /, "", $1); print $1; exit}'
}
