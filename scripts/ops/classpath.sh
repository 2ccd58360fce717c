# shellcheck shell=bash
# The classpath of the command-line tools that run outside a cluster (scripts/preview.sh,
# scripts/dead-letters.sh): the tools jar, plus what a cluster would provide and the jar leaves out
# (flink-core for the settings, slf4j for the Kafka client), from Maven's local repository. Sourced;
# never run.

TOOL_REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=jars.sh
source "$TOOL_REPO_DIR/scripts/ops/jars.sh"

# tool_classpath NAME: prints the classpath; builds the jars when missing or older than the sources,
# and works out the dependency classpath once per pom change. NAME labels build messages.
tool_classpath() {
  local name="$1" jar classpath
  jar="$(fresh_project_jar tools)" || {
    echo "$name: the tools jar could not be built (above)" >&2
    return 1
  }
  classpath="$TOOL_REPO_DIR/target/tools/classpath.txt"
  if [[ ! -s "$classpath" || "$TOOL_REPO_DIR/pom.xml" -nt "$classpath" ]]; then
    mkdir -p "$TOOL_REPO_DIR/target/tools"
    (cd "$TOOL_REPO_DIR" && mvn -B -q dependency:build-classpath -Dmdep.includeScope=compile \
      -Dmdep.outputFile="$classpath" >&2)
  fi
  printf '%s:%s' "$jar" "$(cat "$classpath")"
}
