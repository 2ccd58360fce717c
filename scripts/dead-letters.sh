#!/usr/bin/env bash
# Reads the dead-letter topic, and replays chosen records into the input topic after a fix.
#
#   scripts/dead-letters.sh list   [--reason R] [--stage parse|mapping|delivery] [--max N] [--payload]
#   scripts/dead-letters.sh replay [--reason R] [--stage S] [--offsets P:O,P:O] [--to TOPIC] [--dry-run]
#
# Common options: --bootstrap-servers HOST:PORT (default 127.0.0.1:$KAFKA_PORT),
#   --topic DLQ_TOPIC (default mparticle-batches.customerio-dlq),
#   --command-config FILE (Kafka client properties for SASL/SSL clusters).
# Only committed dead letters are read (they are written in Kafka transactions). Replay sends the
# original batch again (from the dead letter, or read back from its source offset); Customer.io
# drops events it already has, so replaying a whole batch for one bad event is safe.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The newest jar: target/ may hold several versions.
newest_jar() {
  # shellcheck disable=SC2010,SC2012 # our own jar names, no odd characters
  ls -t "$repo"/target/mparticle-customerio-flink-*.jar 2>/dev/null |
    grep -v -e '-sources\.jar$' -e '-tests\.jar$' -e '-javadoc\.jar$' | head -n 1 || true
}
jar="$(newest_jar)"
if [[ -z "$jar" ]]; then
  echo "dead-letters: building the job jar (mvn -q -DskipTests package) ..." >&2
  (cd "$repo" && mvn -B -q -DskipTests package >&2)
  jar="$(newest_jar)"
fi

defaults=()
if [[ " $* " != *" --bootstrap-servers "* ]]; then
  defaults+=(--bootstrap-servers "127.0.0.1:${KAFKA_PORT:-9092}")
fi
if [[ " $* " != *" --topic "* && -n "${DLQ_TOPIC:-}" ]]; then
  defaults+=(--topic "$DLQ_TOPIC")
fi
command="${1:-}"
shift || true
exec java -cp "$jar" dev.cioforwarder.tools.DeadLetterTool "$command" "${defaults[@]}" "$@"
