#!/usr/bin/env bash
# Local stack for the mParticle → Customer.io forwarder: a real Kafka 4.2 broker (KRaft, single
# node), a real Flink 2.2 standalone session cluster and the project's Customer.io simulator, all
# run from Maven artifacts on 127.0.0.1 (no Docker, no tarballs). Other scripts build on this one.
#
# Everything the stack writes lives in one state directory (default <repo>/.local-stack):
#   logs/        one log file per process (+ .out for the JVM's own stdout/stderr)
#   pids/        one pid file per process this script started; stop ends exactly those
#   kafka-data/  broker properties, KRaft cluster id and the topic data
#   checkpoints/ savepoints/  Flink checkpoint and savepoint directories
#   classpath/   cached classpaths resolved from the poms (rebuilt when a pom changes)
#   secrets/     customerio-api-key: a random local API key shared by the TaskManagers and the
#                simulator (mode 600; it never appears on a command line)
#   tmp/         Flink's io.tmp.dirs (RocksDB working files)
#
# Run "scripts/stack.sh help" for the commands and environment variables.
set -euo pipefail
# Failures inside $(...) stop the script too (bash >= 4.4).
shopt -s inherit_errexit 2>/dev/null || true

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# ----- settings (environment variables with defaults) -------------------------------------------
STATE_DIR="${CIO_STATE_DIR:-$REPO_DIR/.local-stack}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
FLINK_REST_PORT="${FLINK_REST_PORT:-8081}"
FLINK_RPC_PORT="${FLINK_RPC_PORT:-6123}"
SIMULATOR_PORT="${SIMULATOR_PORT:-8090}"
SIMULATOR_SITE_ID="${SIMULATOR_SITE_ID:-local-site}"
SIMULATOR_REGION="${SIMULATOR_REGION:-us}"
INPUT_TOPIC="${INPUT_TOPIC:-mparticle-batches}"
INPUT_PARTITIONS="${INPUT_PARTITIONS:-4}"
DLQ_TOPIC="${DLQ_TOPIC:-${INPUT_TOPIC}.customerio-dlq}"
DLQ_PARTITIONS="${DLQ_PARTITIONS:-1}"
# The job's own topic for what delivery tells the users' state (it creates it too when missing).
FEEDBACK_TOPIC="${FEEDBACK_TOPIC:-${INPUT_TOPIC}.customerio-feedback}"
# Seconds to wait for a service to become ready, and for a process to exit after TERM.
START_TIMEOUT="${START_TIMEOUT:-120}"
STOP_GRACE_SECONDS="${STOP_GRACE_SECONDS:-30}"
# consume: seconds without a new record after which it gives up.
CONSUME_TIMEOUT_SECONDS="${CONSUME_TIMEOUT_SECONDS:-30}"
CONSUME_PRINT_HEADERS="${CONSUME_PRINT_HEADERS:-false}"
# The Flink 2.2 Prometheus reporter cannot bind to 127.0.0.1 (it listens on all interfaces), so the
# local stack leaves it off unless asked.
FLINK_PROMETHEUS="${FLINK_PROMETHEUS:-false}"
# Extra Flink settings for every Flink process, as space-separated key=value (no spaces in values),
# e.g. FLINK_PROPERTIES="heartbeat.timeout=20000 taskmanager.numberOfTaskSlots=4".
FLINK_PROPERTIES="${FLINK_PROPERTIES:-}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512m -Xms512m}"
# The simulator keeps up to a million events in memory (benchmarks send many).
SIMULATOR_JAVA_OPTS="${SIMULATOR_JAVA_OPTS:--Xmx1g}"
# Extra arguments for SimulatorMain (space-separated).
SIMULATOR_ARGS="${SIMULATOR_ARGS:-}"
# Extra JVM options for the TaskManagers (space-separated), e.g. a flight recording from the start.
TASKMANAGER_JAVA_OPTS="${TASKMANAGER_JAVA_OPTS:-}"
if [[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]]; then
    JAVA="${JAVA:-$JAVA_HOME/bin/java}"
else
    JAVA="${JAVA:-java}"
fi
MVN="${MVN:-mvn}"

# ----- fixed layout -----------------------------------------------------------------------------
FLINK_CONF_DIR="$REPO_DIR/flink-conf"
KAFKA_POM="$REPO_DIR/scripts/stack/kafka/pom.xml"
FLINK_POM="$REPO_DIR/scripts/stack/flink/pom.xml"
PROJECT_POM="$REPO_DIR/pom.xml"
KAFKA_LOG4J="$REPO_DIR/scripts/stack/kafka/log4j2.properties"
KAFKA_TOOLS_LOG4J="$REPO_DIR/scripts/stack/kafka/tools-log4j2.properties"
SIMULATOR_MAIN="dev.cioforwarder.simulator.SimulatorMain"
SIMULATOR_CLASS_FILE="$REPO_DIR/target/test-classes/dev/cioforwarder/simulator/SimulatorMain.class"
DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

# Java 17 module flags Flink needs (reflection into java.base). flink-dist's config.yaml supplies
# them through env.java.opts.all, which only Flink's bin/ scripts read; we start the entry points
# ourselves, so we pass them here.
FLINK_JVM_MODULE_OPTS=(
    --add-exports=java.base/sun.net.util=ALL-UNNAMED
    --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
    --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
    --add-opens=java.base/java.lang=ALL-UNNAMED
    --add-opens=java.base/java.net=ALL-UNNAMED
    --add-opens=java.base/java.io=ALL-UNNAMED
    --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
    --add-opens=java.base/java.text=ALL-UNNAMED
    --add-opens=java.base/java.time=ALL-UNNAMED
    --add-opens=java.base/java.util=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

usage() {
    cat <<EOF
Usage: scripts/stack.sh COMMAND [ARGS]

Local Kafka + Flink + Customer.io simulator on 127.0.0.1, from Maven artifacts.

Commands:
  start [SERVICE]        start kafka | flink | jobmanager | taskmanager | simulator | all (default: all)
                         services already running are left alone; waits until each is ready
  stop [SERVICE]         stop the same services (default: all), in reverse order: TERM, then KILL
                         after STOP_GRACE_SECONDS; only processes started by this script
  status                 what is running, with Flink's and the simulator's view
  create-topics          create $INPUT_TOPIC ($INPUT_PARTITIONS partitions), $DLQ_TOPIC ($DLQ_PARTITIONS)
                         and $FEEDBACK_TOPIC ($INPUT_PARTITIONS), if missing
  produce FILE [TOPIC]   send FILE, one "key<TAB>value" record per line, to TOPIC (default $INPUT_TOPIC)
  consume TOPIC [N]      print N records (default: all) from the start of TOPIC as key<TAB>value,
                         read_committed; gives up after CONSUME_TIMEOUT_SECONDS without a record
  kill-taskmanager [ID]  kill -9 a TaskManager (default: the oldest one running), for fault tests
  kill-jobmanager        kill -9 the JobManager, for fault tests (without HA its jobs are gone:
                         start it again, then scripts/resume.sh restarts the job of run-local.sh
                         or submit.sh from its newest checkpoint)
  start-taskmanager      start one more TaskManager with its own id (local-tm-<n>)
  logs [NAME [LINES]]    list the log files, or print the last LINES (default 100) of one:
                         kafka | jobmanager | taskmanager-<n> | simulator
  help                   this message

Environment (defaults in brackets):
  CIO_STATE_DIR [<repo>/.local-stack]  logs, pids, data, checkpoints, savepoints, secrets
  KAFKA_PORT [9092]  KAFKA_CONTROLLER_PORT [9093]  FLINK_REST_PORT [8081]  FLINK_RPC_PORT [6123]
  SIMULATOR_PORT [8090]  SIMULATOR_SITE_ID [local-site]  SIMULATOR_REGION [us]
  INPUT_TOPIC [mparticle-batches]  INPUT_PARTITIONS [4]
  DLQ_TOPIC [<INPUT_TOPIC>.customerio-dlq]  DLQ_PARTITIONS [1]
  FEEDBACK_TOPIC [<INPUT_TOPIC>.customerio-feedback]
  START_TIMEOUT [120]  STOP_GRACE_SECONDS [30]  CONSUME_TIMEOUT_SECONDS [30]
  CONSUME_PRINT_HEADERS [false]  print record headers before each key (consume)
  FLINK_PROMETHEUS [false]  true: start the Prometheus reporter (ports 9249-9260, ALL interfaces)
  FLINK_PROPERTIES []  extra Flink settings "key=value key=value" for every Flink process
  KAFKA_HEAP_OPTS [-Xmx512m -Xms512m]  SIMULATOR_JAVA_OPTS [-Xmx1g]  SIMULATOR_ARGS []
  TASKMANAGER_JAVA_OPTS []  extra JVM options for the TaskManagers (e.g. -XX:StartFlightRecording;
                            a recording started later, with jcmd, deoptimizes the running code)
  JAVA [\$JAVA_HOME/bin/java or java]  MVN [mvn]
EOF
}

# ----- output -----------------------------------------------------------------------------------
# Progress goes to stderr so that stdout carries only data (consume, status).
info() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

# Prints the last lines of a log file, indented, if it exists and is not empty.
show_tail() {
    local file="$1" lines="${2:-25}"
    if [[ -s "$file" ]]; then
        printf -- '--- last %s lines of %s ---\n' "$lines" "$file" >&2
        tail -n "$lines" "$file" | sed 's/^/    /' >&2
    fi
}

# ----- state directory --------------------------------------------------------------------------
init_state_dir() {
    mkdir -p "$STATE_DIR"
    STATE_DIR="$(cd "$STATE_DIR" && pwd)" # absolute: it ends up in file:// URIs
    LOG_DIR="$STATE_DIR/logs"
    PID_DIR="$STATE_DIR/pids"
    KAFKA_DATA_DIR="$STATE_DIR/kafka-data"
    CHECKPOINT_DIR="$STATE_DIR/checkpoints"
    SAVEPOINT_DIR="$STATE_DIR/savepoints"
    CLASSPATH_DIR="$STATE_DIR/classpath"
    SECRETS_DIR="$STATE_DIR/secrets"
    FLINK_TMP_DIR="$STATE_DIR/tmp"
    API_KEY_FILE="$SECRETS_DIR/customerio-api-key"
    mkdir -p "$LOG_DIR" "$PID_DIR" "$KAFKA_DATA_DIR" "$CHECKPOINT_DIR" "$SAVEPOINT_DIR" \
        "$CLASSPATH_DIR" "$FLINK_TMP_DIR"
    (umask 077 && mkdir -p "$SECRETS_DIR")
}

# The local Customer.io API key: random, generated once, readable only by its owner. The
# TaskManagers get it as the environment variable CUSTOMERIO_API_KEY, the simulator as a file.
ensure_api_key() {
    if [[ ! -s "$API_KEY_FILE" ]]; then
        (
            umask 077
            od -An -N20 -tx1 /dev/urandom | tr -d ' \n' >"$API_KEY_FILE.tmp"
            mv "$API_KEY_FILE.tmp" "$API_KEY_FILE"
        )
        info "Generated a local Customer.io API key in $API_KEY_FILE"
    fi
    chmod 600 "$API_KEY_FILE"
}

# ----- classpaths -------------------------------------------------------------------------------
# Resolves a pom's runtime classpath into classpath/<name>.classpath, once; again when the pom is
# newer than the cached file or a jar went missing from the local Maven repository.
classpath_of() {
    local name="$1" pom="$2"
    local file="$CLASSPATH_DIR/$name.classpath"
    if [[ -s "$file" && ! "$pom" -nt "$file" ]] && classpath_jars_exist "$file"; then
        printf '%s' "$file"
        return
    fi
    info "Resolving the $name classpath from $pom (first time: Maven downloads the jars)"
    local mvn_log="$LOG_DIR/maven-$name-classpath.log"
    if ! "$MVN" -B -q -Dstyle.color=never -f "$pom" "$DEPENDENCY_PLUGIN:build-classpath" \
        -Dmdep.outputFile="$file.tmp" >"$mvn_log" 2>&1; then
        show_tail "$mvn_log" 40
        die "could not resolve the $name classpath; see $mvn_log"
    fi
    mv "$file.tmp" "$file"
    printf '%s' "$file"
}

classpath_jars_exist() {
    local jar
    local -a jars
    IFS=':' read -ra jars <"$1"
    for jar in "${jars[@]}"; do
        [[ -e "$jar" ]] || return 1
    done
}

kafka_classpath() { cat "$(classpath_of kafka "$KAFKA_POM")"; }
flink_classpath() { cat "$(classpath_of flink "$FLINK_POM")"; }

# ----- processes --------------------------------------------------------------------------------
# Every process we start carries -Dcio.stack.dir=<state dir> -Dcio.stack.service=<name> on its
# command line. A pid file alone could point at an unrelated process after a reboot (pid reuse);
# with the marker we only ever signal our own processes, and two state dirs never mix.
marker_args() { printf '%s\n' "-Dcio.stack.dir=$STATE_DIR" "-Dcio.stack.service=$1"; }

pid_file() { printf '%s/%s.pid' "$PID_DIR" "$1"; }

# The command line of a live process, or nothing.
process_args() {
    local pid="$1"
    if [[ -r "/proc/$pid/cmdline" ]]; then
        tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true
    else
        ps -p "$pid" -o args= 2>/dev/null || true
    fi
}

# Prints the pid of service NAME if its pid file points at our live process; removes a stale file.
running_pid() {
    local name="$1" file pid args
    file="$(pid_file "$name")"
    [[ -f "$file" ]] || return 1
    pid="$(cat "$file" 2>/dev/null || true)"
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        args="$(process_args "$pid")"
        if [[ "$args" == *"-Dcio.stack.dir=$STATE_DIR "* && "$args" == *"-Dcio.stack.service=$name "* ]]; then
            printf '%s' "$pid"
            return 0
        fi
    fi
    rm -f "$file"
    return 1
}

is_running() { running_pid "$1" >/dev/null; }

# Starts a command in the background, detached from the terminal (nohup: closing the terminal or
# Ctrl-C in it does not stop the stack), stdout/stderr to OUT_FILE, and records its pid. The
# working directory is the state dir, so nothing (e.g. a JVM crash report) lands where the user
# happened to be. exec keeps the pid: the recorded pid is the JVM's.
launch() {
    local name="$1" out_file="$2"
    shift 2
    (cd "$STATE_DIR" && exec nohup "$@" >"$out_file" 2>&1 </dev/null) &
    printf '%s\n' "$!" >"$(pid_file "$name")"
}

# Ends service NAME: TERM, then KILL after STOP_GRACE_SECONDS; waits until it is gone.
stop_process() {
    local name="$1" pid waited=0
    if ! pid="$(running_pid "$name")"; then
        rm -f "$(pid_file "$name")"
        return 0
    fi
    info "Stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
        if ((waited >= STOP_GRACE_SECONDS * 2)); then
            warn "$name (pid $pid) did not exit within ${STOP_GRACE_SECONDS}s of TERM; sending KILL"
            kill -KILL "$pid" 2>/dev/null || true
            while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
            break
        fi
        sleep 0.5
        waited=$((waited + 1))
    done
    rm -f "$(pid_file "$name")"
}

# A start that failed: say which log to read, show its end, stop what is left of the process.
start_failed() {
    local name="$1" log_file="$2" reason="$3"
    printf 'ERROR: %s %s.\n       Read %s\n' "$name" "$reason" "$log_file" >&2
    show_tail "$log_file" 30
    # Java stack traces bury the reason; the innermost "Caused by" usually names it.
    local cause
    cause="$(grep -h 'Caused by:' "$log_file" 2>/dev/null | tail -n 1 || true)"
    if [[ -n "$cause" ]]; then
        printf 'Root cause: %s\n' "$cause" >&2
    fi
    local out_file="${log_file%.log}.out"
    if [[ "$out_file" != "$log_file" ]]; then
        show_tail "$out_file" 15
    fi
    stop_process "$name" >/dev/null 2>&1 || true
    exit 1
}

# Waits until CHECK (a command) succeeds, while the process NAME stays alive; START_TIMEOUT bound.
wait_ready() {
    local name="$1" log_file="$2" what="$3"
    shift 3
    local deadline=$((SECONDS + START_TIMEOUT))
    while ! "$@" >/dev/null 2>&1; do
        is_running "$name" || start_failed "$name" "$log_file" "exited before $what"
        ((SECONDS < deadline)) || start_failed "$name" "$log_file" "was not $what within ${START_TIMEOUT}s"
        sleep 1
    done
}

# ----- readiness probes and the operations tool -------------------------------------------------
# Readiness is "the port answers"; nothing here reads Flink's answers. What the cluster reports
# (TaskManagers, slots, jobs) is asked of the Java operations tool, which every REST operation uses.
# shellcheck source=ops/java-tool.sh
source "$REPO_DIR/scripts/ops/java-tool.sh"

# --noproxy: an http_proxy in the environment must never intercept 127.0.0.1.
answers_http() { curl -fsS --noproxy '*' --max-time 10 -o /dev/null "$1"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Fails when something other than our service already listens on PORT.
check_port_free() {
    local port="$1" what="$2"
    if port_open "$port"; then
        die "port $port ($what) is already in use by another process; stop it or choose another port with the environment variable named in 'scripts/stack.sh help'"
    fi
}

# ----- Kafka ------------------------------------------------------------------------------------
kafka_tool() {
    local main="$1"
    shift
    # Short-lived JVMs: C1 only and a small heap start faster on 2 cores.
    "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$KAFKA_TOOLS_LOG4J" \
        -cp "$(kafka_classpath)" "$main" "$@"
}

write_kafka_properties() {
    cat >"$KAFKA_DATA_DIR/server.properties" <<EOF
# Generated by scripts/stack.sh at each start; edit the script, not this file.
# Single-node KRaft: this process is broker and controller, listening on 127.0.0.1 only.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DATA_DIR/log
# One broker: every internal topic has one replica. The transaction log settings matter for the
# job's exactly-once dead-letter sink, which cannot start its transactions otherwise.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# The job's dead-letter producer uses transaction.timeout.ms=15 min: the broker's maximum must
# not be lower (15 min is Kafka's default, stated here because the two must agree).
transaction.max.timeout.ms=900000
# Consumers (the job, tests) get their partitions at once instead of after 3 s.
group.initial.rebalance.delay.ms=0
# Topics are created explicitly (create-topics), so a typo in a topic name fails loudly.
auto.create.topics.enable=false
num.partitions=$INPUT_PARTITIONS
EOF
}

start_kafka() {
    local pid log_file="$LOG_DIR/kafka.log" out_file="$LOG_DIR/kafka.out"
    if pid="$(running_pid kafka)"; then
        info "Kafka is already running (pid $pid) on 127.0.0.1:$KAFKA_PORT"
        return
    fi
    check_port_free "$KAFKA_PORT" KAFKA_PORT
    check_port_free "$KAFKA_CONTROLLER_PORT" KAFKA_CONTROLLER_PORT
    local cp
    cp="$(kafka_classpath)"
    write_kafka_properties
    # KRaft storage is formatted once, with a cluster id kept in the state dir. (--standalone
    # would conflict with controller.quorum.voters, so it is not used.)
    if [[ ! -f "$KAFKA_DATA_DIR/log/meta.properties" ]]; then
        if [[ ! -s "$KAFKA_DATA_DIR/cluster-id" ]]; then
            "$JAVA" -Xmx256m -Dlog4j2.configurationFile="$KAFKA_TOOLS_LOG4J" -cp "$cp" \
                kafka.tools.StorageTool random-uuid >"$KAFKA_DATA_DIR/cluster-id.tmp" 2>"$LOG_DIR/kafka-format.log" ||
                { show_tail "$LOG_DIR/kafka-format.log"; die "could not generate a Kafka cluster id; see $LOG_DIR/kafka-format.log"; }
            tr -d '[:space:]' <"$KAFKA_DATA_DIR/cluster-id.tmp" >"$KAFKA_DATA_DIR/cluster-id"
            rm -f "$KAFKA_DATA_DIR/cluster-id.tmp"
        fi
        info "Formatting Kafka storage in $KAFKA_DATA_DIR/log (cluster id $(cat "$KAFKA_DATA_DIR/cluster-id"))"
        "$JAVA" -Xmx256m -Dlog4j2.configurationFile="$KAFKA_TOOLS_LOG4J" -cp "$cp" \
            kafka.tools.StorageTool format -t "$(cat "$KAFKA_DATA_DIR/cluster-id")" \
            -c "$KAFKA_DATA_DIR/server.properties" --ignore-formatted >>"$LOG_DIR/kafka-format.log" 2>&1 ||
            { show_tail "$LOG_DIR/kafka-format.log"; die "could not format Kafka storage; see $LOG_DIR/kafka-format.log"; }
    fi
    info "Starting Kafka on 127.0.0.1:$KAFKA_PORT (log: $log_file)"
    local -a heap
    read -ra heap <<<"$KAFKA_HEAP_OPTS"
    local -a marker
    mapfile -t marker < <(marker_args kafka)
    launch kafka "$out_file" "$JAVA" "${heap[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
        -Djava.awt.headless=true "${marker[@]}" \
        -Dlog4j2.configurationFile="$KAFKA_LOG4J" -Dkafka.logs.dir="$LOG_DIR" \
        -cp "$cp" kafka.Kafka "$KAFKA_DATA_DIR/server.properties"
    # The port opens before the broker can serve metadata; a topic listing proves it can.
    wait_ready kafka "$log_file" "listening on port $KAFKA_PORT" port_open "$KAFKA_PORT"
    wait_ready kafka "$log_file" "answering requests" \
        kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --list
    info "Kafka is ready (pid $(running_pid kafka))"
}

create_topics() {
    is_running kafka || die "Kafka is not running; start it with: scripts/stack.sh start kafka"
    local spec topic partitions
    for spec in "$INPUT_TOPIC:$INPUT_PARTITIONS" "$DLQ_TOPIC:$DLQ_PARTITIONS" \
        "$FEEDBACK_TOPIC:$INPUT_PARTITIONS"; do
        topic="${spec%:*}"
        partitions="${spec##*:}"
        # TopicCommand's output (and its warning about "." in topic names, which the dead-letter
        # naming convention uses on purpose) goes to a log; shown only on failure.
        kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
            --create --if-not-exists --topic "$topic" --partitions "$partitions" --replication-factor 1 \
            >"$LOG_DIR/kafka-topics.log" 2>&1 ||
            { show_tail "$LOG_DIR/kafka-topics.log"; die "could not create topic $topic; see $LOG_DIR/kafka-topics.log and $LOG_DIR/kafka.log"; }
        info "Topic $topic ($partitions partitions) is there"
    done
}

produce() {
    local file="${1:-}" topic="${2:-$INPUT_TOPIC}"
    [[ -n "$file" ]] || die "usage: scripts/stack.sh produce FILE [TOPIC]"
    [[ -f "$file" ]] || die "produce: no such file: $file"
    is_running kafka || die "Kafka is not running; start it with: scripts/stack.sh start kafka"
    local count bad_line
    count="$(grep -c -v '^[[:space:]]*$' "$file" || true)"
    bad_line="$(grep -n -v $'\t' "$file" | grep -v -E '^[0-9]+:[[:space:]]*$' | head -n 1 | cut -d: -f1 || true)"
    [[ -z "$bad_line" ]] || die "produce: every line of $file must be key<TAB>value; line $bad_line is not"
    info "Producing $count records from $file to $topic"
    # Blank lines dropped; key and value split at the first tab; acks=all so that "done" means
    # the broker has the records.
    grep -v '^[[:space:]]*$' "$file" |
        kafka_tool org.apache.kafka.tools.ConsoleProducer --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
            --topic "$topic" --reader-property parse.key=true --reader-property $'key.separator=\t' \
            --command-property acks=all --command-property linger.ms=5 ||
        die "producing to $topic failed; see the messages above and $LOG_DIR/kafka.log"
    info "Produced $count records to $topic"
}

consume() {
    local topic="${1:-}" max="${2:-}"
    [[ -n "$topic" ]] || die "usage: scripts/stack.sh consume TOPIC [N]"
    [[ -z "$max" || "$max" =~ ^[0-9]+$ ]] || die "consume: N must be a number, got \"$max\""
    is_running kafka || die "Kafka is not running; start it with: scripts/stack.sh start kafka"
    local -a args=(--bootstrap-server "127.0.0.1:$KAFKA_PORT" --topic "$topic" --from-beginning
        --isolation-level read_committed --timeout-ms "$((CONSUME_TIMEOUT_SECONDS * 1000))"
        --formatter-property print.key=true --formatter-property $'key.separator=\t'
        --command-property enable.auto.commit=false)
    if [[ -n "$max" ]]; then
        args+=(--max-messages "$max")
    fi
    if [[ "$CONSUME_PRINT_HEADERS" == "true" ]]; then
        args+=(--formatter-property print.headers=true)
    fi
    # The console consumer ends an idle wait with an ERROR and a TimeoutException although that
    # is the normal end here; its stderr is filtered, and "fewer than N records" becomes exit 1.
    local err_file="$STATE_DIR/tmp/consume.$$.err" rc=0 processed
    kafka_tool org.apache.kafka.tools.consumer.ConsoleConsumer "${args[@]}" 2>"$err_file" || rc=$?
    grep -v -E 'Error processing message, terminating consumer process|errors\.TimeoutException|^Processed a total of' \
        "$err_file" >&2 || true
    processed="$(sed -n 's/^Processed a total of \([0-9]*\) messages.*/\1/p' "$err_file" | tail -n 1)"
    rm -f "$err_file"
    ((rc == 0)) || die "consuming $topic failed (exit $rc); see the messages above"
    if [[ -n "$max" && "${processed:-0}" -lt "$max" ]]; then
        die "consume: only ${processed:-0} of $max records arrived on $topic (no new record for ${CONSUME_TIMEOUT_SECONDS}s)"
    fi
    info "Read ${processed:-0} records from $topic"
}

# ----- Flink ------------------------------------------------------------------------------------
# -D settings every Flink process gets: this machine's ports and this state dir's directories.
flink_dynamic_properties() {
    printf '%s\n' \
        "-Drest.port=$FLINK_REST_PORT" \
        "-Djobmanager.rpc.port=$FLINK_RPC_PORT" \
        "-Dexecution.checkpointing.dir=file://$CHECKPOINT_DIR" \
        "-Dexecution.checkpointing.savepoint-dir=file://$SAVEPOINT_DIR" \
        "-Dio.tmp.dirs=$FLINK_TMP_DIR"
    if [[ "$FLINK_PROMETHEUS" != "true" ]]; then
        # Only reporters named here start; "none" names no reporter.
        printf '%s\n' "-Dmetrics.reporters=none"
    fi
    local prop
    local -a props
    read -ra props <<<"$FLINK_PROPERTIES"
    for prop in "${props[@]}"; do
        printf '%s\n' "-D$prop"
    done
}

# Asks Flink how to size a process, as its bin/ scripts do: BashJavaUtils prints two result lines,
# the JVM memory flags and the -D settings that pin the derived memory sizes.
# Sets BJU_JVM_ARGS and BJU_DYNAMIC_ARGS.
flink_resource_params() {
    local command="$1" cp="$2"
    shift 2
    local output_file="$LOG_DIR/flink-bash-java-utils.out"
    if ! "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -Dlog.file="$LOG_DIR/flink-bash-java-utils.log" \
        -Dlog4j.configurationFile="$FLINK_CONF_DIR/log4j.properties" -cp "$cp" \
        org.apache.flink.runtime.util.bash.BashJavaUtils "$command" --configDir "$FLINK_CONF_DIR" "$@" \
        >"$output_file" 2>&1; then
        show_tail "$output_file" 30
        die "Flink could not compute the memory settings ($command); check $FLINK_CONF_DIR/config.yaml. Output: $output_file"
    fi
    local -a results
    mapfile -t results < <(grep '^BASH_JAVA_UTILS_EXEC_RESULT:' "$output_file" | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://')
    ((${#results[@]} == 2)) || { show_tail "$output_file" 30; die "unexpected BashJavaUtils output in $output_file"; }
    read -ra BJU_JVM_ARGS <<<"${results[0]}"
    read -ra BJU_DYNAMIC_ARGS <<<"${results[1]}"
}

flink_serving() { answers_http "http://127.0.0.1:$FLINK_REST_PORT/overview"; }

start_jobmanager() {
    local pid log_file="$LOG_DIR/jobmanager.log" out_file="$LOG_DIR/jobmanager.out"
    if pid="$(running_pid jobmanager)"; then
        info "Flink JobManager is already running (pid $pid) on http://127.0.0.1:$FLINK_REST_PORT"
        return
    fi
    check_port_free "$FLINK_REST_PORT" FLINK_REST_PORT
    check_port_free "$FLINK_RPC_PORT" FLINK_RPC_PORT
    local cp
    cp="$(flink_classpath)"
    local -a dyn marker
    mapfile -t dyn < <(flink_dynamic_properties)
    mapfile -t marker < <(marker_args jobmanager)
    flink_resource_params GET_JM_RESOURCE_PARAMS "$cp" "${dyn[@]}"
    info "Starting the Flink JobManager (log: $log_file)"
    launch jobmanager "$out_file" "$JAVA" "${BJU_JVM_ARGS[@]}" "${FLINK_JVM_MODULE_OPTS[@]}" \
        "${marker[@]}" -Dlog.file="$log_file" \
        -Dlog4j.configurationFile="$FLINK_CONF_DIR/log4j.properties" \
        -cp "$cp" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
        --configDir "$FLINK_CONF_DIR" "${dyn[@]}" "${BJU_DYNAMIC_ARGS[@]}"
    wait_ready jobmanager "$log_file" "serving http://127.0.0.1:$FLINK_REST_PORT/overview" flink_serving
    info "Flink JobManager is ready (pid $(running_pid jobmanager)): web UI http://127.0.0.1:$FLINK_REST_PORT"
}

# Ids of TaskManagers whose pid file points at a live process, ascending.
running_taskmanager_ids() {
    local file name
    for file in "$PID_DIR"/taskmanager-*.pid; do
        [[ -e "$file" ]] || continue
        name="$(basename "$file" .pid)"
        if is_running "$name"; then
            printf '%s\n' "${name#taskmanager-}"
        fi
    done | sort -n
}

# A TaskManager id never used since the TaskManagers were last all stopped, so the JobManager
# never confuses a new TaskManager with a killed one it still remembers.
next_taskmanager_id() {
    local last=0 id counter="$PID_DIR/taskmanager.last-id"
    [[ -s "$counter" ]] && last="$(cat "$counter")"
    for id in $(running_taskmanager_ids); do
        if ((id > last)); then
            last="$id"
        fi
    done
    printf '%s\n' "$((last + 1))" >"$counter"
    printf '%s' "$((last + 1))"
}

# Slots per TaskManager: from FLINK_PROPERTIES if set there, else from config.yaml.
slots_per_taskmanager() {
    local prop slots=""
    local -a props
    read -ra props <<<"$FLINK_PROPERTIES"
    for prop in "${props[@]}"; do
        if [[ "$prop" == taskmanager.numberOfTaskSlots=* ]]; then
            slots="${prop#*=}"
        fi
    done
    if [[ -z "$slots" ]]; then
        slots="$(sed -n 's/^taskmanager\.numberOfTaskSlots:[[:space:]]*\([0-9]*\).*/\1/p' "$FLINK_CONF_DIR/config.yaml")"
    fi
    printf '%s' "${slots:-1}"
}

launch_taskmanager() {
    local id="$1"
    local name="taskmanager-$id" resource_id="local-tm-$id"
    local log_file="$LOG_DIR/$name.log" out_file="$LOG_DIR/$name.out"
    is_running jobmanager || die "the Flink JobManager is not running; start it with: scripts/stack.sh start jobmanager"
    local cp
    cp="$(flink_classpath)"
    ensure_api_key
    local -a dyn marker extra_opts
    mapfile -t dyn < <(flink_dynamic_properties)
    dyn+=("-Dtaskmanager.resource-id=$resource_id")
    read -ra extra_opts <<<"$TASKMANAGER_JAVA_OPTS"
    mapfile -t marker < <(marker_args "$name")
    flink_resource_params GET_TM_RESOURCE_PARAMS "$cp" "${dyn[@]}"
    info "Starting Flink TaskManager $resource_id (log: $log_file)"
    # The job reads its Customer.io API key from CUSTOMERIO_API_KEY on the TaskManagers. The key
    # goes into this one process's environment (set in a subshell, so no other process inherits
    # it), never onto a command line, where ps and the Flink UI would show it.
    (
        CUSTOMERIO_API_KEY="$(cat "$API_KEY_FILE")"
        export CUSTOMERIO_API_KEY
        launch "$name" "$out_file" "$JAVA" "${BJU_JVM_ARGS[@]}" "${FLINK_JVM_MODULE_OPTS[@]}" \
            "${extra_opts[@]}" "${marker[@]}" -Dlog.file="$log_file" \
            -Dlog4j.configurationFile="$FLINK_CONF_DIR/log4j.properties" \
            -cp "$cp" org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
            --configDir "$FLINK_CONF_DIR" "${dyn[@]}" "${BJU_DYNAMIC_ARGS[@]}"
    )
    local pid
    pid="$(running_pid "$name")" || start_failed "$name" "$log_file" "exited at once"
    ops_tool await-taskmanagers --flink "http://127.0.0.1:$FLINK_REST_PORT" --id "$resource_id" \
        --pid "$pid" --timeout "$START_TIMEOUT" ||
        start_failed "$name" "$log_file" "did not register at the JobManager"
    info "TaskManager $resource_id is ready (pid $pid)"
}

# Makes sure at least one TaskManager runs (after a fault test the survivor may not be number 1).
start_taskmanager() {
    local ids
    ids="$(running_taskmanager_ids | tr '\n' ' ')"
    if [[ -n "$ids" ]]; then
        info "Flink TaskManager(s) already running: $(for i in $ids; do printf 'local-tm-%s ' "$i"; done)"
        return
    fi
    launch_taskmanager "$(next_taskmanager_id)"
    wait_for_slots
}

# Waits until the JobManager counts every running TaskManager and its slots.
wait_for_slots() {
    local expected_tms expected_slots
    expected_tms="$(running_taskmanager_ids | wc -l | tr -d ' ')"
    expected_slots=$((expected_tms * $(slots_per_taskmanager)))
    ops_tool await-taskmanagers --flink "http://127.0.0.1:$FLINK_REST_PORT" --count "$expected_tms" \
        --slots "$expected_slots" --timeout "$START_TIMEOUT" ||
        die "the JobManager does not count $expected_tms TaskManager(s) and $expected_slots slots; read $LOG_DIR/jobmanager.log and $LOG_DIR/taskmanager-*.log"
}

start_extra_taskmanager() {
    is_running jobmanager || die "the Flink JobManager is not running; start it with: scripts/stack.sh start flink"
    launch_taskmanager "$(next_taskmanager_id)"
}

kill_taskmanager() {
    local id="${1:-}" pid
    if [[ -z "$id" ]]; then
        id="$(running_taskmanager_ids | head -n 1)"
        [[ -n "$id" ]] || die "no TaskManager is running"
    fi
    [[ "$id" =~ ^[0-9]+$ ]] || die "kill-taskmanager: ID is a number (the n of local-tm-n), got \"$id\""
    pid="$(running_pid "taskmanager-$id")" || die "TaskManager local-tm-$id is not running (running: $(running_taskmanager_ids | tr '\n' ' '))"
    info "Killing TaskManager local-tm-$id (pid $pid) with SIGKILL"
    kill -KILL "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    rm -f "$(pid_file "taskmanager-$id")"
    info "TaskManager local-tm-$id is gone; the JobManager notices when its heartbeats stop"
}

kill_jobmanager() {
    local pid
    pid="$(running_pid jobmanager)" || die "the Flink JobManager is not running"
    info "Killing the JobManager (pid $pid) with SIGKILL"
    kill -KILL "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    rm -f "$(pid_file jobmanager)"
    info "The JobManager is gone; its TaskManagers keep running and register again once it is back (scripts/stack.sh start jobmanager)"
}

stop_taskmanagers() {
    local id
    for id in $(running_taskmanager_ids | sort -rn); do
        stop_process "taskmanager-$id"
    done
    rm -f "$PID_DIR"/taskmanager-*.pid "$PID_DIR/taskmanager.last-id"
}

# ----- simulator --------------------------------------------------------------------------------
# The simulator is test code of the project: it needs target/test-classes and the test classpath.
ensure_simulator_built() {
    local stamp="$CLASSPATH_DIR/test-compile.stamp"
    if [[ ! -f "$SIMULATOR_CLASS_FILE" || ! -f "$stamp" ]] ||
        [[ -n "$(find "$REPO_DIR/src" "$PROJECT_POM" -newer "$stamp" -print -quit 2>/dev/null)" ]]; then
        info "Compiling the project and its test classes (mvn test-compile) for the simulator"
        local mvn_log="$LOG_DIR/maven-test-compile.log"
        touch "$stamp.new"
        if ! "$MVN" -B -q -Dstyle.color=never -f "$PROJECT_POM" test-compile >"$mvn_log" 2>&1; then
            rm -f "$stamp.new"
            show_tail "$mvn_log" 40
            die "mvn test-compile failed; see $mvn_log"
        fi
        mv "$stamp.new" "$stamp"
    fi
    [[ -f "$SIMULATOR_CLASS_FILE" ]] || die "the simulator class $SIMULATOR_MAIN is not in $REPO_DIR/target/test-classes (mvn test-compile ran); is src/test/java/dev/cioforwarder/simulator/SimulatorMain.java there?"
}

project_test_classpath() {
    local file="$CLASSPATH_DIR/project-test.classpath"
    if [[ ! -s "$file" || "$PROJECT_POM" -nt "$file" ]] || ! classpath_jars_exist "$file"; then
        info "Resolving the project's test classpath from $PROJECT_POM"
        local mvn_log="$LOG_DIR/maven-project-test-classpath.log"
        if ! "$MVN" -B -q -Dstyle.color=never -f "$PROJECT_POM" "$DEPENDENCY_PLUGIN:build-classpath" \
            -Dmdep.includeScope=test -Dmdep.outputFile="$file.tmp" >"$mvn_log" 2>&1; then
            show_tail "$mvn_log" 40
            die "could not resolve the project's test classpath; see $mvn_log"
        fi
        mv "$file.tmp" "$file"
    fi
    cat "$file"
}

simulator_serving() { answers_http "http://127.0.0.1:$SIMULATOR_PORT/__simulator/summary"; }

start_simulator() {
    local pid log_file="$LOG_DIR/simulator.log"
    if pid="$(running_pid simulator)"; then
        info "Customer.io simulator is already running (pid $pid) on http://127.0.0.1:$SIMULATOR_PORT"
        return
    fi
    check_port_free "$SIMULATOR_PORT" SIMULATOR_PORT
    ensure_simulator_built
    ensure_api_key
    local test_cp
    test_cp="$(project_test_classpath)"
    local -a opts extra marker
    read -ra opts <<<"$SIMULATOR_JAVA_OPTS"
    read -ra extra <<<"$SIMULATOR_ARGS"
    mapfile -t marker < <(marker_args simulator)
    info "Starting the Customer.io simulator on 127.0.0.1:$SIMULATOR_PORT (log: $log_file)"
    # The simulator reads the key from the file: only the path is on its command line.
    launch simulator "$log_file" "$JAVA" "${opts[@]}" "${marker[@]}" \
        -cp "$REPO_DIR/target/test-classes:$REPO_DIR/target/classes:$test_cp" "$SIMULATOR_MAIN" \
        --port "$SIMULATOR_PORT" --bind 127.0.0.1 --site-id "$SIMULATOR_SITE_ID" \
        --api-key-file "$API_KEY_FILE" --region "$SIMULATOR_REGION" "${extra[@]}"
    wait_ready simulator "$log_file" "answering http://127.0.0.1:$SIMULATOR_PORT/__simulator/summary" simulator_serving
    info "Customer.io simulator is ready (pid $(running_pid simulator)): http://127.0.0.1:$SIMULATOR_PORT"
}

# ----- status and logs --------------------------------------------------------------------------
status() {
    local name pid
    printf 'State directory: %s\n' "$STATE_DIR"
    for name in kafka jobmanager $(running_taskmanager_ids | sed 's/^/taskmanager-/') simulator; do
        if pid="$(running_pid "$name")"; then
            printf '  %-16s running  pid %-8s log %s\n' "$name" "$pid" "$(log_file_of "$name")"
        else
            printf '  %-16s stopped\n' "$name"
        fi
    done
    if is_running kafka; then
        printf 'Kafka: 127.0.0.1:%s\n' "$KAFKA_PORT"
    fi
    if is_running jobmanager; then
        # What Flink reports, from the operations tool in the tools jar as it is: a status never
        # starts a build.
        if project_jar tools >/dev/null && project_jar job >/dev/null; then
            JARS_AS_IS=true ops_tool status --cluster-only --flink "http://127.0.0.1:$FLINK_REST_PORT" 2>/dev/null ||
                printf 'Flink: http://127.0.0.1:%s does not answer\n' "$FLINK_REST_PORT"
        else
            printf 'Flink: http://127.0.0.1:%s (build the jars for its details)\n' "$FLINK_REST_PORT"
        fi
    fi
    if is_running simulator; then
        printf 'Simulator: http://127.0.0.1:%s (its counters: /__simulator/summary)\n' "$SIMULATOR_PORT"
    fi
}

log_file_of() {
    case "$1" in
        kafka | jobmanager | simulator | taskmanager-*) printf '%s/%s.log' "$LOG_DIR" "$1" ;;
        *) return 1 ;;
    esac
}

logs() {
    local name="${1:-}" lines="${2:-100}"
    if [[ -z "$name" ]]; then
        printf 'Log files in %s:\n' "$LOG_DIR"
        local f
        for f in "$LOG_DIR"/*.log "$LOG_DIR"/*.out; do
            if [[ -e "$f" ]]; then
                printf '  %8s  %s\n' "$(wc -c <"$f" | tr -d ' ')" "$f"
            fi
        done
        printf 'Show one with: scripts/stack.sh logs kafka|jobmanager|taskmanager-<n>|simulator [LINES]\n'
        return
    fi
    if [[ "$name" == taskmanager ]]; then
        name="taskmanager-$(running_taskmanager_ids | head -n 1)"
    fi
    local file
    file="$(log_file_of "$name")" || die "logs: unknown service \"$name\"; one of kafka, jobmanager, taskmanager-<n>, simulator"
    [[ -f "$file" ]] || die "no log file $file yet"
    tail -n "$lines" "$file"
}

# ----- start / stop dispatch --------------------------------------------------------------------
start() {
    local what="${1:-all}"
    case "$what" in
        kafka) start_kafka ;;
        jobmanager) start_jobmanager ;;
        taskmanager) start_taskmanager ;;
        flink)
            start_jobmanager
            start_taskmanager
            ;;
        simulator) start_simulator ;;
        all)
            # Compile first: a build error should stop us before anything runs.
            ensure_simulator_built
            start_kafka
            start_jobmanager
            start_taskmanager
            start_simulator
            ;;
        *) die "start: unknown service \"$what\"; one of kafka, flink, jobmanager, taskmanager, simulator, all" ;;
    esac
}

stop() {
    local what="${1:-all}"
    case "$what" in
        kafka) stop_process kafka ;;
        jobmanager) stop_process jobmanager ;;
        taskmanager) stop_taskmanagers ;;
        flink)
            stop_taskmanagers
            stop_process jobmanager
            ;;
        simulator) stop_process simulator ;;
        all)
            stop_process simulator
            stop_taskmanagers
            stop_process jobmanager
            stop_process kafka
            ;;
        *) die "stop: unknown service \"$what\"; one of kafka, flink, jobmanager, taskmanager, simulator, all" ;;
    esac
    info "Stopped: $what"
}

main() {
    local command="${1:-help}"
    [[ $# -gt 0 ]] && shift
    case "$command" in
        help | -h | --help)
            usage
            return
            ;;
    esac
    init_state_dir
    case "$command" in
        start) start "$@" ;;
        stop) stop "$@" ;;
        status) status ;;
        create-topics) create_topics ;;
        produce) produce "$@" ;;
        consume) consume "$@" ;;
        kill-taskmanager) kill_taskmanager "$@" ;;
        kill-jobmanager) kill_jobmanager ;;
        start-taskmanager) start_extra_taskmanager ;;
        logs) logs "$@" ;;
        *)
            usage >&2
            die "unknown command \"$command\""
            ;;
    esac
}

main "$@"
