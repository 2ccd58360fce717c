#!/usr/bin/env bash
# Starts the forwarder again after it died without a savepoint (a JobManager that was killed or
# restarted without HA, a cluster that was torn down): finds the newest completed checkpoint of
# the last job scripts/submit.sh (or upgrade.sh, rescale.sh) recorded, and resubmits that job's jar
# and settings from it with scripts/submit.sh --savepoint. Retained checkpoints
# (RETAIN_ON_CANCELLATION, flink-conf/config.yaml) restore like savepoints on the same Flink
# version and state backend.
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true

# shellcheck source=ops/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/ops/common.sh"

usage() {
    cat <<EOF
Usage: scripts/resume.sh [--job ID] [--name NAME] [--checkpoint-dir DIR] [--set key=value ...]
                         [--parallelism N] [--jar JAR] [--allow-non-restored-state]
                         [--flink URL] [--timeout SECONDS] [--dry-run]

Resubmits the forwarder from its newest retained checkpoint. Prints the new job id on stdout.

Which job: the one whose record under \$CIO_OPS_DIR/jobs/ was written last (every start through
submit.sh, upgrade.sh or rescale.sh writes one), among jobs named \$JOB_NAME ("$JOB_NAME").
Which state: the newest <checkpoint dir>/<job id>/chk-<n>/_metadata, or a savepoint recorded for
that job if one is newer; when the job completed no checkpoint, the checkpoint or savepoint it was
itself started from (it committed nothing since).
How: scripts/submit.sh --savepoint <that path> with the jar, settings and parallelism recorded for
the job (a --set here wins over a recorded setting).

  --job ID             resume this recorded job instead of the last one
  --name NAME          the job name to look for (default \$JOB_NAME)
  --checkpoint-dir DIR the checkpoint directory (default: the cluster's execution.checkpointing.dir,
                       GET /jobmanager/config); a local path or file:// URI: resume.sh lists it
  --set key=value      change one setting on the way (repeatable)
  --parallelism N      default: the recorded parallelism
  --jar JAR            default: the recorded copy of the job's jar
  --allow-non-restored-state  passed on to submit.sh (only when you know why)
  --flink URL          the cluster's REST address (default http://127.0.0.1:\$FLINK_REST_PORT,
                       FLINK_REST_PORT=${FLINK_REST_PORT})
  --timeout SECONDS    how long submit.sh waits for the job to run (default 300)
  --dry-run            print the chosen checkpoint on stdout and the command on stderr; submit nothing

Environment: FLINK_REST_PORT [8081]  FLINK_URL  JOB_NAME  CIO_STATE_DIR  CIO_OPS_DIR
EOF
}

# A local path from a file:// URI or a plain absolute path; fails for other schemes.
local_path() {
    local uri="$1"
    case "$uri" in
        file://*)
            uri="${uri#file://}"
            # file://host/path is not local; file:///path and file:/path are.
            [[ "$uri" == /* ]] || return 1
            printf '%s' "$uri"
            ;;
        file:/*) printf '%s' "${uri#file:}" ;;
        /*) printf '%s' "$uri" ;;
        *) return 1 ;;
    esac
}

# The job id of the newest record of a job named NAME (by the record's file time).
last_recorded_job() {
    local name="$1" file jid newest="" newest_file=""
    for file in "$OPS_DIR"/jobs/*/job.properties; do
        [[ -f "$file" ]] || continue
        jid="$(basename "$(dirname "$file")")"
        [[ "$(record_field "$jid" job-name)" == "$name" ]] || continue
        # -nt compares to the nanosecond: records written in the same second (a failed upgrade
        # and its rollback) are still told apart.
        if [[ -z "$newest" || "$file" -nt "$newest_file" ]]; then
            newest="$jid"
            newest_file="$file"
        fi
    done
    printf '%s' "$newest"
}

# The cluster's checkpoint directory, from its configuration.
cluster_checkpoint_dir() {
    rest GET /jobmanager/config
    rest_ok || die "GET $FLINK_URL/jobmanager/config failed: $(rest_errors 3)"
    local dir
    dir="$(grep -o -E '\{"key":"execution\.checkpointing\.dir","value":"([^"\\]|\\.)*"\}' <<<"$REST_BODY" || true)"
    dir="$(json_string value "$dir")"
    [[ -n "$dir" ]] || die "the cluster at $FLINK_URL has no execution.checkpointing.dir configured; give the
       directory the job's checkpoints were written to with --checkpoint-dir DIR"
    printf '%s' "$dir"
}

# Prints "<mtime> <path>" of the newest chk-<n> of DIR that holds a non-empty _metadata.
newest_checkpoint() {
    local dir="$1" chk n best="" best_n=-1
    for chk in "$dir"/chk-*; do
        n="${chk##*/chk-}"
        [[ "$n" =~ ^[0-9]+$ && -s "$chk/_metadata" ]] || continue
        if ((n > best_n)); then
            best="$chk"
            best_n="$n"
        fi
    done
    [[ -n "$best" ]] || return 0
    printf '%s %s' "$(stat -c %Y "$best/_metadata")" "$best"
}

# Prints "<mtime> <path>" of the newest recorded savepoint of JOB that is still on local disk.
newest_recorded_savepoint() {
    local jid="$1" file time path lpath best="" best_time=0
    file="$(job_record_dir "$jid")/savepoints"
    [[ -f "$file" ]] || return 0
    while read -r time path; do
        [[ -n "$path" ]] || continue
        lpath="$(local_path "$path")" || continue
        [[ -s "$lpath/_metadata" ]] || continue
        time="$(stat -c %Y "$lpath/_metadata")"
        if ((time >= best_time)); then
            best="$lpath"
            best_time="$time"
        fi
    done <"$file"
    [[ -n "$best" ]] || return 0
    printf '%s %s' "$best_time" "$best"
}

main() {
    local job="" checkpoint_dir="" parallelism="" jar="" allow=false timeout=300 dry_run=false
    local -a overrides=()
    while (($# > 0)); do
        case "$1" in
            --job)
                need_value "$1" "${2-}" $#
                job="$2"
                shift 2
                ;;
            --name)
                need_value "$1" "${2-}" $#
                JOB_NAME="$2"
                shift 2
                ;;
            --checkpoint-dir)
                need_value "$1" "${2-}" $#
                checkpoint_dir="$2"
                shift 2
                ;;
            --set)
                need_value "$1" "${2-}" $#
                [[ "$2" == *=* ]] || die "--set takes key=value, got \"$2\""
                # Refused here, before it is echoed in "Would run" (submit.sh refuses it too).
                refuse_secret_setting "${2%%=*}"
                overrides+=(--set "$2")
                shift 2
                ;;
            --parallelism)
                need_value "$1" "${2-}" $#
                positive_int "$1" "$2"
                parallelism="$2"
                shift 2
                ;;
            --jar)
                need_value "$1" "${2-}" $#
                jar="$2"
                shift 2
                ;;
            --allow-non-restored-state)
                allow=true
                shift
                ;;
            --flink)
                need_value "$1" "${2-}" $#
                set_flink_url "$2"
                shift 2
                ;;
            --timeout)
                need_value "$1" "${2-}" $#
                positive_int "$1" "$2"
                timeout="$2"
                shift 2
                ;;
            --dry-run)
                dry_run=true
                shift
                ;;
            -h | --help)
                usage
                return
                ;;
            *)
                usage >&2
                die "unknown argument \"$1\""
                ;;
        esac
    done

    # Which job.
    if [[ -n "$job" ]]; then
        [[ "$job" =~ ^[0-9a-fA-F]{32}$ ]] || die "--job takes a Flink job id (32 hexadecimal characters), got \"$job\""
        has_job_record "$job" || die "there is no record of job $job under $OPS_DIR/jobs/ (scripts/submit.sh,
       upgrade.sh and rescale.sh write one per job they start). Is CIO_OPS_DIR or CIO_STATE_DIR right?"
    else
        job="$(last_recorded_job "$JOB_NAME")"
        [[ -n "$job" ]] || die "no job named \"$JOB_NAME\" is recorded under $OPS_DIR/jobs/: resume.sh resumes a job
       that scripts/submit.sh (or upgrade.sh, rescale.sh) started, from its record. Is CIO_OPS_DIR or
       CIO_STATE_DIR right? A job never started that way: scripts/submit.sh --savepoint <dir>/<job id>/chk-<n>."
        has_job_record "$job" || die "the record of job $job under $OPS_DIR/jobs/ is incomplete (job.properties and
       settings.properties are needed)"
    fi
    info "Last recorded job named \"$JOB_NAME\": $job ($(record_field "$job" note), started $(record_field "$job" submitted-at))"

    # Which checkpoint.
    if [[ -z "$checkpoint_dir" ]]; then
        checkpoint_dir="$(cluster_checkpoint_dir)"
    fi
    local dir
    dir="$(local_path "$checkpoint_dir")" || die "the checkpoint directory $checkpoint_dir is not on a local file system, and
       resume.sh can only list local directories. Find the newest $checkpoint_dir/$job/chk-<n> that
       holds a _metadata file and run: scripts/submit.sh --savepoint <that chk-<n>> --settings
       $(job_record_dir "$job")/settings.properties --jar $(record_field "$job" jar)"
    local chosen="" what="" candidate
    candidate="$(newest_checkpoint "$dir/$job")"
    if [[ -n "$candidate" ]]; then
        chosen="${candidate#* }"
        what="checkpoint $(basename "$chosen") of job $job"
        local savepoint
        savepoint="$(newest_recorded_savepoint "$job")"
        if [[ -n "$savepoint" ]] && ((${savepoint%% *} > ${candidate%% *})); then
            chosen="${savepoint#* }"
            what="savepoint $chosen of job $job (newer than its last checkpoint)"
        fi
    else
        local savepoint restored
        savepoint="$(newest_recorded_savepoint "$job")"
        restored="$(record_field "$job" restored-from)"
        if [[ -n "$savepoint" ]]; then
            chosen="${savepoint#* }"
            what="savepoint $chosen of job $job (it has no completed checkpoint under $dir/$job)"
        elif [[ -n "$restored" ]]; then
            local restored_local
            if restored_local="$(local_path "$restored")" && [[ ! -s "$restored_local/_metadata" ]]; then
                die "job $job completed no checkpoint (no chk-<n>/_metadata under $dir/$job), and what it was
       started from, $restored, is gone (no _metadata). Nothing to resume from."
            fi
            chosen="$restored"
            what="$restored, which job $job was started from: it completed no checkpoint of its own
    (none under $dir/$job), so it committed nothing after it"
        else
            die "job $job has no completed checkpoint: no chk-<n>/_metadata under $dir/$job, and it was
       started without a savepoint. Nothing to resume from. Start it afresh (it reads the Kafka
       group's committed offsets) with: scripts/submit.sh --settings $(job_record_dir "$job")/settings.properties"
        fi
    fi
    info "Resuming from $what: $chosen"

    # How.
    if [[ -z "$jar" ]]; then
        jar="$(record_field "$job" jar)"
        [[ -f "$jar" ]] || die "the recorded jar of job $job, $jar, is gone; give the jar with --jar JAR"
    fi
    if [[ -z "$parallelism" ]]; then
        parallelism="$(record_field "$job" parallelism)"
    fi
    local -a command=("$(dirname "${BASH_SOURCE[0]}")/submit.sh" --jar "$jar"
        --settings "$(job_record_dir "$job")/settings.properties" --savepoint "$chosen"
        --flink "$FLINK_URL" --timeout "$timeout")
    [[ -z "$parallelism" ]] || command+=(--parallelism "$parallelism")
    [[ "$allow" == false ]] || command+=(--allow-non-restored-state)
    command+=("${overrides[@]}")
    if [[ "$dry_run" == true ]]; then
        info "Would run: ${command[*]}"
        printf '%s\n' "$chosen"
        return
    fi
    info "Running: ${command[*]}"
    "${command[@]}"
}

main "$@"
