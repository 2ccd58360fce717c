#!/usr/bin/env bash
# The Customer.io simulator's own CPU for a benchmark's load, without the job. In scripts/bench.sh
# the simulator shares the two cores with the job, so its CPU is part of every end-to-end figure;
# this measures it alone, in a fresh simulator per round, with bench.sh's simulator settings.
#
#   scripts/bench-simulator.sh [--requests 2200] [--warmup-requests 1000] [--rounds 3] [--port 8191]
#
# Each round: start a simulator, send the warm-up requests, reset it and collect its garbage (as
# bench.sh does between phases), then send the measured requests and read the simulator process's
# CPU from /proc. The requests (dev.cioforwarder.bench.SimulatorReplay) hold ~300 KB of v2
# operations each: 2,200 are about a bench run's 3 M events. SIMULATOR_JAVA_OPTS
# [-Xmx3g -XX:+UseTransparentHugePages] and SIMULATOR_ARGS [--max-stored-events 1000] as in
# bench.sh. Results: target/bench/simulator.json.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

requests=2200
warmup=1000
rounds=3
port=8191
while [[ $# -gt 0 ]]; do
  case "$1" in
    --requests) requests="$2" ;;
    --warmup-requests) warmup="$2" ;;
    --rounds) rounds="$2" ;;
    --port) port="$2" ;;
    *)
      echo "bench-simulator: unknown option $1" >&2
      exit 2
      ;;
  esac
  shift 2
done

mkdir -p target/bench
if [[ "${BENCH_BUILD:-true}" == "true" || ! -f target/bench/classpath.txt ]]; then
  echo "bench-simulator: compiling the simulator and the replay ..." >&2
  mvn -B -q test-compile
  mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench/classpath.txt
fi
classpath="target/test-classes:target/classes:$(cat target/bench/classpath.txt)"
read -ra java_opts <<<"${SIMULATOR_JAVA_OPTS:--Xmx3g -XX:+UseTransparentHugePages}"
read -ra simulator_args <<<"${SIMULATOR_ARGS:---max-stored-events 1000}"

# A throwaway key in a file only this user reads: it never appears on a command line.
key_file="$(mktemp)"
chmod 600 "$key_file"
head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$key_file"
pid=""
cleanup() {
  if [[ -n "$pid" ]]; then
    kill "$pid" 2>/dev/null || true
  fi
  rm -f "$key_file"
}
trap cleanup EXIT

url="http://127.0.0.1:$port"
ticks_per_second="$(getconf CLK_TCK)"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
replay() {
  java -cp "$classpath" dev.cioforwarder.bench.SimulatorReplay --url "$url" \
    --site-id bench-simulator --api-key-file "$key_file" --requests "$1" --seed "$2"
}

results=()
for round in $(seq 1 "$rounds"); do
  java "${java_opts[@]}" -cp "$classpath" dev.cioforwarder.simulator.SimulatorMain \
    --port "$port" --bind 127.0.0.1 --site-id bench-simulator --api-key-file "$key_file" \
    "${simulator_args[@]}" >"target/bench/simulator-replay.log" 2>&1 &
  pid=$!
  for _ in $(seq 150); do
    curl -sf "$url/__simulator/summary" >/dev/null && break
    sleep 0.2
  done
  replay "$warmup" "$((round * 1000))" >/dev/null
  curl -sf -X POST -d '{}' "$url/__simulator/reset" >/dev/null
  curl -sf -X POST -d '{}' "$url/__simulator/gc" >/dev/null
  before="$(cpu_ticks "$pid")"
  started="$(date +%s.%N)"
  sent="$(replay "$requests" "$((round * 1000 + 1))")"
  seconds="$(echo "$(date +%s.%N) - $started" | bc -l)"
  after="$(cpu_ticks "$pid")"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
  cpu="$(echo "($after - $before) / $ticks_per_second" | bc -l)"
  result="$(printf '{"round":%d,"simulator_cpu_seconds":%.2f,"seconds":%.2f,"sent":%s}' \
    "$round" "$cpu" "$seconds" "$sent")"
  echo "$result"
  results+=("$result")
done
(
  IFS=,
  printf '{"requests":%d,"warmup_requests":%d,"java_opts":"%s","rounds":[%s]}\n' \
    "$requests" "$warmup" "${java_opts[*]}" "${results[*]}"
) >target/bench/simulator.json
