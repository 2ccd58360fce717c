#!/usr/bin/env bash
# Starts the forwarder again after it died without a savepoint (a JobManager killed or restarted
# without HA): resubmits the last recorded job's jar, settings and parallelism from its newest
# retained checkpoint. The work is done by the Java operations tool; --help for usage.
set -euo pipefail
# shellcheck source=ops/java-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/ops/java-tool.sh"
ops_exec resume "$@"
