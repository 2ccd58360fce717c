#!/usr/bin/env bash
# Reads the dead-letter topic, and replays chosen records into the input topic after a fix.
#
#   scripts/dead-letters.sh list   [--reason R] [--stage parse|mapping|delivery] [--mpid M]
#                                  [--contains TEXT] [--max N] [--payload]
#   scripts/dead-letters.sh replay [--reason R] [--stage S] [--mpid M] [--contains TEXT]
#                                  [--offsets P:O,P:O] [--max N] [--to TOPIC] [--dry-run]
#   scripts/dead-letters.sh purge  --mpid M|--contains TEXT [filters]
#
# Every command takes all the filters (--reason, --stage, --mpid, --contains, --offsets, --max);
# `scripts/dead-letters.sh <command> --help` lists its options. A usage error exits 2.
# Common options: --bootstrap-servers HOST:PORT (default 127.0.0.1:$KAFKA_PORT),
#   --topic DLQ_TOPIC (default mparticle-batches.customerio-dlq),
#   --command-config FILE (Kafka client properties for SASL/SSL clusters).
# Only committed dead letters are read (they are written in Kafka transactions). Replay sends the
# original batch again (from the dead letter, or read back from its source offset); Customer.io
# drops events it already has, so replaying a whole batch for one bad event is safe.
# --mpid and --contains (e.g. an email) find what the dead letters hold about one person; purge
# (for an erasure) lists them and says how to expire or delete them: it changes nothing, since
# Kafka cannot delete single records.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# shellcheck source=ops/classpath.sh
source "$repo/scripts/ops/classpath.sh"
classpath="$(tool_classpath dead-letters)"

defaults=()
if [[ " $* " != *" --bootstrap-servers "* ]]; then
  defaults+=(--bootstrap-servers "127.0.0.1:${KAFKA_PORT:-9092}")
fi
if [[ " $* " != *" --topic "* && -n "${DLQ_TOPIC:-}" ]]; then
  defaults+=(--topic "$DLQ_TOPIC")
fi
command="${1:-}"
shift || true
exec java -cp "$classpath" dev.cioforwarder.tools.DeadLetterTool "$command" "${defaults[@]}" "$@"
