#!/usr/bin/env bash
# Takes a savepoint of the running forwarder (POST /jobs/<id>/savepoints), or stops it with one
# (POST /jobs/<id>/stop), waits until the savepoint is complete and prints its path.
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true

# shellcheck source=ops/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/ops/common.sh"

usage() {
    cat <<EOF
Usage: scripts/savepoint.sh [--stop] [--job ID] [--dir PATH] [--flink URL]

Triggers a savepoint of the forwarder and prints its path on stdout once it is complete.

  --stop        stop the job with the savepoint (the job ends FINISHED; nothing is processed
                after the savepoint, so the job can be restarted from it without a gap)
  --job ID      the job (default: the one running job named \$JOB_NAME, "$JOB_NAME")
  --name NAME   look for a job of this name instead (its job.name setting)
  --dir PATH    where to write it (default: the cluster's execution.checkpointing.savepoint-dir);
                a durable shared file system in production (s3://, gs://, hdfs://)
  --flink URL   the cluster's REST address (default http://127.0.0.1:\$FLINK_REST_PORT,
                FLINK_REST_PORT=${FLINK_REST_PORT})

Savepoints are in Flink's canonical format. SAVEPOINT_TIMEOUT [900] bounds the wait in seconds.
Environment: FLINK_REST_PORT [8081]  FLINK_URL  JOB_NAME  CIO_STATE_DIR  CIO_OPS_DIR
EOF
}

main() {
    local stop=false job="" dir=""
    while (($# > 0)); do
        case "$1" in
            --stop)
                stop=true
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
    check_cluster
    resolve_job "$job"
    local state
    state="$(job_state "$JOB_ID")"
    [[ "$state" == RUNNING ]] || die "job $JOB_ID is $state: only a RUNNING job can take a savepoint"
    if ! take_savepoint "$JOB_ID" "$stop" "$dir"; then
        printf '%s\n' "$FAILURE" | indent
        die "the savepoint of job $JOB_ID failed (reason above); the job is $(job_state "$JOB_ID")"
    fi
    printf '%s\n' "$SAVEPOINT_PATH"
}

main "$@"
