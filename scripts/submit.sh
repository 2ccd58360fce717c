#!/usr/bin/env bash
# Starts the forwarder on a Flink cluster through its REST API: uploads the job jar, runs it with
# the settings as program arguments (optionally from a savepoint), waits until every task runs and
# records the jar and settings under the job's id, so that upgrade.sh, rescale.sh and resume.sh can
# later restart it the same way. The work is done by the Java operations tool; --help for usage.
set -euo pipefail
# shellcheck source=ops/java-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/ops/java-tool.sh"
ops_exec submit "$@"
