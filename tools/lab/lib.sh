# shellcheck shell=bash
# stagewatch real-traffic lab: network namespaces, Samba, OpenSSH, tcpdump.
#
# Source this file from a bash script that runs `set -euo pipefail`, then call
# lab_init. Everything the lab starts lives in namespaces and a temp dir that
# lab_init creates; lab_cleanup (installed as an EXIT/INT/TERM trap) ends every
# process by PID, deletes the namespaces and removes the temp dir.
#
# Network: one "switch" namespace holding a Linux bridge, one namespace per
# host, each joined to the bridge by a veth pair. Addresses come from
# LAB_NET (10.74.0.0/24 by default) and exist only inside those namespaces.
# No interface, route or firewall rule of the root namespace is touched.
#
# Naming: LAB_ID is unique per run (derived from $$ plus random bits), and every
# namespace and interface name starts with it, so parallel runs never collide:
#   namespaces   <id>-sw, <id>-<host>
#   interfaces   <id>b (bridge), <id>s<n> (switch port), <id>h<n> (host side)

if [[ -n "${LAB_LIB_LOADED:-}" ]]; then
    return 0
fi
LAB_LIB_LOADED=1

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB_NET_PREFIX="${LAB_NET_PREFIX:-10.74.0}"   # hosts get ${LAB_NET_PREFIX}.<n>/24
LAB_SMB_USER="${LAB_SMB_USER:-stagelab}"      # Unix + Samba account used by smbd
LAB_SMB_PASS="${LAB_SMB_PASS:-Lab-Passw0rd-7}"
LAB_SMB_DOMAIN="${LAB_SMB_DOMAIN:-LAB}"
LAB_SSH_USER="root"                           # sshd login user (see README)
LAB_CMD_TIMEOUT="${LAB_CMD_TIMEOUT:-60}"      # default bound for one client command
LAB_RATE="${LAB_RATE:-400mbit}"               # per-host send rate (tc tbf); 0 = unshaped

LAB_ID=""
LAB_TMP=""
LAB_SW_NS=""
LAB_BRIDGE=""
LAB_KEEP="${LAB_KEEP:-0}"          # 1: keep the temp dir after exit (debugging)
LAB_NETNS=()                       # namespaces we created, in creation order
LAB_PIDS=()                        # process-group leaders we started
LAB_CAP_PID=""                     # tcpdump
LAB_CAP_FILE=""
LAB_CAP_ERR=""
LAB_HOSTS=()                       # host names in creation order
declare -gA LAB_HOST_NS=()
declare -gA LAB_HOST_IP=()
declare -gA LAB_SMBD_PID=()
declare -gA LAB_SMBD_DIR=()
declare -gA LAB_SSHD_PID=()
declare -gA LAB_SSHD_DIR=()
LAB_CLEANED=0
LAB_CPU="${LAB_CPU:-}"             # CPU the run is pinned to (see lab__pin_cpu)
LAB_ALL_CPUS=""

# ----------------------------------------------------------------------------
# messages

lab_log() {
    printf '[lab %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

lab_die() {
    printf '[lab] FATAL: %s\n' "$*" >&2
    exit 1
}

lab__on_err() {
    local rc=$1 line=$2 cmd=$3
    printf '[lab] FAILED (exit %s) at %s line %s: %s\n' "$rc" "${BASH_SOURCE[1]:-?}" "$line" "$cmd" >&2
}

# ----------------------------------------------------------------------------
# dependencies

# lab_require: make sure every tool the lab uses exists; apt-get what is missing.
lab_require() {
    local -A pkg_of=(
        [ip]=iproute2 [ss]=iproute2 [ethtool]=ethtool [tcpdump]=tcpdump
        [tshark]=tshark [smbd]=samba [pdbedit]=samba-common-bin
        [smbclient]=smbclient [sshd]=openssh-server [ssh]=openssh-client
        [scp]=openssh-client [sftp]=openssh-client [ssh-keygen]=openssh-client
        [python3]=python3 [timeout]=coreutils [setsid]=util-linux
        [flock]=util-linux [taskset]=util-linux [setpriv]=util-linux [useradd]=passwd
    )
    local missing=() cmd
    for cmd in "${!pkg_of[@]}"; do
        if ! command -v "$cmd" >/dev/null 2>&1 && [[ ! -x "/usr/sbin/$cmd" ]]; then
            missing+=("${pkg_of[$cmd]}")
        fi
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    [[ $EUID -eq 0 ]] || lab_die "missing packages (${missing[*]}) and not root"
    lab_log "installing: ${missing[*]}"
    # Serialise parallel runs; apt's own lock would make the loser fail.
    (
        flock -w 600 9 || exit 1
        export DEBIAN_FRONTEND=noninteractive
        if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
            apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"
        fi
    ) 9>/run/stagewatch-lab-apt.lock || lab_die "apt-get install ${missing[*]} failed"
}

# ----------------------------------------------------------------------------
# lifecycle

# lab_init: check privileges, create temp dir, switch namespace, bridge, traps.
lab_init() {
    [[ $EUID -eq 0 ]] || lab_die "the lab needs root (network namespaces, smbd, sshd)"
    set -E
    trap 'lab__on_err $? $LINENO "$BASH_COMMAND"' ERR
    trap lab_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    lab_require
    PATH="$PATH:/usr/sbin:/sbin"
    lab__pin_cpu

    local try
    for try in 1 2 3 4 5 6 7 8; do
        LAB_ID=$(printf 'sw%04x%02x' $(($$ & 0xffff)) $((RANDOM & 0xff)))
        [[ -e "/run/netns/${LAB_ID}-sw" ]] || break
        [[ $try -lt 8 ]] || lab_die "cannot find a free lab id"
    done
    LAB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/stagewatch-lab.${LAB_ID}.XXXXXX")
    # smbd serves shares as the lab user, which must be able to traverse here.
    chmod 0755 "$LAB_TMP"

    if ! ip netns add "${LAB_ID}-sw" 2>"$LAB_TMP/netns.err"; then
        lab_die "cannot create a network namespace ($(cat "$LAB_TMP/netns.err")); the lab needs CAP_SYS_ADMIN and netns support"
    fi
    LAB_NETNS+=("${LAB_ID}-sw")
    LAB_SW_NS="${LAB_ID}-sw"
    LAB_BRIDGE="${LAB_ID}b"
    lab__ns_quiet "$LAB_SW_NS"
    ip -n "$LAB_SW_NS" link add "$LAB_BRIDGE" type bridge stp_state 0 forward_delay 0 mcast_snooping 0
    ip netns exec "$LAB_SW_NS" ethtool -K "$LAB_BRIDGE" tso off gso off gro off tx off >/dev/null
    ip -n "$LAB_SW_NS" link set "$LAB_BRIDGE" up
    lab_log "lab $LAB_ID up (temp $LAB_TMP, cpu $LAB_CPU)"
}

# lab__pin_cpu: run this script and everything it starts on one CPU.
# veth hands each packet to the backlog of the CPU that sends it; when the
# sender's segments are sent from two CPUs (the task moved, or an ACK
# processed on the other CPU released more data), the bridge forwards them out
# of order and TCP answers with spurious fast retransmits. One CPU per run
# gives in-order captures like a real switch port. LAB_CPU picks the CPU;
# by default it is derived from the PID so parallel runs spread out.
lab__pin_cpu() {
    local cpus cpu fd
    mapfile -t cpus < <(python3 -c 'import os; print(*sorted(os.sched_getaffinity(0)), sep="\n")')
    LAB_ALL_CPUS=$(IFS=,; printf '%s' "${cpus[*]}")
    if [[ -z $LAB_CPU ]]; then
        # Take a free CPU slot (a lock held until this run exits) so parallel
        # runs land on different CPUs; if all are taken, share one.
        for cpu in "${cpus[@]}"; do
            exec {fd}>"/run/stagewatch-lab.cpu$cpu.lock"
            if flock -n "$fd"; then
                LAB_CPU=$cpu
                break
            fi
            exec {fd}>&-
        done
        LAB_CPU=${LAB_CPU:-${cpus[$(($$ % ${#cpus[@]}))]}}
    fi
    taskset -cp "$LAB_CPU" $$ >/dev/null || lab_die "cannot pin the lab to CPU $LAB_CPU"
}

# lab__ns_quiet NS: no IPv6 (no router solicitations / MLD noise in captures).
lab__ns_quiet() {
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 >/dev/null
    ip -n "$1" link set lo up
}

# lab_add_host NAME [IP]: a host namespace joined to the bridge.
lab_add_host() {
    local name=$1 ip=${2:-}
    local idx=${#LAB_HOSTS[@]}
    [[ $name =~ ^[a-z][a-z0-9-]{0,20}$ ]] || lab_die "bad host name '$name'"
    [[ -z "${LAB_HOST_NS[$name]:-}" ]] || lab_die "host $name exists"
    if [[ -z $ip ]]; then
        ip="${LAB_NET_PREFIX}.$((11 + idx))"
    fi
    local ns="${LAB_ID}-${name}" sport="${LAB_ID}s${idx}" hport="${LAB_ID}h${idx}"
    ip netns add "$ns"
    LAB_NETNS+=("$ns")
    lab__ns_quiet "$ns"
    ip -n "$LAB_SW_NS" link add "$sport" type veth peer name "$hport" netns "$ns"
    ip -n "$LAB_SW_NS" link set "$sport" master "$LAB_BRIDGE"
    # Offloads off on both ends: segments on the wire are MTU-sized and carry
    # real checksums, as a SPAN port would show them.
    ip netns exec "$LAB_SW_NS" ethtool -K "$sport" tso off gso off gro off tx off >/dev/null
    ip netns exec "$ns" ethtool -K "$hport" tso off gso off gro off tx off >/dev/null
    ip -n "$LAB_SW_NS" link set "$sport" up
    ip -n "$ns" addr add "${ip}/24" dev "$hport"
    ip -n "$ns" link set "$hport" up
    # Shape each host's sending so that tcpdump keeps up on a busy 2-core CI
    # machine: an unshaped veth moves several Gbit/s and tcpdump then drops
    # packets under load. A token bucket with a deep queue: TCP's own
    # backpressure (TSQ) keeps the queue from overflowing.
    if [[ -n ${LAB_RATE:-} && ${LAB_RATE} != 0 ]]; then
        tc -n "$ns" qdisc replace dev "$hport" root tbf rate "$LAB_RATE" burst 256kb limit 32mb 2>/dev/null \
            || lab_log "warning: cannot shape $hport to $LAB_RATE (no tbf qdisc); running unshaped"
    fi
    LAB_HOSTS+=("$name")
    LAB_HOST_NS[$name]=$ns
    LAB_HOST_IP[$name]=$ip
}

lab_ip() {
    [[ -n "${LAB_HOST_IP[$1]:-}" ]] || lab_die "unknown host '$1'"
    printf '%s\n' "${LAB_HOST_IP[$1]}"
}

# lab_exec HOST SECONDS CMD...: run CMD inside HOST's namespace, bounded.
lab_exec() {
    local host=$1 secs=$2
    shift 2
    local ns=${LAB_HOST_NS[$host]:-}
    [[ -n $ns ]] || lab_die "unknown host '$host'"
    timeout --kill-after=5 "$secs" ip netns exec "$ns" "$@"
}

# lab_spawn HOST LOG CMD...: start a long-running CMD in HOST's namespace in its
# own process group (setsid), remember its PID; result in LAB_LAST_PID.
lab_spawn() {
    local host=$1 log=$2
    shift 2
    local ns
    if [[ $host == "@switch" ]]; then
        ns=$LAB_SW_NS
    else
        ns=${LAB_HOST_NS[$host]:-}
    fi
    [[ -n $ns ]] || lab_die "unknown host '$host'"
    # Not a group leader (no job control), so setsid execs in place: $! is the
    # daemon itself and also its process-group id.
    setsid ip netns exec "$ns" "$@" </dev/null >"$log" 2>&1 &
    LAB_LAST_PID=$!
    LAB_PIDS+=("$LAB_LAST_PID")
}

# lab_stop_pid PID [GRACE_TENTHS]: TERM the process group, wait bounded, KILL.
lab_stop_pid() {
    local pid=$1 grace=${2:-50} i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < grace; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        lab_log "pid $pid ignored TERM; killing"
        kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    # The group may outlive its leader (smbd/sshd children): end it too.
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# lab_wait_port HOST PORT [SECONDS]: bounded wait for a TCP listener.
lab_wait_port() {
    local host=$1 port=$2 secs=${3:-20} i
    for ((i = 0; i < secs * 10; i++)); do
        if [[ -n $(ip netns exec "${LAB_HOST_NS[$host]}" ss -Htln "sport = :$port") ]]; then
            return 0
        fi
        sleep 0.1
    done
    lab_die "nothing listens on $host:$port after ${secs}s"
}

lab_cleanup() {
    local rc=$?
    ((LAB_CLEANED == 0)) || return 0
    LAB_CLEANED=1
    trap - ERR
    set +e
    if [[ -n $LAB_CAP_PID ]]; then
        kill -INT "$LAB_CAP_PID" 2>/dev/null
        lab_stop_pid "$LAB_CAP_PID" 30
    fi
    local pid ns
    for pid in "${LAB_PIDS[@]}"; do
        lab_stop_pid "$pid" 30
    done
    # Anything still inside our namespaces was started by us (a daemon's
    # child that left its group): end it by PID before deleting the namespace.
    for ns in "${LAB_NETNS[@]}"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            kill -KILL "$pid" 2>/dev/null
        done
    done
    for ns in "${LAB_NETNS[@]}"; do
        ip netns del "$ns" 2>/dev/null || lab_log "could not delete netns $ns"
    done
    if [[ -n $LAB_TMP && -d $LAB_TMP ]]; then
        if [[ $LAB_KEEP == 1 ]]; then
            lab_log "kept temp dir $LAB_TMP"
        else
            rm -rf --one-file-system "$LAB_TMP"
        fi
    fi
    if ((rc != 0)); then
        printf '[lab] run %s FAILED with exit %s\n' "${LAB_ID:-?}" "$rc" >&2
    fi
    return "$rc"
}

# ----------------------------------------------------------------------------
# capture

# lab_capture_start FILE: tcpdump on the bridge, full snaplen, packet-buffered.
lab_capture_start() {
    LAB_CAP_FILE=$1
    LAB_CAP_ERR="$LAB_TMP/tcpdump.err"
    mkdir -p "$(dirname "$LAB_CAP_FILE")"
    # Write to stdout and let the shell redirect it: tcpdump's privilege drop
    # and any AppArmor profile then cannot stop it from writing the file.
    # tcpdump itself may use every CPU: only the packet path is pinned.
    setsid taskset -c "$LAB_ALL_CPUS" ip netns exec "$LAB_SW_NS" tcpdump -i "$LAB_BRIDGE" -n -s 0 -B 65536 --immediate-mode -U -w - \
        </dev/null >"$LAB_CAP_FILE" 2>"$LAB_CAP_ERR" &
    LAB_CAP_PID=$!
    local i
    for ((i = 0; i < 100; i++)); do
        grep -q 'listening on' "$LAB_CAP_ERR" 2>/dev/null && return 0
        kill -0 "$LAB_CAP_PID" 2>/dev/null || break
        sleep 0.1
    done
    cat "$LAB_CAP_ERR" >&2
    lab_die "tcpdump did not start on $LAB_BRIDGE"
}

# lab_capture_stop: SIGINT tcpdump, wait for it to flush and exit (bounded),
# fail if the kernel dropped any packet.
lab_capture_stop() {
    [[ -n $LAB_CAP_PID ]] || lab_die "no capture running"
    sleep 0.3   # let the last FIN/ACKs cross the bridge
    kill -INT "$LAB_CAP_PID" 2>/dev/null || true
    local i
    for ((i = 0; i < 300; i++)); do
        kill -0 "$LAB_CAP_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$LAB_CAP_PID" 2>/dev/null; then
        kill -KILL "$LAB_CAP_PID" 2>/dev/null || true
        wait "$LAB_CAP_PID" 2>/dev/null || true
        LAB_CAP_PID=""
        lab_die "tcpdump did not exit within 30s of SIGINT; capture is unusable"
    fi
    wait "$LAB_CAP_PID" 2>/dev/null || true
    LAB_CAP_PID=""
    local dropped
    dropped=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' "$LAB_CAP_ERR")
    [[ -n $dropped ]] || { cat "$LAB_CAP_ERR" >&2; lab_die "tcpdump printed no statistics"; }
    ((dropped == 0)) || lab_die "tcpdump dropped $dropped packets; capture is incomplete"
    # tcpdump on the bridge stamps packets on whichever CPU receives them, so
    # two hosts' packets can be written a few microseconds out of time order.
    # stagewatch counts a flow's in-progress bytes at the first packet past an
    # interval boundary (docs/detection.md#time), so such an inversion across
    # a boundary moves one segment into the next interval, differently for
    # each sensor view of the fleet tests. The tests compare against tshark's
    # per-timestamp truth and across views: they need one canonical order.
    # -n: nothing is written (no copy of a 1 GB capture) when already in order.
    local order
    rm -f "$LAB_CAP_FILE.sorted"
    order=$(reordercap -n "$LAB_CAP_FILE" "$LAB_CAP_FILE.sorted" 2>&1) || lab_die "reordercap failed: $order"
    if [[ $order == *"already in order"* ]]; then
        rm -f "$LAB_CAP_FILE.sorted"
    else
        mv "$LAB_CAP_FILE.sorted" "$LAB_CAP_FILE"
        lab_log "capture: sorted by time (${order//$'\n'/; })"
    fi
    lab_log "capture: $(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' "$LAB_CAP_ERR") packets, $(stat -c %s "$LAB_CAP_FILE") bytes -> $LAB_CAP_FILE"
}

# ----------------------------------------------------------------------------
# Samba

# lab__ensure_smb_user: the Unix account smbd maps the lab user (and guests) to.
# Samba's passdb needs a Unix uid behind every account; a dedicated system
# user keeps root out of the file shares. Idempotent and safe in parallel.
lab__ensure_smb_user() {
    getent passwd "$LAB_SMB_USER" >/dev/null && return 0
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin --comment "stagewatch lab" "$LAB_SMB_USER" 2>/dev/null || true
    getent passwd "$LAB_SMB_USER" >/dev/null || lab_die "cannot create Unix user $LAB_SMB_USER"
}

# lab_smbd_start HOST: smbd in HOST with shares data, stage$, public, secure.
# Share directories: $(lab_smb_share_dir HOST SHARE).
lab_smbd_start() {
    local host=$1
    local d="$LAB_TMP/smbd-$host" ip
    ip=$(lab_ip "$host")
    lab__ensure_smb_user
    mkdir -p "$d"/{private,lock,state,cache,pid,log,ncalrpc,bind-dns}
    mkdir -p "$d"/shares/{data,stage,public,secure,home,c,admin}
    chmod 0700 "$d/private"
    chmod 0755 "$d" "$d/shares"
    chown "$LAB_SMB_USER:" "$d"/shares/{data,stage,public,secure,home,c,admin}
    # smbd serves files as the lab user: every directory above the shares must
    # be traversable by it (a TMPDIR under /root would not be).
    setpriv --reuid="$LAB_SMB_USER" --regid="$LAB_SMB_USER" --clear-groups \
        test -w "$d/shares/data" ||
        lab_die "user $LAB_SMB_USER cannot reach $d/shares; set TMPDIR to a world-traversable directory"
    local nb
    nb=$(printf '%s' "$host" | tr 'a-z-' 'A-Z_' | cut -c1-15)
    cat >"$d/smb.conf" <<EOF
[global]
    server role = standalone server
    workgroup = $LAB_SMB_DOMAIN
    netbios name = $nb
    server string = stagewatch lab
    security = user
    passdb backend = tdbsam:$d/private/passdb.tdb
    map to guest = Bad User
    guest account = $LAB_SMB_USER
    private dir = $d/private
    lock directory = $d/lock
    state directory = $d/state
    cache directory = $d/cache
    pid directory = $d/pid
    ncalrpc dir = $d/ncalrpc
    binddns dir = $d/bind-dns
    log file = $d/log/log.%m
    max log size = 0
    log level = 1
    interfaces = $ip/24
    bind interfaces only = yes
    smb ports = 445
    disable netbios = yes
    server min protocol = SMB2_02
    server max protocol = SMB3_11
    server multi channel support = no
    load printers = no
    printing = bsd
    printcap name = /dev/null
    disable spoolss = yes
    usershare max shares = 0
    ea support = no
    store dos attributes = no
    kernel oplocks = no
    create mask = 0644
    directory mask = 0755

[data]
    path = $d/shares/data
    read only = no

[stage\$]
    path = $d/shares/stage
    read only = no
    browseable = no

[public]
    path = $d/shares/public
    guest ok = yes
    read only = yes

[secure]
    path = $d/shares/secure
    read only = no
    smb encrypt = required

[home\$]
    path = $d/shares/home
    read only = no
    browseable = no

[C\$]
    path = $d/shares/c
    read only = no
    browseable = no

[ADMIN\$]
    path = $d/shares/admin
    read only = no
    browseable = no
EOF
    printf '%s\n%s\n' "$LAB_SMB_PASS" "$LAB_SMB_PASS" |
        timeout 30 pdbedit -s "$d/smb.conf" -a -t -u "$LAB_SMB_USER" >"$d/pdbedit.log" 2>&1 ||
        { cat "$d/pdbedit.log" >&2; lab_die "pdbedit could not add $LAB_SMB_USER"; }
    lab_spawn "$host" "$d/smbd.out" smbd --foreground --no-process-group --debug-stdout \
        -s "$d/smb.conf"
    LAB_SMBD_PID[$host]=$LAB_LAST_PID
    LAB_SMBD_DIR[$host]=$d
    lab_wait_port "$host" 445 30
}

# lab_smb_share_dir HOST SHARE: the directory behind a share (data, stage$,
# public, secure, home$, C$, ADMIN$).
lab_smb_share_dir() {
    local d=${LAB_SMBD_DIR[$1]:-}
    [[ -n $d ]] || lab_die "no smbd on $1"
    case $2 in
        'stage$') printf '%s\n' "$d/shares/stage" ;;
        'home$') printf '%s\n' "$d/shares/home" ;;
        'C$') printf '%s\n' "$d/shares/c" ;;
        'ADMIN$') printf '%s\n' "$d/shares/admin" ;;
        data | public | secure) printf '%s\n' "$d/shares/$2" ;;
        *) lab_die "unknown share $2" ;;
    esac
}

lab_smbd_stop() {
    local pid=${LAB_SMBD_PID[$1]:-}
    [[ -n $pid ]] || return 0
    lab_stop_pid "$pid"
    unset "LAB_SMBD_PID[$1]"
}

# lab__client_conf: a private smb.conf for smbclient (the system one is not read).
lab__client_conf() {
    local c="$LAB_TMP/smbclient"
    if [[ ! -f $c/smb.conf ]]; then
        mkdir -p "$c"/{lock,state,cache,pid,private,ncalrpc,log}
        cat >"$c/smb.conf" <<EOF
[global]
    workgroup = $LAB_SMB_DOMAIN
    lock directory = $c/lock
    state directory = $c/state
    cache directory = $c/cache
    pid directory = $c/pid
    private dir = $c/private
    ncalrpc dir = $c/ncalrpc
    log file = $c/log/log.%m
    client min protocol = SMB2_02
    client max protocol = SMB3_11
    smb ports = 445
    disable netbios = yes
    name resolve order = host
EOF
        printf 'username = %s\npassword = %s\ndomain = %s\n' \
            "$LAB_SMB_USER" "$LAB_SMB_PASS" "$LAB_SMB_DOMAIN" >"$c/auth"
        chmod 0600 "$c/auth"
    fi
    printf '%s\n' "$c"
}

# lab_smbclient HOST SERVER SHARE COMMANDS [SMBCLIENT OPTIONS...]
# Runs smbclient in HOST against //SERVER-IP/SHARE as the lab user, commands
# separated by ';'. Extra options go to smbclient (e.g. -m SMB2_10,
# --client-protection=encrypt); with -N (no password) the session logs in as
# "guest" unless -U names another user. Output is logged.
lab_smbclient() {
    local host=$1 server=$2 share=$3 cmds=$4
    shift 4
    local c sip nb
    c=$(lab__client_conf)
    sip=$(lab_ip "$server")
    nb=$(printf '%s' "$host" | tr 'a-z-' 'A-Z_' | cut -c1-15)
    local auth=(-A "$c/auth") a
    for a in "$@"; do
        case $a in
            -N) auth=(-U guest) ;;
        esac
    done
    for a in "$@"; do
        case $a in
            -U* | --user=*) auth=() ;;
        esac
    done
    LAB_SMBCLIENT_RUNS=$((${LAB_SMBCLIENT_RUNS:-0} + 1))
    local log
    log=$(printf '%s/smbclient.%03d.%s.log' "$LAB_TMP" "$LAB_SMBCLIENT_RUNS" "$host")
    printf '=== %s -> //%s/%s: %s\n' "$host" "$sip" "$share" "$cmds" >"$log"
    if ! lab_exec "$host" "$LAB_CMD_TIMEOUT" smbclient -s "$c/smb.conf" -n "$nb" \
        "${auth[@]}" "$@" "//$sip/$share" -c "$cmds" >>"$log" 2>&1; then
        tail -n 20 "$log" >&2
        lab_die "smbclient on $host against //$sip/$share failed: $cmds"
    fi
    # smbclient -c carries on after a failed command; its errors name an NT_STATUS.
    if grep -E 'NT_STATUS_|^Error |^Failed ' "$log" >&2; then
        lab_die "smbclient on $host reported an error for: $cmds"
    fi
}

# ----------------------------------------------------------------------------
# OpenSSH

# lab__ssh_client_setup: the lab client key and a private ssh_config.
lab__ssh_client_setup() {
    local c="$LAB_TMP/ssh-client"
    if [[ ! -f $c/config ]]; then
        mkdir -p "$c"
        chmod 0700 "$c"
        ssh-keygen -q -t ed25519 -N '' -C "stagewatch-lab" -f "$c/id_ed25519"
        : >"$c/known_hosts"
        cat >"$c/config" <<EOF
Host *
    User $LAB_SSH_USER
    IdentityFile $c/id_ed25519
    IdentitiesOnly yes
    UserKnownHostsFile $c/known_hosts
    GlobalKnownHostsFile /dev/null
    StrictHostKeyChecking yes
    UpdateHostKeys no
    BatchMode yes
    ConnectTimeout 15
    ControlMaster no
    ControlPath none
    LogLevel ERROR
EOF
        cat >"$c/askpass-wrong" <<'EOF'
#!/bin/sh
# Prints a password that is certainly wrong, for the failed-auth case.
echo 'not-the-password-Zq81'
EOF
        chmod 0755 "$c/askpass-wrong"
    fi
    printf '%s\n' "$c"
}

# lab_sshd_start HOST: sshd -D with its own config, host key and the lab key
# authorised for root. Files under $(lab_sshd_dir HOST).
lab_sshd_start() {
    local host=$1 c ip
    c=$(lab__ssh_client_setup)
    ip=$(lab_ip "$host")
    local d="$LAB_TMP/sshd-$host"
    mkdir -p "$d/incoming" "$d/outgoing"
    ssh-keygen -q -t ed25519 -N '' -C "lab-$host" -f "$d/ssh_host_ed25519_key"
    cp "$c/id_ed25519.pub" "$d/authorized_keys"
    printf '%s %s\n' "$ip" "$(cut -d' ' -f1,2 "$d/ssh_host_ed25519_key.pub")" >>"$c/known_hosts"
    : >"$d/empty"
    cat >"$d/sshd_config" <<EOF
Port 22
ListenAddress $ip
AddressFamily inet
HostKey $d/ssh_host_ed25519_key
PidFile none
AuthorizedKeysFile $d/authorized_keys
# Keys and config live in a temp dir, not ~root/.ssh: skip the ownership checks.
StrictModes no
UsePAM no
PermitRootLogin yes
PubkeyAuthentication yes
PasswordAuthentication yes
KbdInteractiveAuthentication no
MaxAuthTries 3
LoginGraceTime 30
PrintMotd no
PrintLastLog no
UseDNS no
AcceptEnv none
Subsystem sftp internal-sftp
LogLevel VERBOSE
EOF
    # sshd needs its privilege-separation directory (Debian normally creates it
    # at boot via tmpfiles; containers often lack it).
    mkdir -p /run/sshd
    chmod 0755 /run/sshd
    # sshd records logins in utmp/wtmp/btmp/lastlog. ip netns exec gives the
    # daemon its own mount namespace, so bind empty lab files over those to keep
    # lab logins out of the machine's records.
    local binds=() f
    for f in /var/run/utmp /var/log/wtmp /var/log/btmp /var/log/lastlog; do
        if [[ -f $f ]]; then
            : >"$d/$(basename "$f")"
            # sshd refuses a btmp with other owner or mode than the real one.
            chown --reference="$f" "$d/$(basename "$f")"
            chmod --reference="$f" "$d/$(basename "$f")"
            binds+=("$d/$(basename "$f")" "$f")
        fi
    done
    # shellcheck disable=SC2016  # the inner script expands its own arguments
    lab_spawn "$host" "$d/sshd.log" bash -c '
        set -e
        while (($# > 1)) && [[ $1 != -- ]]; do
            mount --bind "$1" "$2"; shift 2
        done
        shift
        exec "$@"' lab-sshd "${binds[@]}" -- "$(command -v sshd)" -D -e -f "$d/sshd_config"
    LAB_SSHD_PID[$host]=$LAB_LAST_PID
    LAB_SSHD_DIR[$host]=$d
    lab_wait_port "$host" 22 20
}

lab_sshd_dir() {
    local d=${LAB_SSHD_DIR[$1]:-}
    [[ -n $d ]] || lab_die "no sshd on $1"
    printf '%s\n' "$d"
}

lab_sshd_stop() {
    local pid=${LAB_SSHD_PID[$1]:-}
    [[ -n $pid ]] || return 0
    lab_stop_pid "$pid"
    unset "LAB_SSHD_PID[$1]"
}

# lab_ssh HOST ARGS...: ssh from HOST with the lab config (key auth, batch).
lab_ssh() {
    local host=$1 c
    shift
    c=$(lab__ssh_client_setup)
    lab_exec "$host" "$LAB_CMD_TIMEOUT" ssh -F "$c/config" "$@"
}

# lab_scp HOST ARGS...: scp from HOST (OpenSSH 9 uses the SFTP protocol; pass
# -O for the legacy SCP protocol).
lab_scp() {
    local host=$1 c
    shift
    c=$(lab__ssh_client_setup)
    lab_exec "$host" "$LAB_CMD_TIMEOUT" scp -q -F "$c/config" "$@"
}

# lab_sftp_batch HOST SERVER BATCHFILE: sftp -b from HOST to SERVER.
lab_sftp_batch() {
    local host=$1 server=$2 batch=$3 c
    c=$(lab__ssh_client_setup)
    lab_exec "$host" "$LAB_CMD_TIMEOUT" sftp -q -F "$c/config" -b "$batch" \
        "$LAB_SSH_USER@$(lab_ip "$server")" >/dev/null
}

# lab_ssh_wrong_password HOST SERVER: one password attempt with a wrong
# password, sent over the wire via SSH_ASKPASS. Fails if the login succeeds.
lab_ssh_wrong_password() {
    local host=$1 server=$2 c rc=0
    c=$(lab__ssh_client_setup)
    SSH_ASKPASS="$c/askpass-wrong" SSH_ASKPASS_REQUIRE=force DISPLAY=lab:0 \
        lab_exec "$host" 30 ssh -F "$c/config" -o BatchMode=no \
        -o PreferredAuthentications=password -o PubkeyAuthentication=no \
        -o NumberOfPasswordPrompts=1 "$LAB_SSH_USER@$(lab_ip "$server")" true \
        </dev/null >/dev/null 2>"$LAB_TMP/ssh-wrong-$host.err" || rc=$?
    if ((rc == 0)); then
        lab_die "wrong-password login from $host to $server succeeded"
    fi
    grep -q 'Permission denied' "$LAB_TMP/ssh-wrong-$host.err" ||
        { cat "$LAB_TMP/ssh-wrong-$host.err" >&2; lab_die "wrong-password attempt did not reach authentication"; }
}

# lab_ssh_interactive HOST SERVER CMD...: ssh -tt session; each command is
# typed one key at a time with keystroke-like delays, then `exit`.
lab_ssh_interactive() {
    local host=$1 server=$2
    shift 2
    local c
    c=$(lab__ssh_client_setup)
    lab__type_commands "$@" | lab_exec "$host" 60 ssh -tt -F "$c/config" \
        "$LAB_SSH_USER@$(lab_ip "$server")" >"$LAB_TMP/ssh-tty-$host.log" 2>&1 ||
        { tail -n 20 "$LAB_TMP/ssh-tty-$host.log" >&2; lab_die "interactive ssh from $host failed"; }
}

lab__type_commands() {
    local cmd i
    sleep 1.0   # wait for the prompt
    for cmd in "$@" exit; do
        for ((i = 0; i < ${#cmd}; i++)); do
            printf '%s' "${cmd:i:1}"
            sleep "0.$((10 + (i * 7) % 12))"
        done
        printf '\r'
        sleep 0.6
    done
}

# ----------------------------------------------------------------------------
# deterministic randomness (bash-version independent 64-bit LCG)

LAB_RAND_STATE=0

# lab_rand_seed SEED [SALT]
lab_rand_seed() {
    local s=$1 salt=${2:-} i
    LAB_RAND_STATE=$((s * 2654435761 + 12345))
    for ((i = 0; i < ${#salt}; i++)); do
        LAB_RAND_STATE=$((LAB_RAND_STATE * 31 + $(printf '%d' "'${salt:i:1}")))
    done
    lab_rand 0 1
}

# lab_rand LO HI: uniform integer in [LO, HI] in REPLY.
lab_rand() {
    LAB_RAND_STATE=$((LAB_RAND_STATE * 6364136223846793005 + 1442695040888963407))
    local r=$(((LAB_RAND_STATE >> 33) & 0x7fffffff))
    REPLY=$(($1 + r % ($2 - $1 + 1)))
}

# lab_pick WORD...: one of the words in REPLY.
lab_pick() {
    lab_rand 0 $(($# - 1))
    local args=("$@")
    REPLY=${args[$REPLY]}
}

# ----------------------------------------------------------------------------
# files and truth

# lab_mkfile KIND SIZE SEED PATH [INPUT...]: deterministic test file (see
# mkfile.py); prints its size.
lab_mkfile() {
    mkdir -p "$(dirname "$4")"
    python3 "$LAB_DIR/mkfile.py" --kind "$1" --size "$2" --seed "$3" --out "$4" "${@:5}"
}

# lab_truth SUBCOMMAND ARGS...: edit the truth manifest (see truth.py).
lab_truth() {
    python3 "$LAB_DIR/truth.py" "$1" --manifest "$LAB_TMP/truth.manifest.json" "${@:2}"
}

# lab_verify CAPTURE TRUTH: check the capture against the truth with tshark.
lab_verify() {
    python3 "$LAB_DIR/verify.py" --capture "$1" --truth "$2"
}

# ----------------------------------------------------------------------------
# scenarios
#
# A scenario script calls lab_scenario_begin NAME "$@" (parses --seed N and
# --out DIR, sets up the lab, seeds lab_rand), adds hosts with
# lab_scenario_host, starts services, calls lab_scenario_capture, drives the
# clients while recording truth with lab_t_smb / lab_t_ssh, and ends with
# lab_scenario_end, which stops the capture, writes truth.json, checks the
# capture against it with tshark and copies capture.pcap, truth.json and
# verify.txt to the output directory.

LAB_SCENARIO=""
LAB_SEED=""
LAB_OUT=""
LAB_T0=""
declare -gA LAB_USED_IP=()

lab_scenario_begin() {
    LAB_SCENARIO=$1
    shift
    LAB_SEED=7
    LAB_OUT=""
    while (($#)); do
        case $1 in
            --seed) LAB_SEED=$2; shift 2 ;;
            --out) LAB_OUT=$2; shift 2 ;;
            *) lab_die "usage: $LAB_SCENARIO [--seed N] [--out DIR]" ;;
        esac
    done
    [[ $LAB_SEED =~ ^[0-9]+$ ]] || lab_die "--seed must be a non-negative integer"
    [[ -n $LAB_OUT ]] || LAB_OUT="$LAB_DIR/../../lab-out/scenarios/$LAB_SCENARIO-seed$LAB_SEED"
    mkdir -p "$LAB_OUT"
    LAB_OUT=$(cd "$LAB_OUT" && pwd)
    rm -f "$LAB_OUT/capture.pcap" "$LAB_OUT/truth.json" "$LAB_OUT/verify.txt"
    LAB_T0=$(date +%s.%N)
    lab_init
    lab_rand_seed "$LAB_SEED" "$LAB_SCENARIO"
    lab_truth init --scenario "$LAB_SCENARIO" --seed "$LAB_SEED" --capture capture.pcap \
        --set-str smb_user="$LAB_SMB_USER"
}

# lab_scenario_host NAME ROLE: a host at a seeded random address in LAB_NET.
lab_scenario_host() {
    local name=$1 role=$2 n
    while :; do
        lab_rand 10 250
        n=$REPLY
        [[ -n ${LAB_USED_IP[$n]:-} ]] || break
    done
    LAB_USED_IP[$n]=1
    lab_add_host "$name" "$LAB_NET_PREFIX.$n"
    lab_truth host --name "$name" --ip "$LAB_NET_PREFIX.$n" --role "$role"
}

lab_scenario_capture() {
    lab_capture_start "$LAB_TMP/capture.pcap"
}

lab_scenario_end() {
    lab_capture_stop
    lab_truth finish --out "$LAB_TMP/truth.json"
    if ! (cd "$LAB_TMP" && lab_verify capture.pcap truth.json >verify.txt); then
        cat "$LAB_TMP/verify.txt" >&2
        lab_die "scenario $LAB_SCENARIO: capture does not match its truth"
    fi
    cp "$LAB_TMP/capture.pcap" "$LAB_TMP/truth.json" "$LAB_TMP/verify.txt" "$LAB_OUT/"
    lab_log "$(tail -n 1 "$LAB_TMP/verify.txt")"
    lab_log "scenario $LAB_SCENARIO seed $LAB_SEED: $(stat -c %s "$LAB_OUT/capture.pcap") bytes in $(awk -v a="$LAB_T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s -> $LAB_OUT"
}

# lab_t_smb OP CLIENT SERVER SHARE NAME FILE [truth.py options...]: record one
# SMB operation (hosts by name; FILE is the local copy whose size is the truth).
lab_t_smb() {
    local op=$1 c=$2 s=$3 share=$4 name=$5 file=$6
    shift 6
    local fa=(--file "$file")
    [[ -n $file ]] || fa=()
    lab_truth transfer --proto smb --client "$(lab_ip "$c")" --server "$(lab_ip "$s")" \
        --share "$share" --name "$name" --op "$op" "${fa[@]}" "$@"
}

# lab_t_ssh OP CLIENT SERVER NAME FILE [truth.py options...]
lab_t_ssh() {
    local op=$1 c=$2 s=$3 name=$4 file=$5
    shift 5
    lab_truth transfer --proto ssh --client "$(lab_ip "$c")" --server "$(lab_ip "$s")" \
        --name "$name" --op "$op" --file "$file" "$@"
}

# lab_ips HOST...: comma-separated addresses (for notices).
lab_ips() {
    local h ips=()
    for h in "$@"; do
        ips+=("$(lab_ip "$h")")
    done
    (IFS=,; printf '%s\n' "${ips[*]}")
}

# lab_pick_dialect: one of SMB3_11 (most), SMB3_00, SMB2_10 in REPLY.
lab_pick_dialect() {
    lab_pick SMB3_11 SMB3_11 SMB3_11 SMB3_00 SMB2_10
}

# lab_smb_dialect_opts DIALECT: smbclient options forcing that dialect, in
# LAB_DIALECT_OPTS; the dialect as the wire names it (3.1.1) in LAB_DIALECT_WIRE.
# shellcheck disable=SC2034  # both results are read by the scenario scripts
lab_smb_dialect_opts() {
    LAB_DIALECT_OPTS=(-m "$1" --option="client min protocol=$1")
    case $1 in
        SMB3_11) LAB_DIALECT_WIRE=3.1.1 ;;
        SMB3_00) LAB_DIALECT_WIRE=3.0 ;;
        SMB2_10) LAB_DIALECT_WIRE=2.1 ;;
        SMB2_02) LAB_DIALECT_WIRE=2.0.2 ;;
        *) lab_die "unknown dialect $1" ;;
    esac
}

LAB_NAME_WORDS=(finance payroll hr legal sales crm backup export q3 q4 board audit
    invoices contracts customers project-x budget forecast mailbox pst sql-dump)

# lab_rand_name PREFIX EXT: a seeded file name like "<prefix>-payroll-0417.<ext>".
lab_rand_name() {
    local prefix=$1 ext=$2 w
    lab_pick "${LAB_NAME_WORDS[@]}"
    w=$REPLY
    lab_rand 100 9999
    REPLY="${prefix:+$prefix-}$w-$(printf '%04d' "$REPLY").$ext"
}

# lab_bg_public_read READER SERVER: guest reads a small file from the public
# share of SERVER (the file is put on the server's disk before the capture).
lab_bg_public_seed() {
    local server=$1 f
    f="$(lab_smb_share_dir "$server" public)/welcome.txt"
    lab_mkfile text 1800 "$LAB_SEED" "$f" >/dev/null
}
lab_bg_public_read() {
    local reader=$1 server=$2
    lab_smbclient "$reader" "$server" public "ls; get welcome.txt $LAB_TMP/bg-welcome-$reader.txt" -N
    lab_t_smb read "$reader" "$server" public welcome.txt "$LAB_TMP/bg-welcome-$reader.txt" \
        --set background=true --set-str user=guest
}

# lab_bg_ssh CLIENT SERVER: a short interactive admin session.
lab_bg_ssh() {
    lab_ssh_interactive "$1" "$2" 'uptime' 'df -h /'
    lab_truth connection --client "$(lab_ip "$1")" --server "$(lab_ip "$2")" --kind interactive \
        --auth-success true --set background=true
}
