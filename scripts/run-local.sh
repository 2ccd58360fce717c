#!/usr/bin/env bash
# Runs the forwarder end to end on this machine, the way it runs in production, only smaller:
# builds the job jar, starts a real Kafka broker, a real Flink standalone cluster and the
# Customer.io simulator (scripts/stack.sh), submits the job through Flink's REST API, sends the
# sample mParticle batches to Kafka and shows what "Customer.io" received. The stack keeps running
# afterwards, so the Flink web UI can be explored; "scripts/run-local.sh stop" ends it.
#
# Running it again cancels the previous job, restarts the simulator (an empty Customer.io account
# for each run) and sends the samples again. Events carry deterministic ids, so a record read
# twice is still one event in Customer.io.
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK="$REPO_DIR/scripts/stack.sh"

# Same defaults as scripts/stack.sh, which reads the same variables.
STATE_DIR="${CIO_STATE_DIR:-$REPO_DIR/.local-stack}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
FLINK_REST_PORT="${FLINK_REST_PORT:-8081}"
SIMULATOR_PORT="${SIMULATOR_PORT:-8090}"
SIMULATOR_SITE_ID="${SIMULATOR_SITE_ID:-local-site}"
INPUT_TOPIC="${INPUT_TOPIC:-mparticle-batches}"
DEFAULT_DLQ_TOPIC="${INPUT_TOPIC}.customerio-dlq"
DLQ_TOPIC="${DLQ_TOPIC:-$DEFAULT_DLQ_TOPIC}"
# The job's name (its job.name setting); an earlier job of this name is cancelled first.
JOB_NAME="${JOB_NAME:-mparticle-customerio-forwarder}"
JOB_PARALLELISM="${JOB_PARALLELISM:-2}"
SAMPLES_FILE="${SAMPLES_FILE:-$REPO_DIR/scripts/samples/mparticle-batches.jsonl}"
EXPECTED_EVENTS_FILE="${EXPECTED_EVENTS_FILE:-$REPO_DIR/scripts/samples/expected-events}"
# Seconds to wait for the job to run and for the expected events to arrive.
RUN_TIMEOUT="${RUN_TIMEOUT:-180}"
MVN="${MVN:-mvn}"
if [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then
    JAVA="${JAVA:-$JAVA_HOME/bin/java}"
else
    JAVA="${JAVA:-java}"
fi

FLINK_URL="http://127.0.0.1:$FLINK_REST_PORT"
SIMULATOR_URL="http://127.0.0.1:$SIMULATOR_PORT"
LOG_DIR="$STATE_DIR/logs"
TOTAL_STEPS=8

usage() {
    cat <<EOF
Usage: scripts/run-local.sh [run|stop|help]

  run (default)  build the job if needed, start Kafka + Flink + the Customer.io simulator on
                 127.0.0.1, submit the job, send scripts/samples/mparticle-batches.jsonl and show
                 what Customer.io received; the stack keeps running
  stop           stop the whole stack (same as scripts/stack.sh stop)

Environment: everything scripts/stack.sh reads (ports, CIO_STATE_DIR, ...), plus
  JOB_NAME [mparticle-customerio-forwarder]  JOB_PARALLELISM [2]  RUN_TIMEOUT [180]
  SAMPLES_FILE [scripts/samples/mparticle-batches.jsonl]
  EXPECTED_EVENTS_FILE [scripts/samples/expected-events]
EOF
}

# ----- output -----------------------------------------------------------------------------------
STEP=0
step() {
    STEP=$((STEP + 1))
    printf '\n[%s/%s] %s\n' "$STEP" "$TOTAL_STEPS" "$*"
}
say() { printf '      %s\n' "$*"; }
die() {
    printf '\nERROR: %s\n' "$*" >&2
    exit 1
}

# ----- steps ------------------------------------------------------------------------------------
# The Flink REST operations (submit, cancel, status) are the Java operations tool's, the one
# scripts/submit.sh, upgrade.sh, rescale.sh and resume.sh run.
# shellcheck source=ops/java-tool.sh
source "$REPO_DIR/scripts/ops/java-tool.sh"

build_job() {
    step "Building the job jar"
    if JOB_JAR="$(project_jar job)" &&
        [[ -z "$(find "$REPO_DIR/src/main" "$REPO_DIR/pom.xml" -newer "$JOB_JAR" -print -quit 2>/dev/null)" ]]; then
        say "up to date: ${JOB_JAR#"$REPO_DIR"/}"
        return
    fi
    JOB_JAR="$(fresh_project_jar job)" || die "the job jar could not be built (above)"
    say "built ${JOB_JAR#"$REPO_DIR"/}"
}

start_stack() {
    step "Starting Kafka and Flink on 127.0.0.1"
    "$STACK" start kafka
    "$STACK" start flink
    "$STACK" create-topics
}

cancel_earlier_jobs() {
    step "Cancelling an earlier \"$JOB_NAME\" job, if any"
    local cancelled
    cancelled="$(ops_tool cancel --flink "$FLINK_URL" --name "$JOB_NAME")" ||
        die "the earlier job could not be cancelled (above); read $LOG_DIR/jobmanager.log"
    if [[ -n "$cancelled" ]]; then
        say "cancelled job(s) $cancelled"
    else
        say "none running"
    fi
}

start_fresh_simulator() {
    step "Starting the Customer.io simulator (an empty account for this run)"
    local status
    status="$("$STACK" status 2>/dev/null || true)"
    if grep -E -q '^  simulator +running' <<<"$status"; then
        "$STACK" stop simulator
    fi
    "$STACK" start simulator
}

submit_job() {
    step "Submitting the job through Flink's REST API"
    # Program arguments are visible in the web UI: never the API key, which the TaskManagers read
    # from their environment (CUSTOMERIO_API_KEY, set by scripts/stack.sh). The tool records the
    # job (jar and settings), so scripts/upgrade.sh, rescale.sh and resume.sh work on it.
    local -a args=(--set "kafka.bootstrap-servers=127.0.0.1:$KAFKA_PORT" --set "kafka.topic=$INPUT_TOPIC"
        --set "customerio.site-id=$SIMULATOR_SITE_ID" --set "customerio.endpoint=$SIMULATOR_URL"
        --set "job.name=$JOB_NAME")
    [[ "$DLQ_TOPIC" == "$DEFAULT_DLQ_TOPIC" ]] || args+=(--set "dead-letter.topic=$DLQ_TOPIC")
    JOB_ID="$(ops_tool submit --flink "$FLINK_URL" --jar "$JOB_JAR" "${args[@]}" \
        --parallelism "$JOB_PARALLELISM" --timeout "$RUN_TIMEOUT" --note "started by scripts/run-local.sh" \
        2> >(sed 's/^/      /' >&2))" ||
        die "the job did not start (above); read $LOG_DIR/jobmanager.log and $LOG_DIR/taskmanager-*.log"
    say "job $JOB_ID is running"
}

produce_samples() {
    step "Sending the sample mParticle batches to Kafka topic $INPUT_TOPIC"
    [[ -f "$SAMPLES_FILE" ]] || die "no sample file $SAMPLES_FILE"
    "$STACK" produce "$SAMPLES_FILE" "$INPUT_TOPIC"
}

wait_for_events() {
    local expected
    expected="$(tr -d '[:space:]' <"$EXPECTED_EVENTS_FILE" 2>/dev/null || true)"
    [[ "$expected" =~ ^[0-9]+$ ]] || die "$EXPECTED_EVENTS_FILE must hold the number of events the samples produce"
    step "Waiting for Customer.io (the simulator) to receive $expected events"
    if ! "$JAVA" -XX:TieredStopAtLevel=1 "$REPO_DIR/scripts/stack/SimulatorReport.java" \
        --wait "$SIMULATOR_URL" "$expected" "$RUN_TIMEOUT"; then
        ops_tool status --flink "$FLINK_URL" --job "$JOB_ID" | sed 's/^/      /' >&2 || true
        die "after ${RUN_TIMEOUT}s the simulator does not have the $expected events (the job's state above).
       Read $LOG_DIR/taskmanager-*.log (delivery to Customer.io), $LOG_DIR/simulator.log
       and $LOG_DIR/jobmanager.log; rejected records: scripts/stack.sh consume $DLQ_TOPIC"
    fi
}

report() {
    step "What Customer.io received"
    printf '\n'
    # A single-file Java program lays the simulator's JSON out (the machine has Java; it may lack
    # jq or python).
    "$JAVA" -XX:TieredStopAtLevel=1 -Dsun.stdout.encoding=UTF-8 \
        "$REPO_DIR/scripts/stack/SimulatorReport.java" "$SIMULATOR_URL" | sed 's/^./  &/' ||
        say "(could not read the simulator's answers at $SIMULATOR_URL)"
    printf '\n'
    ops_tool status --flink "$FLINK_URL" --job "$JOB_ID" --metrics | sed 's/^/  /' || true
    cat <<EOF

  Flink web UI:   $FLINK_URL   (job $JOB_ID; metrics under each operator's "Metrics" tab, group "forwarder")
  Simulator:      $SIMULATOR_URL/  (live page; JSON at /__simulator/summary, /people, /events)
  Dead letters:   scripts/stack.sh consume $DLQ_TOPIC
  Logs:           scripts/stack.sh logs   (files in $LOG_DIR)
  Operate it:     scripts/savepoint.sh, scripts/upgrade.sh NEW_JAR, scripts/rescale.sh N, and after
                  scripts/stack.sh kill-jobmanager and start jobmanager: scripts/resume.sh
                  (with the same FLINK_REST_PORT and CIO_STATE_DIR as this run)

  The stack keeps running. Stop it with: scripts/run-local.sh stop
EOF
}

main() {
    case "${1:-run}" in
        run) ;;
        stop)
            exec "$STACK" stop all
            ;;
        help | -h | --help)
            usage
            return
            ;;
        *)
            usage >&2
            die "unknown command \"$1\""
            ;;
    esac
    JOB_JAR=""
    JOB_ID=""
    build_job
    start_stack
    cancel_earlier_jobs
    start_fresh_simulator
    submit_job
    produce_samples
    wait_for_events
    report
}

main "$@"
