#!/usr/bin/env bash
#
# Records the class archive of a node folder that the build laid out, so that its first start maps the classes the
# way every later start does. Usage: record-class-archive.sh NODE_FOLDER WORK_FOLDER FIRST_PORT
#
# The archive is recorded by a copy of the node folder in WORK_FOLDER, started twice as an operator would start it:
# the first start only marks the home, and the second writes the archive when it stops (see bin/cohort). Both starts
# begin with an empty data folder, so the archive holds what a first start loads. The copy keeps the times of the
# lib/ jars, so bin/cohort computes the same key for it as for NODE_FOLDER, and the JVM accepts the archive there.
# The copy runs a one-member cluster of its own name on 127.0.0.1, on a port from FIRST_PORT on (20 of them) where
# nothing listens, and its member list names that port alone: it neither joins nor waits for anything else that runs
# on the machine. The search starts at an offset taken from this process's id, and a start whose member could not
# bind its port is tried again on the next free one, so two builds at once find ports of their own. The JVM options
# of the environment (JAVA_OPTS, JDK_JAVA_OPTIONS, JAVA_TOOL_OPTIONS) do not apply to it.
#
# The archive files of NODE_FOLDER are removed first, so a failed recording leaves none. On failure the script prints
# the reason on its standard error and exits with status 1; nothing else needs it, so the build reports it and goes
# on, and the folder's nodes record the archive themselves at their second start.

set -uo pipefail

readonly PORT_COUNT=20
readonly READY_TIMEOUT_SECONDS=120

DIST="$(cd "$1" && pwd)" || exit 1
readonly DIST WORK="$2" FIRST_PORT="$3"

fail() {
  echo "Class archive of $DIST not recorded: $1" >&2
  exit 1
}

node_pid=""
stop_node() {
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
    kill -TERM "$node_pid" 2>/dev/null
    wait "$node_pid" 2>/dev/null
  fi
  node_pid=""
}

# Stops the copy's node and removes the copy, except a log/ folder with files, which the messages above point to.
clean_up() {
  stop_node
  if [ -d "$WORK" ]; then
    find "$WORK" -mindepth 1 -maxdepth 1 ! -name log -exec rm -rf {} + 2>/dev/null
    rmdir "$WORK/log" "$WORK" 2>/dev/null
  fi
}
trap clean_up EXIT

mkdir -p "$DIST/cache" || fail "cannot create $DIST/cache"
rm -f "$DIST"/cache/classes-* || fail "cannot remove the earlier archive files of $DIST/cache"

rm -rf "$WORK" && mkdir -p "$WORK" || fail "cannot create $WORK"
cp -a "$DIST/bin" "$DIST/lib" "$DIST/system" "$DIST/etc" "$WORK/" || fail "cannot copy $DIST to $WORK"
mkdir -p "$WORK/deploy" "$WORK/log" || fail "cannot create the folders of $WORK"

tried_ports=0
next_port=$((FIRST_PORT + $$ % PORT_COUNT))
port=""

# Sets port to the next port of the range where a connection on 127.0.0.1 is refused, so nothing listens there, and
# points the copy's member at it alone.
pick_port() {
  local candidate
  port=""
  while [ "$tried_ports" -lt "$PORT_COUNT" ]; do
    candidate="$next_port"
    next_port=$((FIRST_PORT + (next_port - FIRST_PORT + 1) % PORT_COUNT))
    tried_ports=$((tried_ports + 1))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
      port="$candidate"
      break
    fi
  done
  [ -n "$port" ] || fail "no port from $FIRST_PORT to $((FIRST_PORT + PORT_COUNT - 1)) on 127.0.0.1 was free for \
its member; pick a free range with -Dcohort.class.archive.port=N"
  local cluster_config="$WORK/etc/io.cohort.hazelcast.cfg"
  sed -i -e "s/^cluster\.name=.*/cluster.name=cohort-class-archive-$$/" \
    -e "s/^port=.*/port=$port/" \
    -e "s/^port\.count=.*/port.count=1/" \
    -e "s/^members=.*/members=127.0.0.1:$port/" \
    "$cluster_config" || fail "cannot edit $cluster_config"
}

# Starts the copy from an empty data folder, waits until its node answers cohort:info, and stops the node with
# SIGTERM, as Ctrl-C would. Returns 1 when the node started but its Hazelcast member did not (it starts before the
# command socket opens), as when another process took the port in the meantime.
start_and_stop() {
  local run="$1" output="$WORK/log/recording-start-$1.out" waited=0
  rm -rf "$WORK/data" && mkdir -p "$WORK/data" || fail "cannot empty $WORK/data"
  env -u JAVA_OPTS -u JDK_JAVA_OPTIONS -u JAVA_TOOL_OPTIONS COHORT_CLASS_ARCHIVE=on \
    "$WORK/bin/cohort" run --no-console >"$output" 2>&1 &
  node_pid=$!
  until "$WORK/bin/cohort" client cohort:info >/dev/null 2>&1; do
    if ! kill -0 "$node_pid" 2>/dev/null; then
      fail "start $run of the copy in $WORK ended before its node started; see $output and $WORK/log/cohort.log"
    fi
    if [ "$waited" -ge $((READY_TIMEOUT_SECONDS * 2)) ]; then
      fail "start $run of the copy in $WORK did not answer cohort:info within $READY_TIMEOUT_SECONDS s; \
see $WORK/log/cohort.log"
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  local member_status=0
  "$WORK/bin/cohort" client cohort:members >/dev/null 2>&1 || member_status=1
  stop_node
  return "$member_status"
}

# Runs start RUN until its member starts, on the next free port after each failure. Before a new try, cache/ is put
# back as it was before the first: empty for start 1, and only the .started file for start 2, because an archive
# that a start without its member wrote lacks the member's classes.
start_until_member_runs() {
  local run="$1"
  until start_and_stop "$run"; do
    echo "The Hazelcast member of start $run of the copy in $WORK did not start on 127.0.0.1:$port; trying the \
next free port"
    if [ "$run" = 1 ]; then
      rm -rf "$WORK/cache"
    else
      find "$WORK/cache" -type f ! -name '*.started' -delete
    fi
    pick_port
  done
}

pick_port
start_until_member_runs 1
start_until_member_runs 2

archive="$(ls "$WORK"/cache/classes-*.jsa 2>/dev/null | head -n 1)"
[ -n "$archive" ] || fail "the second start of the copy in $WORK wrote no archive; see $WORK/log/cohort.log"
key="$(basename "$archive" .jsa)"
[ -e "$WORK/cache/$key.complete" ] || fail "the copy in $WORK did not mark its archive complete"

# The archive first: bin/cohort maps only an archive with its .complete file.
if ! { cp -a "$archive" "$DIST/cache/" && cp -a "$WORK/cache/$key.complete" "$WORK/cache/$key.started" "$DIST/cache/"; }
then
  rm -f "$DIST"/cache/classes-*
  fail "cannot copy the archive to $DIST/cache"
fi
trap - EXIT
rm -rf "$WORK"
echo "Class archive recorded: $DIST/cache/$key.jsa ($(wc -c <"$DIST/cache/$key.jsa") bytes)"
