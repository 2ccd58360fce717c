# shellcheck shell=bash
# The classpath of the command-line tools that run outside a cluster (scripts/preview.sh,
# scripts/dead-letters.sh): the job jar, plus what a cluster would provide and the jar leaves out
# (flink-core for the settings, slf4j for the Kafka client), from Maven's local repository. Sourced;
# never run.

TOOL_REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# tool_classpath NAME: prints the classpath; builds the jar when it is missing or older than the
# sources, and works out the dependency classpath once per pom change. NAME labels build messages.
tool_classpath() {
  local name="$1" jar newest_source classpath
  jar="$(ls -t "$TOOL_REPO_DIR"/target/mparticle-customerio-flink-*.jar 2>/dev/null |
    grep -v -e '/original-' -e '-sources\.jar$' -e '-tests\.jar$' -e '-javadoc\.jar$' | head -n 1 || true)"
  newest_source="$(find "$TOOL_REPO_DIR/src/main" "$TOOL_REPO_DIR/pom.xml" -newer "${jar:-/nonexistent}" -type f 2>/dev/null | head -n 1 || true)"
  if [[ -z "$jar" || -n "$newest_source" ]]; then
    echo "$name: building the job jar (mvn -q -DskipTests package) ..." >&2
    (cd "$TOOL_REPO_DIR" && mvn -B -q -DskipTests package >&2)
    jar="$(ls -t "$TOOL_REPO_DIR"/target/mparticle-customerio-flink-*.jar |
      grep -v -e '/original-' -e '-sources\.jar$' -e '-tests\.jar$' -e '-javadoc\.jar$' | head -n 1)"
  fi
  classpath="$TOOL_REPO_DIR/target/tools/classpath.txt"
  if [[ ! -s "$classpath" || "$TOOL_REPO_DIR/pom.xml" -nt "$classpath" ]]; then
    mkdir -p "$TOOL_REPO_DIR/target/tools"
    (cd "$TOOL_REPO_DIR" && mvn -B -q dependency:build-classpath -Dmdep.includeScope=compile \
      -Dmdep.outputFile="$classpath" >&2)
  fi
  printf '%s:%s' "$jar" "$(cat "$classpath")"
}
