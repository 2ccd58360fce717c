#!/usr/bin/env bash
# Runs the JMH micro-benchmarks of the hot path (parse, rules, encode) and prints their table.
#   scripts/jmh.sh [JMH options]     e.g. scripts/jmh.sh -f 1 -wi 2 -i 3
# Results are also written to target/jmh/result.json. Needs only Java 17 and Maven.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
echo "jmh: compiling (mvn -q test-compile) ..." >&2
mvn -B -q test-compile
mkdir -p target/jmh
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh/classpath.txt
cp="target/test-classes:target/classes:$(cat target/jmh/classpath.txt)"
exec java -cp "$cp" org.openjdk.jmh.Main -rf json -rff target/jmh/result.json "${@:-BatchPipelineBenchmark}"
