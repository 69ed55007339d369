#!/usr/bin/env bash
# A real single-node Slurm on this Debian machine, for the cluster integration test and for trying
# `wavediff cluster submit … --slurm` locally. Run as root.
#   bash scripts/slurm-local.sh start    install what is missing, configure, start, wait until the node is idle
#   bash scripts/slurm-local.sh stop     stop the daemons by their pid files
#   bash scripts/slurm-local.sh status   print whether the controller answers and the node's state
# PID 1 is often not systemd here (containers), so the daemons are started by hand, and a Docker-style
# /usr/sbin/policy-rc.d may stop the packages from starting their services when installed (harmless).
# No accounting database: `sacct` does not work; the studio follows jobs with squeue/scontrol.
set -euo pipefail

packages=(slurmctld slurmd slurm-client munge)
conf_dir=/etc/slurm
conf="$conf_dir/slurm.conf"
state_dir=/var/lib/slurm-local
run_dir=/run/slurm-local
ctld_pid="$run_dir/slurmctld.pid"
slurmd_pid="$run_dir/slurmd.pid"
munge_pid=/run/munge/munged.pid
log_dir=/var/log/slurm-local

say() { echo "slurm-local: $*" >&2; }
die() { say "$*"; exit 1; }
have_deb() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
now_ms() { date +%s%3N; }

install_missing() {
  local missing=()
  for pkg in "${packages[@]}"; do have_deb "$pkg" || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install ${missing[*]} yourself"
  [ "$(id -u)" = 0 ] || die "installing ${missing[*]} needs root: run this script as root"
  local t0; t0=$(now_ms)
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d may refuse the packages' service starts ("invoke-rc.d: policy-rc.d denied execution"): harmless.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  say "installed in $(( ($(now_ms) - t0) / 1000 )) s"
}

start_munge() {
  if pid_alive "$munge_pid"; then return 0; fi
  mkdir -p /run/munge /var/log/munge /var/lib/munge /etc/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  chmod 0755 /run/munge
  if [ ! -s /etc/munge/munge.key ]; then
    if command -v mungekey >/dev/null 2>&1; then mungekey --create --keyfile /etc/munge/munge.key
    else dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; fi
  fi
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
  runuser -u munge -- /usr/sbin/munged
  for _ in $(seq 50); do pid_alive "$munge_pid" && return 0; sleep 0.1; done
  die "munged did not start (see /var/log/munge/munged.log)"
}

write_conf() {
  mkdir -p "$conf_dir" "$state_dir/ctld" "$state_dir/d" "$run_dir" "$log_dir"
  # `slurmd -C` prints the node's hardware as a NodeName line, then an UpTime line.
  local hardware
  hardware=$(slurmd -C | head -n 1 | sed -E 's/^NodeName=[^ ]+ //')
  cat >"$conf" <<EOF
# Written by scripts/slurm-local.sh: a single-node Slurm for tests.
ClusterName=local
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MailProg=/bin/true
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=$state_dir/ctld
SlurmdSpoolDir=$state_dir/d
SlurmctldPidFile=$ctld_pid
SlurmdPidFile=$slurmd_pid
SlurmctldLogFile=$log_dir/slurmctld.log
SlurmdLogFile=$log_dir/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
NodeName=localhost $hardware State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
}

node_state() { sinfo -h -n localhost -o '%T' 2>/dev/null | head -n 1; }

start() {
  local t0; t0=$(now_ms)
  install_missing
  local t1; t1=$(now_ms)
  start_munge
  if pid_alive "$ctld_pid" && pid_alive "$slurmd_pid"; then
    say "already running (node $(node_state))"
    return 0
  fi
  write_conf
  pid_alive "$ctld_pid" || /usr/sbin/slurmctld
  pid_alive "$slurmd_pid" || /usr/sbin/slurmd -N localhost
  local state=''
  for _ in $(seq 300); do
    state=$(node_state)
    case "$state" in idle | mixed | allocated) break ;; esac
    sleep 0.1
  done
  case "$state" in
    idle | mixed | allocated) ;;
    *) die "the node did not become idle (state '${state:-none}'); see $log_dir/slurmctld.log and $log_dir/slurmd.log" ;;
  esac
  say "node localhost $state: started in $(( ($(now_ms) - t1) / 1000 )) s (total with install $(( ($(now_ms) - t0) / 1000 )) s)"
}

stop_by_pid_file() {
  local name=$1 file=$2
  pid_alive "$file" || return 0
  local pid; pid=$(cat "$file")
  kill "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  say "$name (pid $pid) did not stop within 10 s"
  return 1
}

stop() {
  stop_by_pid_file slurmd "$slurmd_pid"
  stop_by_pid_file slurmctld "$ctld_pid"
  stop_by_pid_file munged "$munge_pid"
  say "stopped"
}

status() {
  if pid_alive "$ctld_pid" && pid_alive "$slurmd_pid"; then
    echo "running: node localhost $(node_state)"
  else
    echo "not running"
    return 3
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: bash scripts/slurm-local.sh start|stop|status" >&2; exit 2 ;;
esac
