#!/usr/bin/env bash
# The fault suite against the real local stack: Kafka, a Flink standalone cluster and the
# Customer.io simulator (scripts/stack.sh), in their own state directory and on their own ports, so
# the stack of scripts/run-local.sh is never touched. For each fault it produces batches while the
# fault happens, checks that Customer.io ends with every event exactly once and the right profiles,
# and measures duplicates, losses and recovery time. Prints the table and writes
# target/chaos/result.md and result.json. The scenarios are Java code (src/test/java/dev/
# cioforwarder/chaos/), shared with ChaosITCase, which runs them with short spans in mvn verify.
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MVN="${MVN:-mvn}"

usage() {
    cat <<EOF
Usage: scripts/chaos.sh [--scenarios a,b,...] [--minutes N] [--rate BATCHES_PER_SECOND] [--short]
                        [--out DIR] [--keep-stack]

Runs the fault suite against the local stack (started if it is not running in CIO_STATE_DIR, and
then stopped at the end unless --keep-stack) and prints:
  fault | events sent | delivered | duplicates on the wire | duplicates in store | lost | recovery time

  --scenarios LIST  comma-separated, default all, in this order:
                    429-retry-after 429-no-retry-after 5xx-bursts latency-timeouts
                    connection-resets 401-unauthorized checkpoint-storage taskmanager-kill
                    kafka-restart jobmanager-restart
                    Not in the default list, run on its own: customerio-outage, a full
                    Customer.io outage for --minutes on a job with every default timeout, with
                    dead letters made on purpose, scripts/upgrade.sh in its middle and the
                    checkpoint age sampled all through it (plotted as
                    customerio-outage-checkpoint-age.png): docs/chaos/long-outage.md
  --minutes N       how long each period fault lasts (Customer.io misbehaving, checkpoint storage
                    unwritable, the Kafka broker away); default 2 (the whole suite: ~25 min)
  --rate N          batches produced per second (default 20; 1-8 events each, 400 users)
  --short           the short spans of ChaosITCase (12 s faults, 8 batches/s) instead
  --out DIR         where result.md and result.json go (default target/chaos)
  --keep-stack      leave the stack running afterwards (stop it: CIO_STATE_DIR=... scripts/stack.sh stop)

Exit status: 0 every check passed; 1 a check failed (the table says which); 2 the suite could not run.

Environment (defaults in brackets; the ports differ from stack.sh's own defaults on purpose):
  CIO_STATE_DIR [<repo>/target/chaos-stack]  KAFKA_PORT [29092]  KAFKA_CONTROLLER_PORT [29093]
  FLINK_REST_PORT [28081]  FLINK_RPC_PORT [26123]  SIMULATOR_PORT [28090]
  FLINK_PROPERTIES [taskmanager.memory.process.size=2048m]  MVN [mvn]
EOF
}

die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 2
}

args=("$@")
for arg in "$@"; do
    case "$arg" in
        -h | --help)
            usage
            exit 0
            ;;
    esac
done

export CIO_STATE_DIR="${CIO_STATE_DIR:-$REPO_DIR/target/chaos-stack}"
export KAFKA_PORT="${KAFKA_PORT:-29092}"
export KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-29093}"
export FLINK_REST_PORT="${FLINK_REST_PORT:-28081}"
export FLINK_RPC_PORT="${FLINK_RPC_PORT:-26123}"
export SIMULATOR_PORT="${SIMULATOR_PORT:-28090}"
# A 2 GB TaskManager instead of the reference 4 GB: this machine also runs Kafka, the JobManager,
# the simulator and the suite itself. Everything else is flink-conf/config.yaml as in production.
export FLINK_PROPERTIES="${FLINK_PROPERTIES:-taskmanager.memory.process.size=2048m}"
unset FLINK_URL

cd "$REPO_DIR"
log_dir="$REPO_DIR/target/chaos"
mkdir -p "$log_dir"
# The job jar and the suite's classes (test code, like the simulator), built when missing or stale.
# shellcheck source=ops/jars.sh
source "$REPO_DIR/scripts/ops/jars.sh"
if ! job_jar="$(project_jar job)" ||
    [[ ! -f target/test-classes/dev/cioforwarder/chaos/ChaosMain.class ]] ||
    [[ -n "$(find src pom.xml -newer target/test-classes/dev/cioforwarder/chaos/ChaosMain.class -print -quit)" ]] ||
    [[ -n "$(find src/main pom.xml -newer "$job_jar" -print -quit)" ]]; then
    printf '==> Building the job jar and the test classes: mvn -B -q -DskipTests package (log: %s)\n' "$log_dir/maven-build.log" >&2
    "$MVN" -B -q -Dstyle.color=never -DskipTests package >"$log_dir/maven-build.log" 2>&1 ||
        { tail -n 30 "$log_dir/maven-build.log" >&2; die "the build failed; read $log_dir/maven-build.log"; }
fi
classpath_file="$REPO_DIR/target/classpath/chaos-test.classpath"
if [[ ! -s "$classpath_file" || pom.xml -nt "$classpath_file" ]]; then
    mkdir -p "$(dirname "$classpath_file")"
    "$MVN" -B -q -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
        -Dmdep.includeScope=test -Dmdep.outputFile="$classpath_file" >"$log_dir/maven-classpath.log" 2>&1 ||
        { tail -n 30 "$log_dir/maven-classpath.log" >&2; die "could not resolve the test classpath; read $log_dir/maven-classpath.log"; }
fi

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    JAVA="$JAVA_HOME/bin/java"
else
    JAVA=java
fi
maven_home="$("$MVN" -v 2>/dev/null | sed -n 's/^Maven home: //p' | head -n 1 || true)"

# The suite's own log (Flink-style INFO lines of the driver) goes to a file; the console shows
# progress and the table.
exec "$JAVA" -Xmx1g \
    -Dproject.basedir="$REPO_DIR" ${maven_home:+-Dmaven.home="$maven_home"} \
    -Dlog4j2.configurationFile="$REPO_DIR/scripts/stack/chaos-log4j2.properties" \
    -Dchaos.log.file="$log_dir/chaos.log" \
    -cp "$REPO_DIR/target/test-classes:$REPO_DIR/target/classes:$(cat "$classpath_file")" \
    dev.cioforwarder.chaos.ChaosMain --command "scripts/chaos.sh${args[*]:+ ${args[*]}}" "${args[@]}"
