#!/usr/bin/env bash
#
# Records the class archive of a node folder that the build laid out, so that its first start maps the classes the
# way every later start does. Usage: record-class-archive.sh NODE_FOLDER WORK_FOLDER FIRST_PORT
#
# The archive is recorded by a copy of the node folder in WORK_FOLDER, started twice as an operator would start it:
# the first start only marks the home, and the second writes the archive when it stops (see bin/cohort). The copy
# keeps the times of the lib/ jars, so bin/cohort computes the same key for it as for NODE_FOLDER, and the JVM accepts
# the archive there. The copy runs a one-member cluster of its own name on a port from FIRST_PORT on, on 127.0.0.1,
# so it neither joins nor disturbs a node that runs on the machine.
#
# A failed recording leaves NODE_FOLDER without an archive and prints a warning: its nodes then record one
# themselves, as any other home does, so the build goes on.

set -uo pipefail

DIST="$(cd "$1" && pwd)" || exit 1
readonly DIST WORK="$2" FIRST_PORT="$3"
readonly PORT_COUNT=20
readonly READY_TIMEOUT_SECONDS=120

warn() {
  echo "[WARNING] class archive of $DIST not recorded: $1; its nodes record it at the second start instead" >&2
  exit 0
}

rm -rf "$WORK" && mkdir -p "$WORK" || warn "cannot create $WORK"
cp -a "$DIST/bin" "$DIST/lib" "$DIST/system" "$DIST/etc" "$WORK/" || warn "cannot copy $DIST to $WORK"
mkdir -p "$WORK/deploy" "$WORK/data" "$WORK/log" || warn "cannot create the folders of $WORK"

last_port=$((FIRST_PORT + PORT_COUNT - 1))
cluster_config="$WORK/etc/io.cohort.hazelcast.cfg"
sed -i -e "s/^cluster\.name=.*/cluster.name=cohort-class-archive-$$/" \
  -e "s/^port=.*/port=$FIRST_PORT/" \
  -e "s/^port\.count=.*/port.count=$PORT_COUNT/" \
  -e "s/^members=.*/members=127.0.0.1:$FIRST_PORT-$last_port/" \
  "$cluster_config" || warn "cannot edit $cluster_config"

node_pid=""
stop_node() {
  if [ -n "$node_pid" ] && kill -0 "$node_pid" 2>/dev/null; then
    kill -TERM "$node_pid" 2>/dev/null
    wait "$node_pid" 2>/dev/null
  fi
  node_pid=""
}
trap stop_node EXIT

# Starts the copy, waits until its node answers cohort:info, and stops it with SIGTERM, as Ctrl-C would.
start_and_stop() {
  local run="$1" output="$WORK/log/recording-start-$1.out" waited=0
  COHORT_CLASS_ARCHIVE=on "$WORK/bin/cohort" run --no-console >"$output" 2>&1 &
  node_pid=$!
  until "$WORK/bin/cohort" client cohort:info >/dev/null 2>&1; do
    if ! kill -0 "$node_pid" 2>/dev/null; then
      warn "start $run of the copy in $WORK ended before its node started (its output: $output)"
    fi
    if [ "$waited" -ge $((READY_TIMEOUT_SECONDS * 2)) ]; then
      warn "start $run of the copy in $WORK did not answer cohort:info within $READY_TIMEOUT_SECONDS s"
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  stop_node
}

start_and_stop 1
# The recording start begins with an empty data folder too, so that the archive holds what a first start loads, such
# as the classes that create the database tables.
rm -rf "$WORK/data" && mkdir -p "$WORK/data" || warn "cannot empty $WORK/data"
start_and_stop 2

archive="$(ls "$WORK"/cache/classes-*.jsa 2>/dev/null | head -n 1)"
[ -n "$archive" ] || warn "the second start of the copy in $WORK wrote no archive"
key="$(basename "$archive" .jsa)"
[ -e "$WORK/cache/$key.complete" ] || warn "the copy in $WORK did not mark its archive complete"

mkdir -p "$DIST/cache" || warn "cannot create $DIST/cache"
rm -f "$DIST"/cache/classes-* || warn "cannot remove the old archive files of $DIST/cache"
# The archive first: bin/cohort maps only an archive with its .complete file.
if ! { cp -a "$archive" "$DIST/cache/" && cp -a "$WORK/cache/$key.complete" "$WORK/cache/$key.started" "$DIST/cache/"; }
then
  rm -f "$DIST"/cache/classes-*
  warn "cannot copy the archive to $DIST/cache"
fi
rm -rf "$WORK"
echo "[INFO] class archive recorded: $DIST/cache/$key.jsa ($(wc -c <"$DIST/cache/$key.jsa") bytes)"
