#!/bin/sh
# The prober's MatMul benchmark without and with CFS quotas, side by side in one run (cgroup v1,
# as root): a cgroup with no quota, one capped at one core (QUOTA = PERIOD), and one capped at
# QUOTA/PERIOD of a core. All get the same high cpu.shares so the machine's other work takes as
# little as it can from any; each benchmark runs in its own JVM, moved into its cgroup before java
# starts (the JVM, and so ONNX Runtime's thread count, sees the quota as a shard would). Each
# round runs the prober's benchmark (1 s windows), then the one before windows existed (best of 5
# single MatMuls). Removes the cgroups.
# Usage: matmul-under-quota.sh [PERIOD_US [QUOTA_US [ROUNDS]]]   (default 10000 2500 3)
set -eu
period=${1:-10000}
quota=${2:-2500}
rounds=${3:-3}
here=$(cd "$(dirname "$0")" && pwd)
cp="$here/../target/dilemma-prober.jar:$here/target/classes"
cpu=/sys/fs/cgroup/cpu
free="$cpu/dlmtest-prober-free"
one="$cpu/dlmtest-prober-one-core"
capped="$cpu/dlmtest-prober-capped"
cleanup() {
  for g in "$free" "$one" "$capped"; do
    [ -d "$g" ] || continue
    while read -r pid; do echo "$pid" > "$cpu/cgroup.procs" 2>/dev/null || true; done < "$g/cgroup.procs"
    rmdir "$g"
  done
}
trap cleanup EXIT
mkdir -p "$free" "$one" "$capped"
for g in "$free" "$one" "$capped"; do echo 65536 > "$g/cpu.shares"; echo "$period" > "$g/cpu.cfs_period_us"; done
echo "$period" > "$one/cpu.cfs_quota_us"
echo "$quota" > "$capped/cpu.cfs_quota_us"
run() { # label, cgroup, window ms, windows
  printf '%s ' "$1"
  sh -c 'g=$1; shift; echo $$ > "$g/cgroup.procs"; exec java -cp "$@"' sh "$2" "$cp" io.dilemma.prober.bench.BenchMatMul "$3" "$4"
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; quota $quota us per $period us"
i=1
while [ "$i" -le "$rounds" ]; do
  for setting in "1000 3" "0 5"; do
    set -- $setting
    run "round $i unthrottled" "$free" "$1" "$2"
    run "round $i one core   " "$one" "$1" "$2"
    run "round $i quota      " "$capped" "$1" "$2"
  done
  i=$((i + 1))
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
