#!/usr/bin/env bash
# What will Customer.io receive for this data? Runs mParticle batches through the job's own parser,
# mapping rules and per-user state machine (in memory) and prints one JSON object per line:
#   {"kind":"request",...}  {"kind":"skipped",...}  {"kind":"dead_letter",...}
# Needs no Kafka, no cluster and no credentials.
#
# usage: scripts/preview.sh [--settings FILE] [--set key=value ...] [FILE ...]
#   e.g. scripts/preview.sh --set customerio.user-id-type=email src/test/resources/fixtures/mparticle/*.json
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

jar="$(ls "$repo"/target/mparticle-customerio-flink-*.jar 2>/dev/null | grep -v '/original-' | head -n 1 || true)"
newest_source="$(find "$repo/src/main" "$repo/pom.xml" -newer "${jar:-/nonexistent}" -type f 2>/dev/null | head -n 1 || true)"
if [[ -z "$jar" || -n "$newest_source" ]]; then
  echo "preview: building the job jar (mvn -q -DskipTests package) ..." >&2
  (cd "$repo" && mvn -B -q -DskipTests package >&2)
  jar="$(ls "$repo"/target/mparticle-customerio-flink-*.jar | grep -v '/original-' | head -n 1)"
fi

# The jar holds the rules and Jackson; the settings are Flink ConfigOptions, so flink-core (provided
# by a cluster, not in the jar) comes from Maven's local repository. The classpath is worked out once.
classpath="$repo/target/preview/classpath.txt"
if [[ ! -s "$classpath" || "$repo/pom.xml" -nt "$classpath" ]]; then
  mkdir -p "$repo/target/preview"
  (cd "$repo" && mvn -B -q dependency:build-classpath -Dmdep.includeScope=compile \
    -Dmdep.outputFile="$classpath" >&2)
fi
exec java -cp "$jar:$(cat "$classpath")" dev.cioforwarder.preview.PreviewCommand "$@"
