#!/usr/bin/env bash
# A single-node Slurm cluster on localhost for the Slurm launcher's round-trip test and for trying
# sweeps without a cluster. Usage:
#   scripts/slurm_local.sh start [STATE_DIR]   # installs slurmctld/slurmd/munge if missing, starts them,
#                                              # prints `export SLURM_CONF=...` for sbatch/squeue
#   scripts/slurm_local.sh stop  [STATE_DIR]   # stops every daemon start started (munged only if it
#                                              # was not running before), waiting until they are gone
# Exits non-zero (with the reason on stderr) when the daemons cannot be started here.
set -euo pipefail
action="${1:-start}"
state="${2:-/tmp/wei-slurm}"
conf="$state/slurm.conf"

# Job steps of this cluster: slurmstepd processes working in $state. They outlive a killed slurmd,
# so they are stopped with the daemons.
job_steps() {
  local pid cwd
  for pid in $(pgrep slurmstepd || true); do
    cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null || true)"
    case "$cwd" in "$state" | "$state/"* | "$state (deleted)" | "$state/"*" (deleted)") echo "$pid" ;; esac
  done
}

# srun clients of this cluster (SLURM_CONF names its slurm.conf): a batch script's `exec srun`
# waits for its step forever once the daemons are gone, so they are stopped with them.
srun_clients() {
  local pid
  for pid in $(pgrep -x srun || true); do
    tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "SLURM_CONF=$conf" && echo "$pid"
  done
  return 0
}
# Stops the daemons whose pid files start left in $state, their job steps and srun clients:
# SIGTERM, then SIGKILL after 10 s.
stop_daemons() {
  local pids=() pidfile
  for pidfile in "$state/slurmd.pid" "$state/slurmctld.pid" "$state/munged.pid"; do
    [ -f "$pidfile" ] && mapfile -t -O "${#pids[@]}" pids < "$pidfile"
  done
  mapfile -t -O "${#pids[@]}" pids < <(job_steps)
  mapfile -t -O "${#pids[@]}" pids < <(srun_clients)
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 1 100); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -f "$state/slurmd.pid" "$state/slurmctld.pid" "$state/munged.pid"
}

if [ "$action" = stop ]; then
  stop_daemons
  exit 0
fi

source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
wei_install_packages slurmctld slurmd slurm-client munge

mkdir -p "$state/ctld" "$state/d"
# Daemons left by an earlier start on this state directory go first (before munged is started:
# its pid file is in $state too).
stop_daemons
# munge authenticates Slurm's messages; one key and one daemon for the machine.
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
fi
chown munge:munge /etc/munge/munge.key 2>/dev/null || true
chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
if ! munge -n >/dev/null 2>&1; then
  runuser -u munge -- /usr/sbin/munged 2>/dev/null || /usr/sbin/munged --force
  # Started here, so stopped by `stop` (a munged that was already running is left alone). Its own
  # pid file names the daemon exactly; `pgrep` could also catch the parent before it exits.
  cp /run/munge/munged.pid "$state/munged.pid"
  sleep 1
fi
munge -n | unmunge >/dev/null || { echo "slurm_local: munge does not work here" >&2; exit 1; }

host="$(hostname -s)"
# Ports derived from the state directory, so a test's cluster never collides with another one.
port=$(( 20000 + $(printf '%s' "$state" | cksum | cut -d' ' -f1) % 20000 ))
cpus="$(nproc)"
cat > "$conf" <<CONF
ClusterName=weilocal
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
SlurmctldPort=$port
SlurmdPort=$((port + 1))
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$conf"
slurmctld -f "$conf" || { echo "slurm_local: slurmctld failed to start (see $state/slurmctld.log)" >&2; exit 1; }
slurmd -f "$conf" || { echo "slurm_local: slurmd failed to start (see $state/slurmd.log)" >&2; exit 1; }
for _ in $(seq 1 30); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "export SLURM_CONF=$conf"
    exit 0
  fi
  sleep 1
done
echo "slurm_local: the node never became idle (sinfo: $(sinfo -h 2>&1 | head -1))" >&2
exit 1
