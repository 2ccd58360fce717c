# shellcheck shell=bash
# The one place the scripts find the build's two jars in target/ (Java's lookups, OpsEnvironment's
# default and the tests' RepoScripts, read the same names). Sourced; never run.
#   job:   mparticle-customerio-flink-<version>.jar        what a cluster runs
#   tools: mparticle-customerio-flink-<version>-tools.jar  the command-line tools (operations,
#          preview, dead letters); runs here, never submitted
# target/ may hold several versions (an upgrade test builds one next to another): the newest wins.

JARS_REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# project_jar KIND [REPO_DIR]: prints the newest jar of KIND (job or tools) under REPO_DIR/target
# (default: this repository), or returns 1 when there is none. Never builds.
project_jar() {
    local kind="$1" repo="${2:-$JARS_REPO_DIR}" jar name newest=""
    for jar in "$repo"/target/mparticle-customerio-flink-*.jar; do
        [[ -f "$jar" ]] || continue
        name="$(basename "$jar")"
        case "$kind:$name" in
            *-sources.jar | *-javadoc.jar | *-tests.jar) continue ;;
            tools:*-tools.jar) ;;
            tools:* | job:*-tools.jar) continue ;;
            job:*) ;;
            *) printf 'project_jar: unknown kind %s (job or tools)\n' "$kind" >&2; return 2 ;;
        esac
        if [[ -z "$newest" || "$jar" -nt "$newest" ]]; then
            newest="$jar"
        fi
    done
    [[ -n "$newest" ]] || return 1
    printf '%s' "$newest"
}

# fresh_project_jar KIND: the same, after building both jars (mvn -DskipTests package; MVN
# overrides the command) when the jar is missing or older than src/main or the pom. With
# JARS_AS_IS=true it never builds: a status display does not start a build.
fresh_project_jar() {
    local kind="$1" jar log="$JARS_REPO_DIR/target/maven-package.log"
    jar="$(project_jar "$kind" || true)"
    if [[ -n "$jar" && "${JARS_AS_IS:-}" == true ]] ||
        [[ -n "$jar" && -z "$(find "$JARS_REPO_DIR/src/main" "$JARS_REPO_DIR/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]]; then
        printf '%s' "$jar"
        return
    fi
    mkdir -p "$JARS_REPO_DIR/target"
    printf '==> Building the jars: mvn -B -q -DskipTests package (log: %s)\n' "$log" >&2
    if ! (cd "$JARS_REPO_DIR" && "${MVN:-mvn}" -B -q -Dstyle.color=never -DskipTests package) >"$log" 2>&1; then
        tail -n 30 "$log" | sed 's/^/      /' >&2
        printf 'ERROR: the build failed; read %s\n' "$log" >&2
        return 1
    fi
    project_jar "$kind" || {
        printf 'ERROR: the build produced no %s jar in target/\n' "$kind" >&2
        return 1
    }
}
