# shellcheck shell=bash disable=SC2034  # globals set here (JOB_ID, CLUSTER_VERSION, ...) are read by the scripts
# Shared by scripts/submit.sh, savepoint.sh, upgrade.sh, rescale.sh and resume.sh: Flink REST calls, job
# lookup, settings handling and the per-job records that let an upgrade or a rescale restart a job
# with the jar and settings it was started with. Sourced, never run.
#
# Talks to any Flink 2.2 cluster through its REST API (the same on standalone, YARN and Kubernetes
# session clusters); the local stack's by default. JSON is read with grep and sed, like
# scripts/run-local.sh: Flink answers compact JSON, and the few fields needed are flat or strings.
#
# Records (CIO_OPS_DIR, default <state dir>/ops):
#   jobs/<job id>/settings.properties  the settings the job was started with (key=value)
#   jobs/<job id>/job.properties       jar, jar id on the cluster, parallelism, savepoint, ...
#   jobs/<job id>/savepoints           savepoints taken of it, one "time path" per line
#   jars/<sha256>-<name>.jar           a copy of every jar started, so a rollback has the exact
#                                      bytes even after target/ was rebuilt

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE_DIR="${CIO_STATE_DIR:-$REPO_DIR/.local-stack}"
OPS_DIR="${CIO_OPS_DIR:-$STATE_DIR/ops}"
FLINK_REST_PORT="${FLINK_REST_PORT:-8081}"
FLINK_URL="${FLINK_URL:-http://127.0.0.1:$FLINK_REST_PORT}"
# The forwarder's job name (its job.name setting): how the scripts find "the" running job.
JOB_NAME="${JOB_NAME:-mparticle-customerio-forwarder}"
ENTRY_CLASS="dev.cioforwarder.job.ForwarderJob"
# Seconds for one REST call, and between two polls.
REST_TIMEOUT="${REST_TIMEOUT:-60}"
POLL_SECONDS="${POLL_SECONDS:-1}"
MVN="${MVN:-mvn}"

# ----- output -----------------------------------------------------------------------------------
# Progress goes to stderr; stdout carries only the result (a job id, a savepoint path), so that
# other scripts can capture it.
info() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() {
    printf 'ERROR: %s\n' "$*" >&2
    if [[ -n "${OPS_STOPPED_SAVEPOINT:-}" ]]; then
        # Past the stop of an upgrade or rescale, "nothing changed" (exit 1) would be a lie.
        printf '       The old job had already been stopped with a savepoint: the forwarder may NOT be
       running (check the cluster). Its state is safe in %s. Start the previous
       version by hand if nothing runs:
         %s
' \
            "$OPS_STOPPED_SAVEPOINT" "$OPS_STOPPED_MANUAL" >&2
        exit 3
    fi
    exit 1
}
# Indented lines (a reason, an exception summary) under a progress line.
indent() { sed 's/^/      /' >&2; }

OPS_TMP="$(mktemp -d "${TMPDIR:-/tmp}/cio-ops.XXXXXX")"
trap 'rm -rf "$OPS_TMP"' EXIT

# ----- arguments --------------------------------------------------------------------------------
# Fails unless option $1 has a value ($2 is what follows it, $3 the number of arguments left).
need_value() {
    (($3 >= 2)) || die "$1 needs a value (see --help)"
    [[ -n "$2" ]] || die "$1 needs a non-empty value"
}

set_flink_url() {
    FLINK_URL="${1%/}"
    [[ "$FLINK_URL" =~ ^https?://[^/]+ ]] || die "--flink takes the REST address of a Flink cluster, e.g. http://127.0.0.1:8081; got \"$1\""
}

positive_int() {
    [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive whole number, got \"$2\""
}

# ----- JSON (compact Flink answers) --------------------------------------------------------------
# A number field: its first occurrence; nothing (and success) when absent.
json_number() {
    local match
    match="$(grep -o "\"$1\":-\?[0-9]*" <<<"$2" || true)"
    match="${match%%$'\n'*}"
    printf '%s' "${match#*:}"
}

# A string field, its escapes kept (\n, \", ...): its first occurrence; nothing when absent.
json_raw_string() {
    local match
    match="$(grep -o -E "\"$1\":\"([^\"\\\\]|\\\\.)*\"" <<<"$2" || true)"
    match="${match%%$'\n'*}"
    [[ -n "$match" ]] || return 0
    match="${match#*\":\"}"
    printf '%s' "${match%\"}"
}

# A string field, unescaped.
json_string() { json_raw_string "$1" "$2" | json_unescape; }

# JSON string escapes to text (\uXXXX stays as it is: Flink's texts are ASCII).
json_unescape() {
    sed -e 's/\\\\/\x01/g' -e 's/\\n/\n/g' -e 's/\\t/\t/g' -e 's/\\r//g' -e 's/\\"/"/g' \
        -e 's/\\\//\//g' -e 's/\x01/\\/g'
}

json_escape() {
    local s="$1"
    s="${s//\\/\\\\}"
    s="${s//\"/\\\"}"
    s="${s//$'\t'/\\t}"
    s="${s//$'\r'/\\r}"
    s="${s//$'\n'/\\n}"
    printf '"%s"' "$s"
}

# The short form of a Java stack trace: the exception lines ("X: message", "Caused by: ..."),
# without the "at ..." frames. Reads the trace on stdin.
exception_summary() {
    grep -v -E '^[[:space:]]+(at |\.\.\. [0-9]+ more)|^[[:space:]]*$' | head -n "${1:-12}" || true
}

# The innermost cause of a stack trace on stdin (the last "Caused by:"), else its first line.
innermost_cause() {
    local text cause
    text="$(cat)"
    cause="$(grep -E '^Caused by: ' <<<"$text" | tail -n 1 || true)"
    [[ -n "$cause" ]] || cause="$(head -n 1 <<<"$text")"
    printf '%s' "${cause#Caused by: }"
}

# ----- REST -------------------------------------------------------------------------------------
# The local cluster must never be reached through an http_proxy; other addresses may need one.
CURL_BASE=(curl -sS --noproxy '127.0.0.1,localhost,::1')

# rest METHOD PATH [JSON]: sets REST_STATUS (HTTP status) and REST_BODY. Dies in plain words when
# nothing answers at FLINK_URL.
rest() {
    local method="$1" path="$2" body="${3-}"
    local -a args=(-X "$method" --max-time "$REST_TIMEOUT" -o "$OPS_TMP/body" -w '%{http_code}')
    if [[ -n "$body" ]]; then
        # From a file in the private OPS_TMP (mode 700), not curl's command line, which ps shows.
        printf '%s' "$body" >"$OPS_TMP/request"
        args+=(-H 'Content-Type: application/json' --data-binary @"$OPS_TMP/request")
    fi
    rest_call "$path" "${args[@]}"
}

rest_call() {
    local path="$1" rc=0
    shift
    : >"$OPS_TMP/body"
    REST_STATUS="$("${CURL_BASE[@]}" "$@" "$FLINK_URL$path" 2>"$OPS_TMP/curl.err")" || rc=$?
    REST_BODY="$(cat "$OPS_TMP/body")"
    if ((rc != 0)) || [[ "$REST_STATUS" == 000 ]]; then
        local why
        why="$(head -n 1 "$OPS_TMP/curl.err")"
        why="${why#curl: }"
        why="${why#(*) }"
        die "the Flink cluster at $FLINK_URL is unreachable (${why:-no answer}).
       Is it running? The local one: scripts/stack.sh start flink (its REST port is FLINK_REST_PORT,
       now $FLINK_REST_PORT); another cluster: --flink URL."
    fi
}

rest_ok() { [[ "$REST_STATUS" =~ ^2 ]]; }

# Keeps the last REST answer, unescaped, under OPS_DIR/logs (for the details a summary leaves
# out) and prints the file's path.
save_answer() {
    local file
    mkdir -p "$OPS_DIR/logs"
    file="$OPS_DIR/logs/$(date -u +%Y%m%dT%H%M%SZ)-$1.txt"
    printf 'HTTP %s\n%s\n' "$REST_STATUS" "$REST_BODY" | json_unescape >"$file"
    printf '%s' "$file"
}

# The exception lines of a REST error answer ({"errors":["...", "..."]}): every string of the
# errors array, unescaped, without stack frames.
rest_errors() {
    local list
    list="${REST_BODY#*\"errors\":\[}"
    if [[ "$list" == "$REST_BODY" ]]; then
        printf 'HTTP %s: %s' "$REST_STATUS" "$(head -c 300 <<<"$REST_BODY")"
        return
    fi
    grep -o -E '"([^"\\]|\\.)*"' <<<"$list" | sed 's/^"//; s/"$//' | json_unescape |
        sed 's/^<Exception on server side:$//; s/^Internal server error\.$//' | exception_summary "${1:-12}"
}

# Checks that FLINK_URL is a Flink REST API; warns when its version is not the job's (2.2).
check_cluster() {
    rest GET /config
    local version
    version="$(json_string flink-version "$REST_BODY")"
    if ! rest_ok || [[ -z "$version" ]]; then
        die "$FLINK_URL answered HTTP $REST_STATUS to GET /config, not like a Flink REST API; is --flink right?"
    fi
    CLUSTER_VERSION="$version"
    case "$version" in
        2.2.*) ;;
        *) warn "the cluster at $FLINK_URL runs Flink $version; the job is built for Flink 2.2" ;;
    esac
}

# ----- jobs -------------------------------------------------------------------------------------
# One line per job of /jobs/overview: "<jid> <state> <name>".
list_jobs() {
    rest GET /jobs/overview
    rest_ok || die "GET $FLINK_URL/jobs/overview failed: $(rest_errors 3)"
    local split="${REST_BODY//\{\"jid\":/$'\n'\{\"jid\":}" entry
    { grep '^{"jid":' <<<"$split" || true; } | while IFS= read -r entry; do
        printf '%s %s %s\n' "$(json_string jid "$entry")" "$(json_string state "$entry")" "$(json_string name "$entry")"
    done
}

is_terminal_state() { [[ "$1" =~ ^(FINISHED|CANCELED|FAILED)$ ]]; }

# Sets JOB_ID to the job given with --job (checked to exist), else to the single active job named
# JOB_NAME. Dies when there is none or more than one.
resolve_job() {
    local given="${1-}" jid state name
    if [[ -n "$given" ]]; then
        if [[ ! "$given" =~ ^[0-9a-fA-F]{32}$ ]]; then
            die "job $given not found: a Flink job id is 32 hexadecimal characters (see $FLINK_URL or scripts/stack.sh status)"
        fi
        rest GET "/jobs/$given"
        if [[ "$REST_STATUS" == 404 ]]; then
            die "job $given not found on the cluster at $FLINK_URL.
       Running jobs: $(running_jobs_text)"
        fi
        rest_ok || die "GET /jobs/$given failed: $(rest_errors 3)"
        JOB_ID="$given"
        return
    fi
    local -a active=()
    local jobs
    JOB_ID=""
    jobs="$(list_jobs)" # not < <(list_jobs): its failure would go unnoticed
    while read -r jid state name; do
        [[ -n "$jid" && "$name" == "$JOB_NAME" ]] || continue
        is_terminal_state "$state" || active+=("$jid ($state)")
    done <<<"$jobs"
    case "${#active[@]}" in
        0) die "no running job named \"$JOB_NAME\" on the cluster at $FLINK_URL.
       Running jobs: $(running_jobs_text)
       Choose one with --job ID (or --name NAME)." ;;
        1) JOB_ID="${active[0]%% *}" ;;
        *) die "more than one job named \"$JOB_NAME\" is running on $FLINK_URL: ${active[*]}.
       Say which with --job ID." ;;
    esac
}

running_jobs_text() {
    local jid state name text=""
    while read -r jid state name; do
        [[ -n "$jid" ]] || continue
        is_terminal_state "$state" || text+="${text:+, }$jid $state \"$name\""
    done < <(list_jobs)
    printf '%s' "${text:-none}"
}

# The job's state (RUNNING, ...), from GET /jobs/<id>.
job_state() {
    rest GET "/jobs/$1"
    rest_ok || {
        printf 'UNKNOWN'
        return
    }
    json_string state "$REST_BODY"
}

# The parallelism the job runs with: the highest of its vertices.
job_parallelism() {
    rest GET "/jobs/$1"
    rest_ok || die "GET /jobs/$1 failed: $(rest_errors 3)"
    grep -o '"parallelism":[0-9]*' <<<"$REST_BODY" | cut -d: -f2 | sort -n | tail -n 1
}

# The newest failure of a job (GET /jobs/<id>/exceptions; Flink 2.x answers only the exception
# history), summarised; nothing when it has none.
job_failure() {
    rest GET "/jobs/$1/exceptions?maxExceptions=1"
    rest_ok || return 0
    local trace
    trace="$(json_raw_string stacktrace "$REST_BODY" | json_unescape)"
    [[ -n "$trace" ]] || trace="$(json_raw_string root-exception "$REST_BODY" | json_unescape)"
    [[ -n "$trace" ]] || return 0
    exception_summary "${2:-10}" <<<"$trace"
}

ui_link() { printf '%s/#/job/running/%s/overview' "$FLINK_URL" "$1"; }

# Cancels a job and waits until it is gone (terminal).
cancel_job() {
    local jid="$1" state deadline=$((SECONDS + 120))
    info "Cancelling job $jid"
    rest PATCH "/jobs/$jid?mode=cancel"
    rest_ok || [[ "$REST_STATUS" == 404 ]] || warn "cancelling job $jid: $(rest_errors 3)"
    while state="$(job_state "$jid")"; do
        is_terminal_state "$state" && break
        [[ "$state" == UNKNOWN ]] && break
        ((SECONDS < deadline)) || {
            warn "job $jid is still $state 120 s after the cancel"
            return 1
        }
        sleep "$POLL_SECONDS"
    done
    info "Job $jid is ${state:-gone}"
}

# Waits until every task of the job runs. Returns 1 with FAILURE set when the job ends, fails or
# restarts first, or after TIMEOUT seconds.
wait_running() {
    local jid="$1" timeout="$2" deadline state tasks running total last=""
    deadline=$((SECONDS + timeout))
    FAILURE=""
    while :; do
        rest GET /jobs/overview
        local entry="${REST_BODY//\{\"jid\":/$'\n'\{\"jid\":}"
        entry="$(grep "^{\"jid\":\"$jid\"" <<<"$entry" || true)"
        state="$(json_string state "$entry")"
        tasks="$(grep -o '"tasks":{[^}]*}' <<<"$entry" || true)"
        running="$(json_number running "$tasks")"
        total="$(json_number total "$tasks")"
        if [[ "$state" == RUNNING && -n "$total" && "$running" == "$total" ]]; then
            info "Job $jid is RUNNING: all $total tasks"
            return 0
        fi
        if job_failed_early "$jid" "$state"; then
            return 1
        fi
        if [[ "$state/$running/$total" != "$last" ]]; then
            info "Job $jid is ${state:-not listed yet}, ${running:-0}/${total:-?} tasks running"
            last="$state/$running/$total"
        fi
        if ((SECONDS >= deadline)); then
            FAILURE="job $jid was not running after ${timeout}s (it is ${state:-unknown}, ${running:-0}/${total:-?} tasks running; are there enough free slots? GET $FLINK_URL/overview)"
            return 1
        fi
        sleep "$POLL_SECONDS"
    done
}

# True (with FAILURE set) when the job has ended, is failing or restarting, or has a failure in
# its exception history: before its first checkpoint, any of these means the start did not work.
job_failed_early() {
    local jid="$1" state="$2" failure
    failure="$(job_failure "$jid")"
    if is_terminal_state "$state" || [[ "$state" =~ ^(FAILING|RESTARTING|CANCELLING|SUSPENDED)$ ]]; then
        # Flink adds the failure to the exception history a moment after the state changes.
        local wait_until=$((SECONDS + 15))
        while [[ -z "$failure" ]] && ((SECONDS < wait_until)); do
            sleep 1
            failure="$(job_failure "$jid")"
        done
        FAILURE="job $jid is $state; ${failure:+its root exception:
$failure}"
        FAILURE="${FAILURE%; }"
        return 0
    fi
    if [[ -n "$failure" ]]; then
        FAILURE="job $jid failed (it is $state: Flink restarts it); its root exception:
$failure"
        return 0
    fi
    return 1
}

# Waits until the job has completed a checkpoint of its own (GET /jobs/<id>/checkpoints:
# counts.completed counts this job's checkpoints, not the savepoint it was restored from, and
# latest.completed is set). Returns 1 with FAILURE set on a failure or after TIMEOUT seconds.
wait_first_checkpoint() {
    local jid="$1" timeout="$2" deadline completed state
    deadline=$((SECONDS + timeout))
    FAILURE=""
    info "Waiting for job $jid to complete its first checkpoint"
    while :; do
        rest GET "/jobs/$jid/checkpoints"
        if rest_ok; then
            completed="$(json_number completed "$(grep -o '"counts":{[^}]*}' <<<"$REST_BODY" || true)")"
            if [[ -n "$completed" ]] && ((completed > 0)) && ! grep -q '"latest":{"completed":null' <<<"$REST_BODY"; then
                CHECKPOINT_ID="$(json_number id "$(grep -o '"latest":{"completed":{[^}]*' <<<"$REST_BODY" || true)")"
                RESTORED_FROM="$(json_string external_path "$(grep -o '"restored":{[^}]*}' <<<"$REST_BODY" || true)")"
                info "Job $jid completed checkpoint ${CHECKPOINT_ID:-?}${RESTORED_FROM:+ (restored from $RESTORED_FROM)}"
                return 0
            fi
        fi
        state="$(job_state "$jid")"
        if job_failed_early "$jid" "$state"; then
            return 1
        fi
        if ((SECONDS >= deadline)); then
            FAILURE="job $jid completed no checkpoint within ${timeout}s (it is $state; GET $FLINK_URL/jobs/$jid/checkpoints)"
            return 1
        fi
        sleep "$POLL_SECONDS"
    done
}

# ----- savepoints -------------------------------------------------------------------------------
# take_savepoint JID STOP(true|false) [DIR]: triggers a savepoint (or stop-with-savepoint), polls
# the trigger until it completes, sets SAVEPOINT_PATH. Returns 1 with FAILURE set when it fails.
take_savepoint() {
    local jid="$1" stop="$2" dir="${3-}" timeout="${SAVEPOINT_TIMEOUT:-900}" body trigger
    FAILURE=""
    SAVEPOINT_PATH=""
    # Canonical format (Flink's default): portable across state backends and Flink versions.
    # drain=false: stopping for an upgrade must not flush timers or emit a final watermark.
    if [[ "$stop" == true ]]; then
        body="{\"drain\":false,\"formatType\":\"CANONICAL\"${dir:+,\"targetDirectory\":$(json_escape "$dir")}}"
        info "Stopping job $jid with a savepoint${dir:+ in $dir}"
        rest POST "/jobs/$jid/stop" "$body"
    else
        body="{\"cancel-job\":false,\"formatType\":\"CANONICAL\"${dir:+,\"target-directory\":$(json_escape "$dir")}}"
        info "Triggering a savepoint of job $jid${dir:+ in $dir}"
        rest POST "/jobs/$jid/savepoints" "$body"
    fi
    if ! rest_ok; then
        FAILURE="Flink refused the savepoint: $(rest_errors 6)"
        return 1
    fi
    trigger="$(json_string request-id "$REST_BODY")"
    [[ -n "$trigger" ]] || {
        FAILURE="unexpected answer to the savepoint request: $(head -c 300 <<<"$REST_BODY")"
        return 1
    }
    local deadline=$((SECONDS + timeout)) status next_note=$((SECONDS + 15))
    while :; do
        rest GET "/jobs/$jid/savepoints/$trigger"
        status="$(json_string id "$(grep -o '"status":{[^}]*}' <<<"$REST_BODY" || true)")"
        if [[ "$status" == COMPLETED ]]; then
            break
        fi
        if ! rest_ok; then
            FAILURE="polling the savepoint failed: $(rest_errors 6)"
            return 1
        fi
        if ((SECONDS >= deadline)); then
            FAILURE="the savepoint did not complete within ${timeout}s (trigger $trigger; SAVEPOINT_TIMEOUT)"
            return 1
        fi
        if ((SECONDS >= next_note)); then
            info "savepoint still in progress ($((SECONDS - deadline + timeout))s)"
            next_note=$((SECONDS + 15))
        fi
        sleep "$POLL_SECONDS"
    done
    SAVEPOINT_PATH="$(json_string location "$REST_BODY")"
    if [[ -z "$SAVEPOINT_PATH" ]]; then
        local trace
        trace="$(json_raw_string stack-trace "$REST_BODY" | json_unescape)"
        FAILURE="the savepoint failed: $(innermost_cause <<<"$trace")
$(exception_summary 8 <<<"$trace")"
        return 1
    fi
    record_savepoint "$jid" "$SAVEPOINT_PATH"
    if [[ "$stop" == true ]]; then
        local state stop_deadline=$((SECONDS + 120))
        while state="$(job_state "$jid")" && ! is_terminal_state "$state"; do
            ((SECONDS < stop_deadline)) || {
                warn "the savepoint is complete but job $jid is still $state"
                break
            }
            sleep "$POLL_SECONDS"
        done
        info "Job $jid is ${state:-stopped}; savepoint: $SAVEPOINT_PATH"
    else
        info "Savepoint of job $jid: $SAVEPOINT_PATH"
    fi
}

# ----- settings ---------------------------------------------------------------------------------
# Ordered settings: SETTING_KEYS keeps the order, SETTINGS the values.
SETTING_KEYS=()
declare -A SETTINGS=()

# Where the API key and other secrets belong instead of program arguments (which the Flink web UI
# and REST API show to anyone who can open them).
refuse_secret_setting() {
    local key="$1" lower
    lower="${1,,}"
    case "$lower" in
        customerio.api-key-env | customerio.api-key-file) return 0 ;;
        customerio.api-key* | customerio.apikey* | customerio.api_key*)
            die "setting $key: the Customer.io API key is never a program argument (Flink shows program
       arguments in its web UI and REST API). It belongs on the TaskManagers: in the environment
       variable CUSTOMERIO_API_KEY (or the one named by customerio.api-key-env), or in a file named
       by customerio.api-key-file. Locally scripts/stack.sh sets it; on Kubernetes it comes from a
       Secret (flink-conf/kubernetes/flink-deployment.yaml)."
            ;;
        settings)
            die "setting \"settings\" is not passed on: the scripts read settings files here and send their
       entries as program arguments (--settings FILE would be read on the JobManager)"
            ;;
    esac
    # Any key, not only kafka.property.*: a Kafka client properties file passed as --settings by
    # mistake would otherwise put sasl.jaas.config into the program arguments.
    if [[ "$lower" == *password* || "$lower" == *passphrase* || "$lower" == *jaas* || "$lower" == *secret* || "$lower" == *.key ]]; then
        die "setting $key looks like a secret and must not be a program argument (the Flink UI shows
       them): put it in the Kafka client properties file named by kafka.properties-file, on the
       JobManager and the TaskManagers"
    fi
}

set_setting() {
    local key="$1" value="$2"
    [[ "$key" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] || die "\"$key\" is not a setting name (see the README's Settings table)"
    [[ "$value" != *$'\n'* ]] || die "setting $key: a value cannot span lines"
    refuse_secret_setting "$key"
    if [[ -z "${SETTINGS[$key]+set}" ]]; then
        SETTING_KEYS+=("$key")
    fi
    SETTINGS[$key]="$value"
}

# --set key=value
set_setting_arg() {
    [[ "$1" == *=* ]] || die "--set takes key=value, got \"$1\""
    set_setting "${1%%=*}" "${1#*=}"
}

# Reads a Java properties file (what the job's --settings reads): "key=value", "key: value" or
# "key value"; # and ! comments; backslash escapes and continued lines.
load_settings_file() {
    local file="$1" line logical="" key value n=0
    [[ -f "$file" && -r "$file" ]] || die "settings file $file does not exist or cannot be read"
    while IFS= read -r line || [[ -n "$line" ]]; do
        n=$((n + 1))
        line="${line%$'\r'}"
        if [[ -z "$logical" ]]; then
            line="${line#"${line%%[![:space:]]*}"}"
            [[ -z "$line" || "$line" == \#* || "$line" == \!* ]] && continue
        else
            line="${line#"${line%%[![:space:]]*}"}"
        fi
        # An odd number of trailing backslashes continues the line.
        local trailing="${line##*[!\\]}"
        [[ "$line" =~ ^\\+$ ]] && trailing="$line"
        if ((${#trailing} % 2 == 1)); then
            logical+="${line%\\}"
            continue
        fi
        logical+="$line"
        key="${logical%%[=: 	]*}"
        value="${logical:${#key}}"
        value="${value#"${value%%[![:space:]]*}"}"
        if [[ "$value" == [=:]* ]]; then
            value="${value:1}"
            value="${value#"${value%%[![:space:]]*}"}"
        fi
        logical=""
        [[ -n "$key" ]] || die "$file line $n: no setting name"
        set_setting "$key" "$(properties_unescape "$value")"
    done <"$file"
}

properties_unescape() {
    local s="$1" out="" c i
    if [[ "$s" != *\\* ]]; then
        printf '%s' "$s"
        return
    fi
    for ((i = 0; i < ${#s}; i++)); do
        c="${s:i:1}"
        if [[ "$c" == \\ && $((i + 1)) -lt ${#s} ]]; then
            i=$((i + 1))
            c="${s:i:1}"
            case "$c" in
                t) out+=$'\t' ;;
                n | r) die "a setting value cannot contain a line break (\\$c)" ;;
                u)
                    # shellcheck disable=SC2059 # \uXXXX must be in the format to be decoded
                    out+="$(printf "\\u${s:i+1:4}")"
                    i=$((i + 4))
                    ;;
                *) out+="$c" ;;
            esac
        else
            out+="$c"
        fi
    done
    printf '%s' "$out"
}

properties_escape() {
    local s="${1//\\/\\\\}"
    [[ "$s" == [[:space:]]* ]] && s="\\$s"
    printf '%s' "$s"
}

# The settings as the JSON programArgsList: ["--key","value",...].
program_args_json() {
    local key list=""
    for key in "${SETTING_KEYS[@]}"; do
        list+="${list:+,}$(json_escape "--$key"),$(json_escape "${SETTINGS[$key]}")"
    done
    printf '[%s]' "$list"
}

effective_job_name() { printf '%s' "${SETTINGS[job.name]:-mparticle-customerio-forwarder}"; }

# ----- jars -------------------------------------------------------------------------------------
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

# The default jar: target/'s, built first when missing or older than the sources.
default_job_jar() {
    local jar
    jar="$(find_job_jar || true)"
    if [[ -n "$jar" && -z "$(find "$REPO_DIR/src/main" "$REPO_DIR/pom.xml" -newer "$jar" -print -quit 2>/dev/null)" ]]; then
        printf '%s' "$jar"
        return
    fi
    mkdir -p "$OPS_DIR"
    local log="$OPS_DIR/maven-package.log"
    info "Building the job jar: mvn -B -q -DskipTests package (log: $log)"
    if ! (cd "$REPO_DIR" && "$MVN" -B -q -Dstyle.color=never -DskipTests package) >"$log" 2>&1; then
        tail -n 30 "$log" | indent
        die "the build failed; read $log"
    fi
    find_job_jar || die "the build produced no target/mparticle-customerio-flink-*.jar"
}

# Keeps a copy of the jar under OPS_DIR/jars (once per content) and prints its path.
keep_jar_copy() {
    local jar="$1" sha copy
    sha="$(sha256sum "$jar" | cut -c1-64)"
    copy="$OPS_DIR/jars/$sha-$(basename "$jar")"
    if [[ ! -f "$copy" ]]; then
        mkdir -p "$OPS_DIR/jars"
        cp "$jar" "$copy.tmp"
        mv "$copy.tmp" "$copy"
    fi
    printf '%s' "$copy"
}

# Uploads a jar (POST /jars/upload); sets JAR_ID.
upload_jar() {
    local jar="$1"
    [[ -f "$jar" && -r "$jar" ]] || die "jar $jar does not exist or cannot be read"
    info "Uploading $(basename "$jar") ($(($(stat -c %s "$jar") / 1024 / 1024)) MB) to $FLINK_URL"
    rest_call /jars/upload -X POST --max-time 600 -o "$OPS_TMP/body" -w '%{http_code}' -F "jarfile=@$jar"
    JAR_ID="$(basename "$(json_string filename "$REST_BODY")")"
    if ! rest_ok || [[ "$(json_string status "$REST_BODY")" != success || -z "$JAR_ID" ]]; then
        FAILURE="uploading $jar to $FLINK_URL/jars/upload failed: $(rest_errors 4)"
        if [[ "$REST_STATUS" == 404 || "$REST_STATUS" == 405 ]]; then
            FAILURE+="
(is jar upload enabled on the cluster? web.submit.enable: true)"
        fi
        return 1
    fi
    info "Uploaded as $JAR_ID"
}

jar_on_cluster() {
    rest GET /jars
    rest_ok && grep -q "\"id\":\"$1\"" <<<"$REST_BODY"
}

# ----- running a job ----------------------------------------------------------------------------
# run_jar JAR_ID PARALLELISM(or empty) SAVEPOINT(or empty) ALLOW_NON_RESTORED(true|false), with
# the settings in SETTINGS: POST /jars/<id>/run. Sets NEW_JOB_ID, or returns 1 with FAILURE set.
run_jar() {
    local jar_id="$1" parallelism="$2" savepoint="$3" allow="$4" body
    body="{\"entryClass\":\"$ENTRY_CLASS\",\"programArgsList\":$(program_args_json)"
    [[ -z "$parallelism" ]] || body+=",\"parallelism\":$parallelism"
    if [[ -n "$savepoint" ]]; then
        body+=",\"savepointPath\":$(json_escape "$savepoint"),\"allowNonRestoredState\":$allow"
    fi
    body+="}"
    info "Starting the job${parallelism:+ with parallelism $parallelism}${savepoint:+ from $savepoint}$([[ "$allow" == true ]] && printf ' (allowing non-restored state)')"
    rest POST "/jars/$jar_id/run" "$body"
    NEW_JOB_ID="$(json_string jobid "$REST_BODY")"
    if ! rest_ok || [[ -z "$NEW_JOB_ID" ]]; then
        local errors log
        errors="$(rest_errors 40)"
        log="$(save_answer run-refused)"
        FAILURE="Flink refused to run the job: $(innermost_cause <<<"$errors")
(Flink's whole answer: $log)"
        return 1
    fi
    info "Submitted job $NEW_JOB_ID"
}

# ----- records ----------------------------------------------------------------------------------
job_record_dir() { printf '%s/jobs/%s' "$OPS_DIR" "$1"; }

# write_job_record JID JAR_COPY JAR_ID PARALLELISM SAVEPOINT ALLOW PREVIOUS_JOB NOTE
write_job_record() {
    local dir key
    dir="$(job_record_dir "$1")"
    mkdir -p "$dir"
    {
        printf '# Settings job %s was started with (scripts/submit.sh, %s).\n' "$1" "$(date -u +%FT%TZ)"
        printf '# upgrade.sh and rescale.sh start its successor with these unless told otherwise.\n'
        for key in "${SETTING_KEYS[@]}"; do
            printf '%s=%s\n' "$key" "$(properties_escape "${SETTINGS[$key]}")"
        done
    } >"$dir/settings.properties.tmp"
    mv "$dir/settings.properties.tmp" "$dir/settings.properties"
    {
        printf 'job-id=%s\n' "$1"
        printf 'job-name=%s\n' "$(effective_job_name)"
        printf 'flink-url=%s\n' "$FLINK_URL"
        printf 'jar=%s\n' "$2"
        printf 'jar-id=%s\n' "$3"
        printf 'parallelism=%s\n' "$4"
        printf 'restored-from=%s\n' "$5"
        printf 'allow-non-restored-state=%s\n' "$6"
        printf 'previous-job=%s\n' "$7"
        printf 'note=%s\n' "$8"
        printf 'submitted-at=%s\n' "$(date -u +%FT%TZ)"
    } >"$dir/job.properties.tmp"
    mv "$dir/job.properties.tmp" "$dir/job.properties"
}

# A field of a job's job.properties record, or nothing.
record_field() {
    local file
    file="$(job_record_dir "$1")/job.properties"
    [[ -f "$file" ]] || return 0
    sed -n "s/^$2=//p" "$file" | head -n 1
}

has_job_record() { [[ -f "$(job_record_dir "$1")/job.properties" && -f "$(job_record_dir "$1")/settings.properties" ]]; }

record_savepoint() {
    local dir
    dir="$(job_record_dir "$1")"
    [[ -d "$dir" ]] || return 0
    printf '%s %s\n' "$(date -u +%FT%TZ)" "$2" >>"$dir/savepoints"
}

# ----- upgrade and rescale ----------------------------------------------------------------------
require_job_record() {
    has_job_record "$1" || die "there is no record of how job $1 was started ($(job_record_dir "$1"));
       scripts/submit.sh writes one, jobs started another way have none. Without it there is no
       jar to roll back to and no settings to start the successor with. Stop the job with
       scripts/savepoint.sh --stop and start it with scripts/submit.sh --savepoint PATH instead."
}

reset_settings() {
    SETTING_KEYS=()
    SETTINGS=()
}

load_recorded_settings() { load_settings_file "$(job_record_dir "$1")/settings.properties"; }

# Uploads the jar copy of a job's record unless the cluster still has the jar it was started
# from; sets JAR_ID.
ensure_recorded_jar() {
    local jid="$1" jar_id copy
    jar_id="$(record_field "$jid" jar-id)"
    copy="$(record_field "$jid" jar)"
    if [[ -n "$jar_id" ]] && jar_on_cluster "$jar_id"; then
        JAR_ID="$jar_id"
        info "The cluster still has the jar of job $jid ($jar_id)"
        return 0
    fi
    if [[ ! -f "$copy" ]]; then
        FAILURE="the jar of job $jid is neither on the cluster ($jar_id) nor at $copy"
        return 1
    fi
    upload_jar "$copy"
}

# redeploy OLD_JOB NEW_JAR PARALLELISM ALLOW DIR TIMEOUT WHAT
# Stops OLD_JOB with a savepoint and starts NEW_JAR (empty: the old job's jar) from it with the
# settings in SETTINGS and PARALLELISM (empty: the old job's), then waits until the new job runs
# and has completed a checkpoint of its own. If it does not get there, it is cancelled and the old
# jar is started again from the same savepoint with the old settings and parallelism.
# Prints the new job's id. Exit codes: 0 done; 1 nothing changed (the old job still runs);
# 2 the new job failed and the old version runs again (rolled back); 3 the new job failed and so
# did the rollback: the forwarder is not running, its state is in the savepoint.
redeploy() {
    local old="$1" new_jar="$2" parallelism="$3" allow="$4" dir="$5" timeout="$6" what="$7"
    local old_parallelism max_parallelism slots
    old_parallelism="$(job_parallelism "$old")"
    [[ -n "$parallelism" ]] || parallelism="$old_parallelism"
    max_parallelism="${SETTINGS[job.max-parallelism]:-720}"
    if ((parallelism > max_parallelism)); then
        die "parallelism $parallelism is above the job's maximum parallelism $max_parallelism (job.max-parallelism,
       fixed for the life of its state)"
    fi
    local old_max
    old_max="$(sed -n 's/^job\.max-parallelism=//p' "$(job_record_dir "$old")/settings.properties" | tail -n 1)"
    if [[ "${old_max:-720}" != "$max_parallelism" ]]; then
        die "job.max-parallelism would change from ${old_max:-720} to $max_parallelism: the keyed state of job $old
       cannot be restored with another maximum parallelism. Keep ${old_max:-720}."
    fi
    rest GET /overview
    slots="$(json_number slots-total "$REST_BODY")"
    if [[ -n "$slots" ]] && ((parallelism > slots)) && [[ "${OPS_SLOT_CHECK:-true}" == true ]]; then
        die "parallelism $parallelism needs $parallelism task slots and the cluster has $slots in all.
       Add TaskManagers first (locally: scripts/stack.sh start-taskmanager), or set
       OPS_SLOT_CHECK=false where the cluster starts TaskManagers on demand. Nothing changed."
    fi
    # Everything that can fail without touching the running job happens first: an upload failure
    # leaves the old job running.
    local new_copy new_jar_id
    if [[ -n "$new_jar" ]]; then
        new_copy="$(keep_jar_copy "$new_jar")"
        upload_jar "$new_jar" || die "$FAILURE
       Nothing changed: job $old keeps running."
    else
        new_copy="$(record_field "$old" jar)"
        ensure_recorded_jar "$old" || die "$FAILURE
       Nothing changed: job $old keeps running."
    fi
    new_jar_id="$JAR_ID"

    if ! take_savepoint "$old" true "$dir"; then
        printf '%s\n' "$FAILURE" | indent
        die "stopping job $old with a savepoint failed (reason above); nothing changed: the job is $(job_state "$old")"
    fi
    local savepoint="$SAVEPOINT_PATH" new_job="" failure
    # From here on the old job is gone: any unexpected failure (a REST call that dies) must say so.
    OPS_STOPPED_SAVEPOINT="$savepoint"
    OPS_STOPPED_MANUAL="scripts/submit.sh --jar $(record_field "$old" jar) --settings $(job_record_dir "$old")/settings.properties --parallelism $old_parallelism --savepoint $savepoint"
    if run_jar "$new_jar_id" "$parallelism" "$savepoint" "$allow"; then
        new_job="$NEW_JOB_ID"
        write_job_record "$new_job" "$new_copy" "$new_jar_id" "$parallelism" "$savepoint" "$allow" "$old" "$what of job $old"
        if wait_running "$new_job" "$timeout" && wait_first_checkpoint "$new_job" "$timeout"; then
            info "$what done: job $new_job replaces job $old (parallelism $parallelism, restored from $savepoint)"
            info "Web UI: $(ui_link "$new_job")"
            printf '%s\n' "$new_job"
            OPS_STOPPED_SAVEPOINT=""
            return 0
        fi
    fi
    failure="$FAILURE"
    printf 'ERROR: the %s failed:\n' "$what" >&2
    printf '%s\n' "$failure" | indent
    if [[ -n "$new_job" ]]; then
        cancel_job "$new_job" || true
    fi
    if [[ -n "$new_jar" ]]; then
        # The new jar is of no use on the cluster any more (a copy stays in OPS_DIR/jars).
        rest DELETE "/jars/$new_jar_id" || true
    fi
    rollback "$old" "$savepoint" "$old_parallelism" "$timeout" "$what" "$failure"
}

# Starts the old job's jar again from the savepoint, with its recorded settings. Exits 2 when that
# worked, 3 when it did not.
rollback() {
    local old="$1" savepoint="$2" parallelism="$3" timeout="$4" what="$5" failure="$6" job
    info "Rolling back: starting the jar of job $old again from $savepoint"
    reset_settings
    load_recorded_settings "$old"
    local manual
    manual="scripts/submit.sh --jar $(record_field "$old" jar) --settings $(job_record_dir "$old")/settings.properties --parallelism $parallelism --savepoint $savepoint"
    if ! ensure_recorded_jar "$old" || ! run_jar "$JAR_ID" "$parallelism" "$savepoint" false; then
        printf '%s\n' "$FAILURE" | indent
        rollback_failed "$what" "$failure" "$savepoint" "$manual"
    fi
    job="$NEW_JOB_ID"
    write_job_record "$job" "$(record_field "$old" jar)" "$JAR_ID" "$parallelism" "$savepoint" false "$old" "rollback after a failed $what of job $old"
    if ! wait_running "$job" "$timeout" || ! wait_first_checkpoint "$job" "$timeout"; then
        printf '%s\n' "$FAILURE" | indent
        rollback_failed "$what" "$failure" "$savepoint" "$manual (job $job was started and did not get there)"
    fi
    printf '%s\n' "$job"
    printf 'ERROR: the %s failed and was rolled back: job %s runs the previous jar and settings again,\n       restored from %s.\n       Why the new job failed:\n' \
        "$what" "$job" "$savepoint" >&2
    head -n 4 <<<"$failure" | sed 's/^/         /' >&2
    exit 2
}

rollback_failed() {
    printf 'ERROR: the %s failed, and so did the rollback: the forwarder is NOT running.\n       Why the new job failed:\n' "$1" >&2
    head -n 4 <<<"$2" | sed 's/^/         /' >&2
    printf '       Its state is safe in the savepoint %s. Start the previous version by hand:\n         %s\n' "$3" "$4" >&2
    exit 3
}
