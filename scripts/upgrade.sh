#!/usr/bin/env bash
# Upgrades the running forwarder to a new jar without losing or repeating anything: stops it with
# a savepoint, starts the new jar from it, and waits until the new job runs AND has completed a
# checkpoint of its own; otherwise rolls back to the previous jar from the same savepoint.
# Exit status: 0 upgraded; 1 nothing changed; 2 rolled back; 3 the rollback failed too (the
# message names the savepoint and the command to start it). The work is done by the Java
# operations tool; --help for usage.
set -euo pipefail
# shellcheck source=ops/java-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/ops/java-tool.sh"
ops_exec upgrade "$@"
