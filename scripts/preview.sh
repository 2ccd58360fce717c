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

# shellcheck source=ops/classpath.sh
source "$repo/scripts/ops/classpath.sh"
exec java -cp "$(tool_classpath preview)" dev.cioforwarder.preview.PreviewCommand "$@"
