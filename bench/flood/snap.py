# Counters the flood benchmark reads before and after each run; one JSON object on stdout.
#   snap.py cpu                 /proc/stat: jiffies per CPU and in all (user system softirq idle ...),
#                               /proc/net/softnet_stat drops (input backlog full)
#   snap.py tcp                 /proc/net/snmp Tcp and /proc/net/netstat TcpExt of the namespace
#                               this runs in (run it with `ip netns exec`)
#   snap.py link IFACE          the interface's packet and drop counters (in its namespace)
#   snap.py pid PID             CPU seconds (user + system) of a process
#   snap.py others ROOTPID      CPU ticks of every user process outside ROOTPID's tree (other
#                               work sharing the machine during a run)
import json
import os
import sys
import time

FIELDS = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]


def cpu():
    out = {"t": time.monotonic(), "hz": os.sysconf("SC_CLK_TCK"), "cpus": {}}
    for line in open("/proc/stat"):
        if line.startswith("cpu"):
            name, *vals = line.split()
            out["cpus"][name] = dict(zip(FIELDS, map(int, vals)))
    drops = 0
    for line in open("/proc/net/softnet_stat"):
        drops += int(line.split()[1], 16)
    out["softnet_dropped"] = drops
    return out


def proc_table(path):
    rows = [l.split() for l in open(path)]
    out = {}
    for head, vals in zip(rows[::2], rows[1::2]):
        out[head[0].rstrip(":")] = dict(zip(head[1:], map(int, vals[1:])))
    return out


def tcp():
    t = proc_table("/proc/net/snmp")
    t.update(proc_table("/proc/net/netstat"))
    return {"Tcp": t["Tcp"], "TcpExt": t["TcpExt"]}


def link(ifc):
    base = "/sys/class/net/%s/statistics/" % ifc
    return {k: int(open(base + k).read()) for k in
            ("rx_packets", "tx_packets", "rx_dropped", "tx_dropped")}


def pid(p):
    s = open("/proc/%s/stat" % p).read()
    f = s[s.rfind(")") + 2:].split()
    return {"cpu_s": (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")}


def others(root):
    procs = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            s = open("/proc/%s/stat" % d).read()
        except OSError:
            continue
        comm = s[s.index("(") + 1:s.rfind(")")]
        f = s[s.rfind(")") + 2:].split()
        procs[int(d)] = (comm, int(f[1]), int(f[11]) + int(f[12]))  # comm, ppid, ticks
    def ours(p):
        for _ in range(64):
            if p == root:
                return True
            if p not in procs or p <= 2:
                return False
            p = procs[p][1]
        return False
    # Kernel threads (children of kthreadd, pid 2) are left out: their work may be ours.
    return {str(p): [c, t] for p, (c, pp, t) in procs.items() if pp != 2 and p != 2 and not ours(p)}


if __name__ == "__main__":
    what = sys.argv[1]
    r = {"cpu": cpu, "tcp": tcp, "link": link, "pid": pid, "others": lambda p: others(int(p))}[what]
    print(json.dumps(r(*sys.argv[2:])))
