#!/usr/bin/env bash
# Changes the parallelism of the running forwarder: stop with a savepoint, start the same jar with
# the same settings and the new parallelism from it (Flink redistributes the key groups), wait
# until it runs and has completed a checkpoint; roll back to the old parallelism if it does not.
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true

# shellcheck source=ops/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/ops/common.sh"

usage() {
    cat <<EOF
Usage: scripts/rescale.sh N [--job ID] [--dir PATH] [--flink URL] [--timeout SECONDS]

Restarts the running forwarder with parallelism N from a stop-with-savepoint: same jar, same
settings (as recorded by scripts/submit.sh). N can be anything up to the job's maximum
parallelism (720, fixed); the cluster needs N free task slots. Prints the new job id on stdout.

  --job ID             the job (default: the one running job named "$JOB_NAME")
  --name NAME          look for a job of this name instead
  --dir PATH           savepoint directory (default: the cluster's execution.checkpointing.savepoint-dir)
  --flink URL          the cluster's REST address (default http://127.0.0.1:\$FLINK_REST_PORT,
                       FLINK_REST_PORT=${FLINK_REST_PORT})
  --timeout SECONDS    for the new job to run and complete a checkpoint (default 300)

Exit status as scripts/upgrade.sh: 0 done; 1 nothing changed; 2 rolled back to the old
parallelism; 3 the rollback failed too, or a failure after the stop.
Environment: FLINK_REST_PORT [8081]  FLINK_URL  JOB_NAME  CIO_STATE_DIR  CIO_OPS_DIR
  SAVEPOINT_TIMEOUT [900]  OPS_SLOT_CHECK [true]
EOF
}

main() {
    local parallelism="" job="" dir="" timeout=300
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
                [[ -z "$parallelism" ]] || die "one N only (got \"$parallelism\" and \"$1\")"
                positive_int "N" "$1"
                parallelism="$1"
                shift
                ;;
        esac
    done
    [[ -n "$parallelism" ]] || {
        usage >&2
        die "N (the new parallelism) is missing"
    }
    check_cluster
    resolve_job "$job"
    local old="$JOB_ID" state current
    state="$(job_state "$old")"
    [[ "$state" == RUNNING ]] || die "job $old is $state: only a RUNNING job can be rescaled (it needs a savepoint)"
    current="$(job_parallelism "$old")"
    if [[ "$current" == "$parallelism" ]]; then
        info "Job $old already runs with parallelism $parallelism; nothing to do"
        printf '%s\n' "$old"
        return
    fi
    require_job_record "$old"
    load_recorded_settings "$old"
    info "Rescaling job $old from parallelism $current to $parallelism on $FLINK_URL"
    redeploy "$old" "" "$parallelism" false "$dir" "$timeout" "rescale"
}

main "$@"
