# shellcheck shell=bash
# Runs the operations tool (Java: src/main/java/dev/cioforwarder/ops) from the job jar, which is
# built first when it is missing or older than the sources. Sourced by scripts/submit.sh,
# savepoint.sh, upgrade.sh, rescale.sh, resume.sh, run-local.sh and stack.sh; never run.
# Every Flink REST call of those scripts is the tool's: there is no JSON or REST in bash.

OPS_REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# The newest shaded job jar in target/ (not the original-* one the shade plugin keeps).
ops_find_job_jar() {
    local jar newest=""
    for jar in "$OPS_REPO_DIR"/target/mparticle-customerio-flink-*.jar; do
        [[ -f "$jar" ]] || continue
        case "$(basename "$jar")" in
            *-sources.jar | *-javadoc.jar | *-tests.jar) continue ;;
        esac
        if [[ -z "$newest" || "$jar" -nt "$newest" ]]; then
            newest="$jar"
        fi
    done
    [[ -n "$newest" ]] || return 1
    printf '%s' "$newest"
}

# target/'s job jar, built when missing or older than src/main or the pom (unless OPS_JAR_AS_IS is
# true: a status display never starts a build).
ops_job_jar() {
    local jar log="$OPS_REPO_DIR/target/maven-package.log"
    jar="$(ops_find_job_jar || true)"
    if [[ -n "$jar" && "${OPS_JAR_AS_IS:-}" == true ]] ||
        [[ -n "$jar" && -z "$(find "$OPS_REPO_DIR/src/main" "$OPS_REPO_DIR/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]]; then
        printf '%s' "$jar"
        return
    fi
    mkdir -p "$OPS_REPO_DIR/target"
    printf '==> Building the job jar: mvn -B -q -DskipTests package (log: %s)\n' "$log" >&2
    if ! (cd "$OPS_REPO_DIR" && "${MVN:-mvn}" -B -q -Dstyle.color=never -DskipTests package) >"$log" 2>&1; then
        tail -n 30 "$log" | sed 's/^/      /' >&2
        printf 'ERROR: the build failed; read %s\n' "$log" >&2
        return 1
    fi
    ops_find_job_jar || {
        printf 'ERROR: the build produced no target/mparticle-customerio-flink-*.jar\n' >&2
        return 1
    }
}

# The java command line of the tool, in OPS_JAVA_COMMAND: short-lived, so C1 only and a small heap,
# which start fastest on 2 cores.
ops_java_command() {
    local jar java="java"
    jar="$(ops_job_jar)" || return 1
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
        java="$JAVA_HOME/bin/java"
    fi
    OPS_JAVA_COMMAND=("$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m
        -Dcio.ops.job-jar="$jar" -Dcio.ops.repo-dir="$OPS_REPO_DIR"
        -cp "$jar" dev.cioforwarder.ops.OpsCommand)
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
