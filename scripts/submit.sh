#!/usr/bin/env bash
# Starts the forwarder on a Flink cluster through its REST API: uploads the job jar, runs it with
# the settings as program arguments (optionally from a savepoint), waits until every task runs and
# remembers the jar and settings under the job's id, so that scripts/upgrade.sh and
# scripts/rescale.sh can later restart it the same way.
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true

# shellcheck source=ops/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/ops/common.sh"

usage() {
    cat <<EOF
Usage: scripts/submit.sh [--settings FILE] [--set key=value ...] [--savepoint PATH]
                         [--allow-non-restored-state] [--parallelism N] [--jar JAR] [--flink URL]

Uploads the job jar to a Flink cluster, starts it (POST /jars/<id>/run) and waits until all its
tasks run. Prints the job id on stdout; progress and the web UI link go to stderr.

  --settings FILE      job settings as a properties file (key=value), read HERE and passed as
                       program arguments (the job's own --settings would be read on the JobManager)
  --set key=value      one setting; wins over the file; repeatable (see the README's Settings)
  --savepoint PATH     start from this savepoint (or retained checkpoint)
  --allow-non-restored-state
                       start even if the savepoint holds state of an operator the job no longer
                       has (that state is dropped): only when you know which operator that is
  --parallelism N      parallel instances (default: the cluster's parallelism.default)
  --jar JAR            the job jar (default: target/mparticle-customerio-flink-*.jar, built with
                       Maven when missing or older than the sources)
  --flink URL          the cluster's REST address (default http://127.0.0.1:\$FLINK_REST_PORT,
                       FLINK_REST_PORT=${FLINK_REST_PORT})
  --timeout SECONDS    how long to wait for the job to run (default 300)

The Customer.io API key is never a setting: it is read on the TaskManagers from CUSTOMERIO_API_KEY
(or customerio.api-key-env / customerio.api-key-file). Secret-looking settings are refused.

The settings and jar are recorded in \$CIO_OPS_DIR/jobs/<job id>/ (default <state dir>/ops; state
dir: CIO_STATE_DIR, default <repo>/.local-stack).
Environment: FLINK_REST_PORT [8081]  FLINK_URL  CIO_STATE_DIR  CIO_OPS_DIR  MVN [mvn]
EOF
}

main() {
    local jar="" savepoint="" allow=false parallelism="" timeout=300
    while (($# > 0)); do
        case "$1" in
            --settings)
                need_value "$1" "${2-}" $#
                load_settings_file "$2"
                shift 2
                ;;
            --set)
                need_value "$1" "${2-}" $#
                set_setting_arg "$2"
                shift 2
                ;;
            --savepoint)
                need_value "$1" "${2-}" $#
                savepoint="$2"
                shift 2
                ;;
            --allow-non-restored-state)
                allow=true
                shift
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
            *)
                usage >&2
                die "unknown argument \"$1\""
                ;;
        esac
    done
    if [[ "$allow" == true && -z "$savepoint" ]]; then
        die "--allow-non-restored-state only makes sense with --savepoint"
    fi
    if [[ -z "$jar" ]]; then
        jar="$(default_job_jar)"
    fi
    [[ -f "$jar" ]] || die "jar $jar does not exist"
    jar="$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")"

    check_cluster
    info "Flink $CLUSTER_VERSION at $FLINK_URL"
    # Two forwarders of one name share a consumer group and dead-letter transactional ids: they
    # would fight over both. The successor of a running job is started by upgrade.sh instead.
    local name jid state job_name existing="" jobs
    name="$(effective_job_name)"
    # Not read from < <(list_jobs): a failure there would only end the subshell, and the check
    # would pass with no jobs seen.
    jobs="$(list_jobs)"
    while read -r jid state job_name; do
        if [[ -n "$jid" && "$job_name" == "$name" ]] && ! is_terminal_state "$state"; then
            existing+="${existing:+, }$jid ($state)"
        fi
    done <<<"$jobs"
    if [[ -n "$existing" ]]; then
        die "a job named \"$name\" is already running on $FLINK_URL: $existing.
       Upgrade it with scripts/upgrade.sh, rescale it with scripts/rescale.sh, or stop it first
       with scripts/savepoint.sh --stop."
    fi

    local copy
    copy="$(keep_jar_copy "$jar")"
    upload_jar "$jar" || die "$FAILURE"
    run_jar "$JAR_ID" "$parallelism" "$savepoint" "$allow" || die "$FAILURE"
    local job_id="$NEW_JOB_ID"
    write_job_record "$job_id" "$copy" "$JAR_ID" "$parallelism" "$savepoint" "$allow" "" "submitted from $jar"
    if ! wait_running "$job_id" "$timeout"; then
        printf '%s\n' "$FAILURE" | indent
        # Left alone it would restart for ever and block the next submit of this name.
        cancel_job "$job_id" || true
        die "job $job_id did not start and was cancelled; read the JobManager's and TaskManagers' logs (locally: scripts/stack.sh logs)"
    fi
    if [[ -z "$parallelism" ]]; then
        parallelism="$(job_parallelism "$job_id")"
        write_job_record "$job_id" "$copy" "$JAR_ID" "$parallelism" "$savepoint" "$allow" "" "submitted from $jar"
    fi
    info "Job $job_id runs with parallelism $parallelism; settings recorded in $(job_record_dir "$job_id")"
    info "Web UI: $(ui_link "$job_id")"
    printf '%s\n' "$job_id"
}

main "$@"
