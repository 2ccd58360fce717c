#!/usr/bin/env bash
# Upgrades the running forwarder to a new jar without losing or repeating anything: stops it with
# a savepoint, starts the new jar from that savepoint, and waits until the new job runs AND has
# completed a checkpoint of its own. If the new job does not get there (Flink refuses it, it
# fails, restarts, or times out), it is cancelled and the previous jar is started again from the
# same savepoint with its previous settings: a rollback.
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true

# shellcheck source=ops/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/ops/common.sh"

usage() {
    cat <<EOF
Usage: scripts/upgrade.sh NEW_JAR [--settings FILE] [--set key=value ...] [--parallelism N]
                          [--allow-non-restored-state] [--job ID] [--dir PATH] [--flink URL]

Stops the running forwarder with a savepoint, starts NEW_JAR from it and waits until the new job
runs and has completed a checkpoint; otherwise rolls back to the previous jar. Prints the id of
the job that runs afterwards on stdout.

  NEW_JAR              the new job jar
  --settings FILE      the new job's settings (default: the ones the old job was started with,
                       recorded by scripts/submit.sh in \$CIO_OPS_DIR/jobs/<job id>/)
  --set key=value      change one setting (on top of the above); repeatable
  --parallelism N      default: the parallelism the old job runs with
  --allow-non-restored-state
                       start although the savepoint holds state of an operator the new jar no
                       longer has (that state is DROPPED): only when you removed that operator
  --job ID             the job to upgrade (default: the one running job named "$JOB_NAME")
  --name NAME          look for a job of this name instead
  --dir PATH           savepoint directory (default: the cluster's execution.checkpointing.savepoint-dir)
  --flink URL          the cluster's REST address (default http://127.0.0.1:\$FLINK_REST_PORT,
                       FLINK_REST_PORT=${FLINK_REST_PORT})
  --timeout SECONDS    for the new job to run and complete a checkpoint (default 300)

Exit status: 0 upgraded; 1 nothing changed (the old job still runs); 2 the new job failed and
the previous version runs again (rolled back); 3 the new job failed and so did the rollback, or
something failed unexpectedly after the old job was stopped: the forwarder may not be running (its
state is in the savepoint; the message says how to start it).
Environment: FLINK_REST_PORT [8081]  FLINK_URL  JOB_NAME  CIO_STATE_DIR  CIO_OPS_DIR
  SAVEPOINT_TIMEOUT [900]  OPS_SLOT_CHECK [true]
EOF
}

main() {
    local new_jar="" settings_file="" parallelism="" allow=false job="" dir="" timeout=300
    local -a sets=()
    while (($# > 0)); do
        case "$1" in
            --settings)
                need_value "$1" "${2-}" $#
                settings_file="$2"
                shift 2
                ;;
            --set)
                need_value "$1" "${2-}" $#
                sets+=("$2")
                shift 2
                ;;
            --parallelism)
                need_value "$1" "${2-}" $#
                positive_int "$1" "$2"
                parallelism="$2"
                shift 2
                ;;
            --allow-non-restored-state)
                allow=true
                shift
                ;;
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
            --dir)
                need_value "$1" "${2-}" $#
                dir="$2"
                shift 2
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
            -h | --help)
                usage
                return
                ;;
            -*)
                usage >&2
                die "unknown argument \"$1\""
                ;;
            *)
                [[ -z "$new_jar" ]] || die "one NEW_JAR only (got \"$new_jar\" and \"$1\")"
                new_jar="$1"
                shift
                ;;
        esac
    done
    [[ -n "$new_jar" ]] || {
        usage >&2
        die "NEW_JAR is missing"
    }
    [[ -f "$new_jar" && -r "$new_jar" ]] || die "jar $new_jar does not exist or cannot be read"
    new_jar="$(cd "$(dirname "$new_jar")" && pwd)/$(basename "$new_jar")"

    check_cluster
    resolve_job "$job"
    local old="$JOB_ID" state
    state="$(job_state "$old")"
    [[ "$state" == RUNNING ]] || die "job $old is $state: only a RUNNING job can be upgraded (it needs a savepoint)"
    require_job_record "$old"
    if [[ -n "$settings_file" ]]; then
        load_settings_file "$settings_file"
        info "Settings: $settings_file"
    else
        load_recorded_settings "$old"
        info "Settings: the ones job $old was started with ($(job_record_dir "$old")/settings.properties)"
    fi
    local s
    for s in "${sets[@]}"; do
        set_setting_arg "$s"
    done
    info "Upgrading job $old to $(basename "$new_jar") on $FLINK_URL"
    redeploy "$old" "$new_jar" "$parallelism" "$allow" "$dir" "$timeout" "upgrade"
}

main "$@"
