# shellcheck shell=bash
# Runs the operations tool (Java: src/main/java/dev/cioforwarder/ops) from the tools jar, which is
# built first (with the job jar it submits) when it is missing or older than the sources. Sourced by scripts/submit.sh,
# savepoint.sh, upgrade.sh, rescale.sh, resume.sh, run-local.sh and stack.sh; never run.
# Every Flink REST call of those scripts is the tool's: there is no JSON or REST in bash.

OPS_REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=jars.sh
source "$OPS_REPO_DIR/scripts/ops/jars.sh"

# The java command line of the tool, in OPS_JAVA_COMMAND: short-lived, so C1 only and a small heap,
# which start fastest on 2 cores.
ops_java_command() {
    local tools_jar job_jar java="java"
    tools_jar="$(fresh_project_jar tools)" || return 1
    job_jar="$(fresh_project_jar job)" || return 1
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
        java="$JAVA_HOME/bin/java"
    fi
    OPS_JAVA_COMMAND=("$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m
        -Dcio.ops.job-jar="$job_jar" -Dcio.ops.repo-dir="$OPS_REPO_DIR"
        -cp "$tools_jar" dev.cioforwarder.ops.OpsCommand)
}

# ops_tool COMMAND [ARGS]: runs the tool (submit, savepoint, upgrade, rescale, resume, status,
# cancel, await-taskmanagers) and returns its exit status.
ops_tool() {
    ops_java_command || return 1
    "${OPS_JAVA_COMMAND[@]}" "$@"
}

# ops_exec COMMAND [ARGS]: the same in place of the calling script (its exit status is the tool's).
ops_exec() {
    ops_java_command || exit 1
    exec "${OPS_JAVA_COMMAND[@]}" "$@"
}
