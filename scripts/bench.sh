#!/usr/bin/env bash
# The end-to-end benchmark: the real path on this machine. A producer writes realistic mParticle
# batches into the local Kafka broker; the job runs on the local Flink standalone cluster (RocksDB,
# exactly-once checkpoints every 10 s, parallelism 2); the Customer.io simulator receives. Every
# forwardable event must arrive exactly once before a figure is reported.
#
#   scripts/bench.sh [--events N] [--users U] [--rate R] [--api-mode v1|v2-batch] [--cio-rps L]
#                    [--parallelism P] [--warmup-events W]
#   scripts/bench.sh --mode sweep [--rates 5000,10000,...,0] [--seconds-per-point 60]
#   scripts/bench.sh --mode compare-api-modes [--cio-rps 100] [--v2-events N] [--v1-events N]
#   scripts/bench.sh --mode soak [--duration 600] [--rate R] [--users U]
#   scripts/bench.sh --compare-with REF [--rounds 2] [single-run options]
#   scripts/bench.sh --mode latency-curve [--latencies 0,50,150,300] [--offered-rate 60000]
#                    [--seconds-per-point 60] [--events N]
#
# BENCH_BUILD=false reuses the jar and harness built by the previous call (several runs in a row).
# Single-run options also: --cio-latency-ms N (the simulator answers after N ms), --sink discard
# (the same job, requests built and dropped instead of sent), --anonymous-share F and
# --push-share F (traffic mixes: the share of users that stay anonymous, with anonymous events
# on; the share of batches carrying a push token, with devices on), --max-in-flight N (the job's
# customerio.max-in-flight, also its number of request lanes), --cores split (the job's processes
# on half the CPUs, the simulator and the producer on the other half; the default, shared, lets
# every process use every CPU).
# --compare-with builds the job jar of another commit (in a git worktree under target/bench) and
# runs it and this tree's alternately on the same stack, simulator and data.
#
# --rate 0 means as fast as possible. Results: target/bench/result.json (single run),
# sweep.json + saturation.png, compare-api-modes.json, soak.json + soak.png, compare.json,
# latency-curve.json + latency-curve.png.
# The stack is started if needed (scripts/stack.sh) and left running; stop it with
# scripts/stack.sh stop. Ports follow scripts/stack.sh (KAFKA_PORT, FLINK_REST_PORT, SIMULATOR_PORT).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

if [[ "${BENCH_BUILD:-true}" == "true" || ! -f target/bench/classpath.txt ]]; then
  echo "bench: building the job jar and the harness ..." >&2
  mvn -B -q -DskipTests package
fi
# shellcheck source=ops/jars.sh
source "$repo/scripts/ops/jars.sh"
jar="$(project_jar job)"
mkdir -p target/bench
if [[ "${BENCH_BUILD:-true}" == "true" || ! -f target/bench/classpath.txt ]]; then
  mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench/classpath.txt
fi

# The simulator keeps full details of only the first 1,000 events (the dedup set, the counts and
# the latency probe the bench reads stay complete): with 100,000, each with its data, a profiled
# run showed 0.5-0.7 s collections while they were stored at the start of the measured window.
export SIMULATOR_ARGS="${SIMULATOR_ARGS:---max-stored-events 1000}"
# Its duplicate check keeps every event id: a 10-minute soak sends about ten million, more than
# the stack's default 1 GB heap holds. On transparent huge pages it used 17% less CPU for a run's
# load (scripts/bench-simulator.sh: 8.3-8.5 s against 9.7-10.2 s), CPU the job shares; where the
# kernel offers none, the JVM warns and goes on without.
export SIMULATOR_JAVA_OPTS="${SIMULATOR_JAVA_OPTS:--Xmx3g -XX:+UseTransparentHugePages}"
scripts/stack.sh start all >&2
scripts/stack.sh create-topics >/dev/null 2>&1 || true

# --compare-with REF: the other commit's job jar, built in a worktree of its own.
args=()
compare=()
cores=shared
while [[ $# -gt 0 ]]; do
  if [[ "$1" == "--cores" && $# -ge 2 ]]; then
    cores="$2"
    args+=("$1" "$2")
    shift 2
  elif [[ "$1" == "--compare-with" && $# -ge 2 ]]; then
    ref="$2"
    shift 2
    sha="$(git rev-parse --verify "$ref^{commit}")"
    tree="$repo/target/bench/compare-$sha"
    if [[ ! -d "$tree" ]]; then
      git worktree add --detach "$tree" "$sha" >&2
    fi
    echo "bench: building the job jar of $ref ($sha) ..." >&2
    (cd "$tree" && mvn -B -q -DskipTests -Dspotless.check.skip=true package)
    other="$(project_jar job "$tree")"
    compare=(--compare-jar "$other" --compare-ref "$ref")
  else
    args+=("$1")
    shift
  fi
done

# --cores split: the job's side (Kafka, the JobManager, the TaskManagers) on the first half of the
# CPUs, the stand-ins for what runs elsewhere in production (the simulator for Customer.io, this
# harness for mParticle's producer) on the other half, so neither takes the other's CPU. The
# stack outlives a run, so every run sets the affinity: --cores shared (the default) gives every
# process all CPUs again.
cpus="$(nproc)"
all_cpus="0-$((cpus - 1))"
job_cpus="$all_cpus"
stand_in_cpus="$all_cpus"
case "$cores" in
  shared) ;;
  split)
    if ((cpus < 2)); then
      echo "bench: --cores split needs at least 2 CPUs; this machine has $cpus" >&2
      exit 2
    fi
    job_cpus="0-$((cpus / 2 - 1))"
    stand_in_cpus="$((cpus / 2))-$((cpus - 1))"
    ;;
  *)
    echo "bench: --cores is shared or split, not $cores" >&2
    exit 2
    ;;
esac
command -v taskset >/dev/null || {
  echo "bench: taskset (util-linux) is needed to set the processes' CPUs" >&2
  exit 2
}
stack_pids="${CIO_STATE_DIR:-$repo/.local-stack}/pids"
for pid_file in "$stack_pids"/*.pid; do
  service="$(basename "$pid_file" .pid)"
  pid="$(cat "$pid_file" 2>/dev/null || true)"
  # Only a process the stack started (its marker is on its command line): a file left by one
  # that is gone may name another process by now.
  if [[ ! "$pid" =~ ^[0-9]+$ ]] ||
    ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-Dcio.stack.service=$service "; then
    continue
  fi
  cpu_list="$job_cpus"
  [[ "$service" == simulator ]] && cpu_list="$stand_in_cpus"
  # -a: every thread the process has; the threads it starts later inherit the setting.
  taskset -a -p -c "$cpu_list" "$pid" >/dev/null
done

exec taskset -c "$stand_in_cpus" java -Xmx2g -cp "target/test-classes:target/classes:$(cat target/bench/classpath.txt)" \
  dev.cioforwarder.bench.BenchRunner \
  --jar "$jar" \
  --flink "http://127.0.0.1:${FLINK_REST_PORT:-8081}" \
  --simulator "http://127.0.0.1:${SIMULATOR_PORT:-8090}" \
  --kafka "127.0.0.1:${KAFKA_PORT:-9092}" \
  --out target/bench \
  --stack-dir "${CIO_STATE_DIR:-$repo/.local-stack}" \
  "${compare[@]}" \
  "${args[@]}"
