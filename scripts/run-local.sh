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
ENTRY_CLASS="dev.cioforwarder.job.ForwarderJob"
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

# ----- HTTP (no jq: the few fields needed are read with grep/sed) -------------------------------
http() { curl -sS --noproxy '*' --max-time 60 "$@"; }
# Both print nothing (and succeed) when the field is absent.
json_number() {
    local match
    match="$(grep -o "\"$1\":[0-9]*" <<<"$2" || true)"
    match="${match%%$'\n'*}"
    printf '%s' "${match#*:}"
}
json_string() {
    local match
    match="$(grep -o "\"$1\":\"[^\"]*\"" <<<"$2" || true)"
    match="${match%%$'\n'*}"
    match="${match#*\":\"}"
    printf '%s' "${match%\"}"
}
# Flink error texts are JSON strings with \n and \t escapes (often whole stack traces).
unescape() { sed 's/\\n/\n/g; s/\\t/    /g; s/\\"/"/g'; }

# One line per job of /jobs/overview: "<jid> <state> <name>".
list_jobs() {
    local overview
    overview="$(http "$FLINK_URL/jobs/overview")" || return 1
    local split="${overview//\{\"jid\":/$'\n'\{\"jid\":}"
    { grep '^{"jid":' <<<"$split" || true; } | while IFS= read -r job; do
        printf '%s %s %s\n' "$(json_string jid "$job")" "$(json_string state "$job")" "$(json_string name "$job")"
    done
}

job_entry() {
    local overview
    overview="$(http "$FLINK_URL/jobs/overview" || true)"
    overview="${overview//\{\"jid\":/$'\n'\{\"jid\":}"
    grep "^{\"jid\":\"$1\"" <<<"$overview" || true
}

# ----- steps ------------------------------------------------------------------------------------
# The newest shaded job jar in target/ (not the original-* one the shade plugin keeps).
find_job_jar() {
    local jar newest=""
    for jar in "$REPO_DIR"/target/mparticle-customerio-flink-*.jar; do
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

build_job() {
    step "Building the job jar"
    local jar=""
    jar="$(find_job_jar || true)"
    # Rebuild when there is no jar or the main sources or the pom changed since it was built.
    if [[ -n "$jar" && -z "$(find "$REPO_DIR/src/main" "$REPO_DIR/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]]; then
        say "up to date: ${jar#"$REPO_DIR"/}"
        JOB_JAR="$jar"
        return
    fi
    mkdir -p "$LOG_DIR"
    local mvn_log="$LOG_DIR/maven-package.log"
    say "mvn -B -q -DskipTests package (log: $mvn_log)"
    if ! (cd "$REPO_DIR" && "$MVN" -B -q -Dstyle.color=never -DskipTests package) >"$mvn_log" 2>&1; then
        tail -n 40 "$mvn_log" | sed 's/^/      /' >&2
        die "the build failed; read $mvn_log"
    fi
    JOB_JAR="$(find_job_jar)" || die "the build produced no target/mparticle-customerio-flink-*.jar"
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
    local jid state name cancelled=0
    while read -r jid state name; do
        [[ -n "$jid" && "$name" == "$JOB_NAME" ]] || continue
        case "$state" in
            FINISHED | CANCELED | FAILED) continue ;;
        esac
        say "cancelling job $jid ($state)"
        http -X PATCH "$FLINK_URL/jobs/$jid?mode=cancel" >/dev/null
        cancelled=$((cancelled + 1))
        local deadline=$((SECONDS + 60))
        until [[ "$(json_string state "$(job_entry "$jid")")" =~ ^(CANCELED|FAILED|FINISHED)$ ]]; do
            ((SECONDS < deadline)) || die "job $jid did not stop within 60 s; read $LOG_DIR/jobmanager.log"
            sleep 1
        done
    done < <(list_jobs)
    ((cancelled > 0)) || say "none running"
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
    local jar_name response
    jar_name="$(basename "$JOB_JAR")"
    # Drop jars uploaded by earlier runs, so the cluster's jar list does not grow with each run.
    local old_id
    local jars
    jars="$(http "$FLINK_URL/jars" || true)"
    for old_id in $(grep -o "\"id\":\"[^\"]*_${jar_name}\"" <<<"$jars" | sed 's/^"id":"//; s/"$//' || true); do
        http -X DELETE "$FLINK_URL/jars/$old_id" >/dev/null || true
    done
    response="$(http -X POST -F "jarfile=@$JOB_JAR" "$FLINK_URL/jars/upload")" ||
        die "uploading $JOB_JAR to $FLINK_URL/jars/upload failed"
    [[ "$(json_string status "$response")" == "success" ]] || die "jar upload refused: $response"
    local jar_id
    jar_id="$(basename "$(json_string filename "$response")")"
    say "uploaded $jar_name as $jar_id"

    # Program arguments are visible in the web UI: never the API key, which the TaskManagers read
    # from their environment (CUSTOMERIO_API_KEY, set by scripts/stack.sh).
    local -a args=(--kafka.bootstrap-servers "127.0.0.1:$KAFKA_PORT" --kafka.topic "$INPUT_TOPIC"
        --customerio.site-id "$SIMULATOR_SITE_ID" --customerio.endpoint "$SIMULATOR_URL"
        --job.name "$JOB_NAME")
    [[ "$DLQ_TOPIC" == "$DEFAULT_DLQ_TOPIC" ]] || args+=(--dead-letter.topic "$DLQ_TOPIC")
    local arg list=""
    for arg in "${args[@]}"; do
        list+="${list:+,}\"$arg\""
    done
    local body="{\"entryClass\":\"$ENTRY_CLASS\",\"parallelism\":$JOB_PARALLELISM,\"programArgsList\":[$list]}"
    response="$(http -X POST -H 'Content-Type: application/json' -d "$body" "$FLINK_URL/jars/$jar_id/run")" || true
    JOB_ID="$(json_string jobid "$response")"
    if [[ -z "$JOB_ID" ]]; then
        printf '%s\n' "$response" | unescape | head -n 30 | sed 's/^/      /' >&2
        die "Flink refused to run the job (above); read $LOG_DIR/jobmanager.log"
    fi
    say "job $JOB_ID submitted; waiting until all its tasks run"
    local entry state running total deadline=$((SECONDS + RUN_TIMEOUT))
    while :; do
        entry="$(job_entry "$JOB_ID")"
        state="$(json_string state "$entry")"
        local tasks
        tasks="$(grep -o '"tasks":{[^}]*}' <<<"$entry" || true)"
        running="$(json_number running "$tasks")"
        total="$(json_number total "$tasks")"
        [[ "$state" == RUNNING && -n "$total" && "$running" == "$total" ]] && break
        [[ "$state" =~ ^(FAILED|CANCELED|FINISHED)$ ]] && job_failed "$state"
        ((SECONDS < deadline)) || die "job $JOB_ID is $state with ${running:-?}/${total:-?} tasks running after ${RUN_TIMEOUT}s; read $LOG_DIR/jobmanager.log and $LOG_DIR/taskmanager-*.log"
        sleep 1
    done
    say "job $JOB_ID is running ($total tasks)"
}

# The job stopped on its own: show Flink's root exception.
job_failed() {
    printf '\n      Job %s is %s. Its newest exception, from %s/jobs/%s/exceptions:\n' "$JOB_ID" "$1" "$FLINK_URL" "$JOB_ID" >&2
    # Flink 2.x answers only the exception history ("stacktrace"); 1.x had "root-exception".
    http "$FLINK_URL/jobs/$JOB_ID/exceptions?maxExceptions=1" |
        grep -o '"\(stacktrace\|root-exception\)":"[^"]*' | head -n 1 | sed 's/^"[a-z-]*":"//' |
        unescape | head -n 25 | sed 's/^/      /' >&2 || true
    die "the job is $1; read $LOG_DIR/jobmanager.log and $LOG_DIR/taskmanager-*.log"
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
    local summary events operations people requests last_operations="" state
    local deadline=$((SECONDS + RUN_TIMEOUT)) next_line=0
    while :; do
        summary="$(http "$SIMULATOR_URL/__simulator/summary" 2>/dev/null || true)"
        events="$(json_number events "$summary")"
        operations="$(json_number operations "$summary")"
        people="$(json_number people "$summary")"
        requests="$(json_number requests "$summary")"
        local progress="events ${events:-?}/$expected, people ${people:-?}, operations ${operations:-?}, requests ${requests:-?}"
        if [[ -t 1 ]]; then
            printf '\r      %s   ' "$progress"
        elif ((SECONDS >= next_line)); then
            say "$progress"
            next_line=$((SECONDS + 10))
        fi
        # Done when every expected event is in and nothing moved for one poll: a profile update
        # (identify) of the last batches may trail its events.
        if [[ -n "$events" && "$events" -ge "$expected" && "$operations" == "$last_operations" ]]; then
            [[ -t 1 ]] && printf '\n'
            ((events == expected)) || say "note: $events events arrived, $expected were expected (scripts/samples/expected-events)"
            return
        fi
        last_operations="$operations"
        state="$(json_string state "$(job_entry "$JOB_ID")")"
        [[ "$state" =~ ^(FAILED|CANCELED|FINISHED)$ ]] && { [[ -t 1 ]] && printf '\n'; job_failed "$state"; }
        if ((SECONDS >= deadline)); then
            [[ -t 1 ]] && printf '\n'
            die "after ${RUN_TIMEOUT}s the simulator has ${events:-?} of $expected events (job state: ${state:-unknown}).
       Read $LOG_DIR/taskmanager-*.log (delivery to Customer.io), $LOG_DIR/simulator.log
       and $LOG_DIR/jobmanager.log; rejected records: scripts/stack.sh consume $DLQ_TOPIC"
        fi
        sleep 2
    done
}

# The job's own counters, summed over its parallel instances (Flink REST, like the web UI shows).
job_metrics() {
    local vertices vertex line name value
    vertices="$(http "$FLINK_URL/jobs/$JOB_ID" | grep -o '"id":"[0-9a-f]\{32\}","slotSharingGroupId"' | cut -d'"' -f4 || true)"
    printf '\n  Job metrics (sum over parallel instances)\n'
    for vertex in $vertices; do
        for name in Parse_mParticle_batches.forwarder.records_in \
            Per-user_state_and_mapping_rules.forwarder.events_forwarded \
            Per-user_state_and_mapping_rules.forwarder.screens_forwarded \
            Per-user_state_and_mapping_rules.forwarder.identify_sent \
            Per-user_state_and_mapping_rules.forwarder.identify_unchanged \
            Batch_requests.forwarder.requests_built \
            Deliver_to_Customer_io.forwarder.requests \
            Deliver_to_Customer_io.forwarder.operations_delivered \
            Deliver_to_Customer_io.forwarder.retries; do
            line="$(http "$FLINK_URL/jobs/$JOB_ID/vertices/$vertex/subtasks/metrics?get=$name&agg=sum" || true)"
            value="$(printf '%s' "$line" | grep -o '"sum":[0-9.E]*' | cut -d: -f2 || true)"
            if [[ -n "$value" ]]; then
                printf '    %-32s %s\n' "${name##*.}" "${value%.0}"
            fi
        done
    done
}

report() {
    step "What Customer.io received"
    local dir="$STATE_DIR/tmp"
    mkdir -p "$dir"
    http "$SIMULATOR_URL/__simulator/summary" >"$dir/simulator-summary.json"
    http "$SIMULATOR_URL/__simulator/people" >"$dir/simulator-people.json"
    http "$SIMULATOR_URL/__simulator/events" >"$dir/simulator-events.json"
    printf '\n'
    # A single-file Java program lays the JSON out (the machine has Java; it may lack jq/python).
    if ! "$JAVA" -XX:TieredStopAtLevel=1 -Dsun.stdout.encoding=UTF-8 \
        "$REPO_DIR/scripts/stack/SimulatorReport.java" \
        "$dir/simulator-summary.json" "$dir/simulator-people.json" "$dir/simulator-events.json" | sed 's/^./  &/'; then
        say "(could not lay out the simulator's answers; raw JSON follows)"
        cat "$dir/simulator-summary.json" "$dir/simulator-people.json" "$dir/simulator-events.json"
        printf '\n'
    fi
    job_metrics
    cat <<EOF

  Flink web UI:   $FLINK_URL   (job $JOB_ID; metrics under each operator's "Metrics" tab, group "forwarder")
  Simulator:      $SIMULATOR_URL/  (live page; JSON at /__simulator/summary, /people, /events)
  Dead letters:   scripts/stack.sh consume $DLQ_TOPIC
  Logs:           scripts/stack.sh logs   (files in $LOG_DIR)

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
