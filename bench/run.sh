#!/usr/bin/env bash
# Builds the bench module and the node distribution, starts a private Redis on 127.0.0.1, runs every benchmark in
# one JVM, stops Redis and writes the report.
#
# Usage: bench/run.sh [--quick | --full] [--only GROUP,...] [--include REGEX] [--prof PROFILER]... [--no-build]
#   --quick   about 9 minutes on 2 cores, build included (the default)
#   --full    longer iterations and harness rounds; an estimated 29 minutes on 2 cores, not timed yet
#   --only    run some of the groups startup,hotdeploy,cache,lock,raft,pubsub,sync,queue; the report then goes to
#             the results folder instead of docs/benchmarks.md, without the findings of bench/report-notes.md
#   --include keep only the JMH benchmarks whose method name matches, for example 'get_.*'; the report then goes
#             to the results folder too, also without the findings
#   --prof    add a JMH profiler to the JMH groups, for example gc or stack
#   --no-build  use the jar already in bench/target and the distribution in runtime/target/cohort
#
# Environment: COHORT_BENCH_REDIS_PORT (default 6391), COHORT_BENCH_PORT (first Hazelcast port, default 5881; the
# run uses it and the 7 ports after it), COHORT_BENCH_JAVA_OPTS (extra JVM options, for example
# -XX:StartFlightRecording=filename=bench.jfr to profile with JFR), COHORT_BENCH_MVN_ARGS (extra Maven arguments
# for the build, for example -o) and COHORT_BENCH_STARTUP_PORT (member port of the startup group's Cohort node,
# default 6061; its bare node takes the port 10 above and the hotdeploy group's node the port 40 above). Everything
# listens on 127.0.0.1 only.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

mode=--quick
build=true
partial=false
args=()
# Exits with a usage error that describes the expected value ($4) when option $1 has none: no argument after it ($2
# counts them), an empty one, or another option ($3, the next argument).
need_value() {
  if [ "$2" -lt 1 ] || [ -z "$3" ] || [ "${3#--}" != "$3" ]; then
    echo "bench/run.sh: $1 needs a value: $4; see bench/run.sh --help" >&2
    exit 2
  fi
}
while [ $# -gt 0 ]; do
  case "$1" in
    --quick|--full) mode=$1 ;;
    --no-build) build=false ;;
    --only)
      need_value "$1" $(($# - 1)) "${2-}" \
        "a comma-separated list of startup,hotdeploy,cache,lock,raft,pubsub,sync,queue"
      partial=true; args+=("$1" "$2"); shift ;;
    --include)
      need_value "$1" $(($# - 1)) "${2-}" "a regular expression for the JMH method names"
      partial=true; args+=("$1" "$2"); shift ;;
    --prof)
      need_value "$1" $(($# - 1)) "${2-}" "a JMH profiler name, such as gc or stack"
      args+=("$1" "$2"); shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown argument '$1'; see bench/run.sh --help" >&2; exit 2 ;;
  esac
  shift
done

redis_port=${COHORT_BENCH_REDIS_PORT:-6391}
member_port=${COHORT_BENCH_PORT:-5881}
startup_port=${COHORT_BENCH_STARTUP_PORT:-6061}
# Each port variable names the first of the ports it moves: Hazelcast takes 7 more, the start-up group 40 more.
for setting in "COHORT_BENCH_REDIS_PORT=$redis_port:0" "COHORT_BENCH_PORT=$member_port:7" \
    "COHORT_BENCH_STARTUP_PORT=$startup_port:40"; do
  name=${setting%%=*} value=${setting#*=} extra=${setting##*:}
  value=${value%:*}
  if ! [[ "$value" =~ ^[1-9][0-9]{0,4}$ ]] || [ "$value" -lt 1024 ] || [ "$((value + extra))" -gt 65535 ]; then
    echo "bench/run.sh: $name '$value' is invalid; expected a port from 1024 to $((65535 - extra))" >&2
    exit 2
  fi
done
out="bench/target/results/$(date +%Y%m%d-%H%M%S)"
report=docs/benchmarks.md
if [ "$partial" = true ]; then
  report="$out/benchmarks.md"
fi

if ! command -v redis-server >/dev/null; then
  echo "redis-server is missing; install Debian's package: apt-get install redis-server" >&2
  exit 2
fi
if (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null; then
  echo "port $redis_port on 127.0.0.1 is already in use; set COHORT_BENCH_REDIS_PORT to a free port" >&2
  exit 2
fi

# Rejects unknown groups, an invalid --include and an unknown profiler: before the build when an earlier build left
# a jar at least as new as the code that reads the arguments, and in any case before Redis starts.
check_arguments() {
  java -jar bench/target/cohort-bench.jar "$mode" "${args[@]}" --check-arguments
}
if [ "$build" = true ]; then
  if [ bench/target/cohort-bench.jar -nt bench/src/main/java/io/cohort/bench/BenchMain.java ]; then
    check_arguments
  fi
  echo "Building bench/target/cohort-bench.jar and runtime/target/cohort"
  # shellcheck disable=SC2086 # COHORT_BENCH_MVN_ARGS holds several arguments.
  mvn -q -B ${COHORT_BENCH_MVN_ARGS:-} -pl bench,runtime/distribution -am package -DskipTests
fi
if [ ! -f bench/target/cohort-bench.jar ] || [ ! -x runtime/target/cohort/bin/cohort ]; then
  echo "bench/run.sh: bench/target/cohort-bench.jar or runtime/target/cohort is missing; run without --no-build" >&2
  exit 2
fi
check_arguments

mkdir -p "$out/redis"
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --protected-mode yes \
  --daemonize no --dir "$root/$out/redis" --logfile "$root/$out/redis.log" &
redis_pid=$!
stop_redis() {
  if kill -0 "$redis_pid" 2>/dev/null; then
    kill "$redis_pid"
    wait "$redis_pid" 2>/dev/null || true
  fi
}
trap stop_redis EXIT

for _ in $(seq 1 50); do
  if redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG; then
    break
  fi
  sleep 0.1
done
redis-cli -h 127.0.0.1 -p "$redis_port" ping | grep -q PONG

# The flags let Hazelcast use the JDK internals it needs without warnings; the parent pom has the same list.
hazelcast_flags=(--add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens java.management/sun.management=ALL-UNNAMED
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED)

command="bench/run.sh $mode"
if [ "$build" = false ]; then
  command+=" --no-build"
fi
command+="${args[*]:+ ${args[*]}}"

status=0
# shellcheck disable=SC2086 # COHORT_BENCH_JAVA_OPTS holds several options.
java "${hazelcast_flags[@]}" -Xms1g -Xmx2g -Xlog:gc:file="$out/gc.log" ${COHORT_BENCH_JAVA_OPTS:-} \
  -Dcohort.bench.port="$member_port" \
  -Dcohort.bench.startup.port="$startup_port" \
  -Dcohort.bench.redis.port="$redis_port" \
  -Dcohort.bench.redis.version="$(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/')" \
  -Dcohort.bench.data="$out/data" \
  -Dcohort.bench.distribution="$root/runtime/target/cohort" \
  -Dcohort.bench.command="$command" \
  -jar bench/target/cohort-bench.jar "$mode" --out "$out" "${args[@]}" 2>&1 | tee "$out/bench.log" \
  || status=$?

stop_redis
trap - EXIT

java -cp bench/target/cohort-bench.jar io.cohort.bench.report.ReportWriter "$out" "$report" bench/report-notes.md
echo "Results: $out; report: $report"
exit "$status"
