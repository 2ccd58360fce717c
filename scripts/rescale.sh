#!/usr/bin/env bash
# Changes the parallelism of the running forwarder: in place where the cluster runs the adaptive
# scheduler, else by stop-with-savepoint and a restart with the same jar and settings; rolled back
# when the job does not run with it and complete a checkpoint. Exit status as upgrade.sh. The
# work is done by the Java operations tool; --help for usage.
set -euo pipefail
# shellcheck source=ops/java-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/ops/java-tool.sh"
ops_exec rescale "$@"
