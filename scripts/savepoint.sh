#!/usr/bin/env bash
# Takes a savepoint of the running forwarder (POST /jobs/<id>/savepoints), or stops it with one
# (--stop), waits until it is complete and prints its path. The work is done by the Java
# operations tool; --help for usage.
set -euo pipefail
# shellcheck source=ops/java-tool.sh
source "$(dirname "${BASH_SOURCE[0]}")/ops/java-tool.sh"
ops_exec savepoint "$@"
