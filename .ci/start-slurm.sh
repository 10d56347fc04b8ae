#!/usr/bin/env bash
# Start a one-machine SLURM cluster (munged, slurmctld, slurmd on localhost) for `npm run test:slurm`.
# Debian's slurm-wlm and munge, run as root: a munge key owned by `munge`, munged started as user munge, and a
# minimal slurm.conf with this host as both controller and only node (all its CPUs, one default partition).
# Idempotent: does nothing when `sinfo` already answers. Logs: /var/log/slurm/slurm{ctld,d}.log, /var/log/munge/.
set -euo pipefail

if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq slurm-wlm munge >/dev/null
fi

if sinfo -h >/dev/null 2>&1 && [ "$(sinfo -h -o %T | head -1)" = "idle" ]; then
  echo "start-slurm: SLURM already running"; exit 0
fi

host=$(hostname)
cpus=$(nproc)

# munge: key, folders owned by munge, daemon as user munge.
install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
install -d -o munge -g munge -m 0755 /run/munge
if [ ! -s /etc/munge/munge.key ]; then
  if command -v mungekey >/dev/null 2>&1; then mungekey --create --keyfile=/etc/munge/munge.key
  else dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none; fi
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
if ! pgrep -u munge munged >/dev/null 2>&1; then
  if command -v runuser >/dev/null 2>&1; then runuser -u munge -- /usr/sbin/munged
  else su -s /bin/sh munge -c /usr/sbin/munged; fi
fi
munge -n | unmunge >/dev/null

# slurm: spool and state folders, a minimal configuration.
install -d -m 0755 /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/slurm /etc/slurm
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=spruce-ci
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
SchedulerType=sched/backfill
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurm/slurmctld.pid
SlurmdPidFile=/run/slurm/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} State=UNKNOWN
PartitionName=main Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF

pgrep -x slurmctld >/dev/null 2>&1 || slurmctld
pgrep -x slurmd >/dev/null 2>&1 || slurmd

# Wait until the node is idle (at most 60 s).
for _ in $(seq 1 60); do
  state=$(sinfo -h -o %T 2>/dev/null | head -1 || true)
  if [ "$state" = "idle" ] || [ "$state" = "mixed" ]; then echo "start-slurm: node ${host} ${state}, ${cpus} CPUs"; exit 0; fi
  sleep 1
done
echo "start-slurm: the node did not become idle; last state: ${state:-none}" >&2
tail -n 30 /var/log/slurm/slurmctld.log /var/log/slurm/slurmd.log >&2 || true
exit 1
