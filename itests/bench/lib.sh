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
