#!/usr/bin/env bash
# Builds the third-party Kafka clients the itests drive against Strata, into OUT_DIR (itests/target/clients):
#   - librdkafka 2.15.1, from the full source that the npm package @confluentinc/kafka-javascript 1.10.1 carries
#     under deps/librdkafka, statically linked into rdkafka_client (itests/src/test/c/rdkafka_client.c);
#   - KafkaJS 2.2.4 (pure JavaScript, no dependencies) from npm, as OUT_DIR/node_modules/kafkajs.
# Needs npm, node, gcc, make and zlib's headers. Each part is built once and kept: a stamp file names what it was
# built from, so a second run (or a second test class) takes seconds. Safe to run concurrently (a lock serialises).
set -euo pipefail

out=${1:?usage: build.sh OUT_DIR}
here=$(cd "$(dirname "$0")" && pwd)
c_source="$here/../src/test/c/rdkafka_client.c"
rdkafka_package="@confluentinc/kafka-javascript@1.10.1"
kafkajs_package="kafkajs@2.2.4"

mkdir -p "$out"
out=$(cd "$out" && pwd)
exec 9>"$out/.lock"
flock 9

for tool in npm node gcc make; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is needed to build the third-party clients" >&2; exit 1; }
done

# npm pack downloads a package's tarball into the current directory and prints its file name.
fetch() {
  (cd "$out" && npm pack --silent "$1" | tail -n 1)
}

rdkafka_stamp="$rdkafka_package $(sha256sum "$c_source" | cut -c1-16)"
if [ "$(cat "$out/rdkafka_client.stamp" 2>/dev/null)" != "$rdkafka_stamp" ]; then
  echo "Building librdkafka from $rdkafka_package (about a minute on 2 cores)"
  tarball=$(fetch "$rdkafka_package")
  rm -rf "$out/kafka-javascript"
  mkdir -p "$out/kafka-javascript"
  tar -xzf "$out/$tarball" -C "$out/kafka-javascript" --strip-components=1 package/deps/librdkafka
  src="$out/kafka-javascript/deps/librdkafka"
  # Plaintext only, no external compression libraries but zlib (lz4 is built in, snappy is librdkafka's own).
  (cd "$src" && ./configure --disable-ssl --disable-gssapi --disable-sasl --disable-curl --disable-zstd \
      --disable-lz4-ext >"$out/librdkafka-configure.log" 2>&1) \
    || { tail -n 30 "$out/librdkafka-configure.log" >&2; exit 1; }
  make -C "$src/src" -j"$(nproc)" librdkafka.a >"$out/librdkafka-make.log" 2>&1 \
    || { tail -n 30 "$out/librdkafka-make.log" >&2; exit 1; }
  gcc -O1 -Wall -o "$out/rdkafka_client" "$c_source" -I"$src/src" "$src/src/librdkafka.a" \
      -lz -lm -lpthread -lrt -ldl
  rm -f "$out/$tarball"
  echo "$rdkafka_stamp" >"$out/rdkafka_client.stamp"
fi

if [ "$(cat "$out/kafkajs.stamp" 2>/dev/null)" != "$kafkajs_package" ]; then
  echo "Fetching $kafkajs_package"
  tarball=$(fetch "$kafkajs_package")
  rm -rf "$out/node_modules/kafkajs"
  mkdir -p "$out/node_modules/kafkajs"
  tar -xzf "$out/$tarball" -C "$out/node_modules/kafkajs" --strip-components=1
  rm -f "$out/$tarball"
  echo "$kafkajs_package" >"$out/kafkajs.stamp"
fi

echo "Clients ready in $out"
