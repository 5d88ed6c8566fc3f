# Turns bench/flood/run's raw files (OUT/raw/<server>-<rate>/) into results.json and a
# side-by-side table on stdout.
#   report.py OUT DURATION HALF_OPEN INTERVAL_US
import json
import os
import re
import sys


def load(path, default=None):
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return default


def hping(d):
    sent = None
    try:
        m = re.findall(r"(\d+) packets transmitted", open(os.path.join(d, "hping3.txt")).read())
        sent = int(m[-1]) if m else None
    except OSError:
        pass
    try:
        e, u, s = map(float, open(os.path.join(d, "hping3.time")).read().split()[-3:])
    except (OSError, ValueError):
        e, u, s = None, 0.0, 0.0
    return sent, e, u + s


def cpu_delta(d):
    b, a = load(os.path.join(d, "cpu.before")), load(os.path.join(d, "cpu.after"))
    wall = a["t"] - b["t"]
    hz = a["hz"]

    def pct(cpu, field):
        return 100.0 * (a["cpus"][cpu][field] - b["cpus"][cpu][field]) / hz / wall

    other_pct, other_top = others(d, wall)
    return {
        "other_processes_pct": other_pct,
        "other_processes_top": other_top,
        "window_s": round(wall, 2),
        "softirq_pct": round(pct("cpu", "softirq"), 1),
        "system_pct": round(pct("cpu", "system"), 1),
        "user_pct": round(pct("cpu", "user"), 1),
        "core1_busy_pct": round(sum(pct("cpu1", f) for f in ("user", "system", "softirq", "irq")), 1)
        if "cpu1" in a["cpus"] else None,
        "steal_pct": round(pct("cpu", "steal"), 1),
        "softnet_dropped": a["softnet_dropped"] - b["softnet_dropped"],
    }


def others(d, window):
    """Other processes' CPU during the run: (% of a core in all, the top three by name)."""
    b, a = load(os.path.join(d, "others.before"), {}), load(os.path.join(d, "others.after"), {})
    hz = os.sysconf("SC_CLK_TCK")
    use = {}
    for p, (comm, t) in a.items():  # those that started and ended within the run are missed
        use[comm] = use.get(comm, 0) + t - (b[p][1] if p in b else 0)
    top = sorted(((v, k) for k, v in use.items() if v > 0), reverse=True)[:3]
    total = sum(use.values())
    return (round(100.0 * total / hz / window, 1),
            ", ".join("%s %.0f%%" % (k, 100.0 * v / hz / window) for v, k in top) or "none")


def delta(d, name):
    b, a = load(os.path.join(d, name + ".before")), load(os.path.join(d, name + ".after"))
    return {k: a[k] - b[k] for k in a} if a and b else {}


def case(out, server, rate):
    d = os.path.join(out, "raw", "%s-%s" % (server, rate))
    if not os.path.isdir(d):
        return None
    sent, elapsed, hp_cpu = hping(d)
    cpu = cpu_delta(d)
    link = delta(d, "link")
    srv_cpu = delta(d, "server_cpu").get("cpu_s", 0.0)
    el = elapsed or cpu["window_s"]
    r = {
        "server": server, "rate": rate,
        "hping3_sent": sent, "hping3_s": el,
        "offered_syn_per_s": round(sent / el) if sent and el else None,
        "hping3_cpu_pct": round(100 * hp_cpu / el, 1) if el else None,
        "lost_before_server": link.get("tx_dropped", 0) + cpu["softnet_dropped"] +
        delta(d, "server_link").get("rx_dropped", 0),
        "client": load(os.path.join(d, "client.json"), {}),
        "cpu": cpu,
        "server_process_cpu_pct": round(100 * srv_cpu / cpu["window_s"], 1),
    }
    softirq_s = cpu["softirq_pct"] / 100 * cpu["window_s"]
    if server == "turnstile":
        j = load(os.path.join(d, "server.json"), {})
        c = j.get("counters", {})
        r.update({
            "frames_in_per_s": round(c.get("rx_packets", 0) / el),
            "syn_in_per_s": round(c.get("tcp_syn_in", 0) / el),
            "synack_out_per_s": round(c.get("tcp_synack_out", 0) / el),
            "cookies_per_s": round(c.get("syncookies_sent", 0) / el),
            "cookies_sent": c.get("syncookies_sent"),
            "cookies_validated": c.get("syncookies_ok"),
            "cookies_rejected": c.get("syncookies_bad"),
            "half_open_drops": c.get("half_open_drops"),
            "accept_overflows": c.get("accept_overflow"),
            "half_open_at_end": j.get("connections", {}).get("syn_received"),
            "arp_requests_out": c.get("arp_requests_out"),
            "server_cpu_us_per_cookie": us_per_cookie(srv_cpu, c.get("syncookies_sent", 0)),
        })
    else:
        b, a = load(os.path.join(d, "tcp.before")), load(os.path.join(d, "tcp.after"))
        tcp = {k: v - b["Tcp"][k] for k, v in a["Tcp"].items()}
        ext = {k: v - b["TcpExt"][k] for k, v in a["TcpExt"].items()}
        r.update({
            "frames_in_per_s": round(delta(d, "server_link").get("rx_packets", 0) / el),
            "cookies_per_s": round(ext.get("SyncookiesSent", 0) / el),
            "segs_in_per_s": round(tcp["InSegs"] / el),
            "segs_out_per_s": round(tcp["OutSegs"] / el),
            "cookies_sent": ext.get("SyncookiesSent"),
            "cookies_validated": ext.get("SyncookiesRecv"),
            "cookies_rejected": ext.get("SyncookiesFailed"),
            "half_open_drops": ext.get("TCPReqQFullDrop"),
            "accept_overflows": ext.get("ListenOverflows"),
            "listen_drops": ext.get("ListenDrops"),
            "server_cpu_us_per_cookie": us_per_cookie(softirq_s, ext.get("SyncookiesSent", 0)),
        })
    return r


def memif_case(out):
    d = os.path.join(out, "raw", "turnstile-memif")
    fl = load(os.path.join(d, "flooder.json"))
    if not fl:
        return None
    j = load(os.path.join(d, "server.json"), {})
    c = j.get("counters", {})
    cpu = cpu_delta(d)
    el = fl["elapsed_s"]
    try:
        e, u, sy = map(float, open(os.path.join(d, "flooder.time")).read().split()[-3:])
        fl_cpu = round(100 * (u + sy) / e, 1)
    except (OSError, ValueError):
        fl_cpu = None
    return {
        "server": "turnstile", "rate": "memif", "flooder": fl,
        "syn_offered_per_s": round(fl["syn_per_s"]),
        "syn_refused_per_s": round(fl["syn_refused"] / el),
        "syn_in_per_s": round(c.get("tcp_syn_in", 0) / el),
        "synack_out_per_s": round(c.get("tcp_synack_out", 0) / el),
        "cookies_per_s": round(c.get("syncookies_sent", 0) / el),
        "cookies_validated": c.get("syncookies_ok"),
        "half_open_at_end": j.get("connections", {}).get("syn_received"),
        "real_sent": fl["real_sent"], "real_answered": fl["real_synack"],
        "real_established": c.get("conn_accepted"),
        "real_success_pct": round(100.0 * min(fl["real_sent"], c.get("conn_accepted", 0)) / fl["real_sent"], 2)
        if fl["real_sent"] else None,
        "server_tx_full_drops": c.get("tx_full_drops"),
        "server_process_cpu_pct": round(100 * delta(d, "server_cpu").get("cpu_s", 0.0) / cpu["window_s"], 1),
        "server_cpu_us_per_cookie": us_per_cookie(delta(d, "server_cpu").get("cpu_s", 0.0), c.get("syncookies_sent", 0)),
        "flooder_cpu_pct": fl_cpu,
        "cpu": cpu,
    }


def memif_table(m):
    rows = [
        ("SYN/s the port took from the flooder", fmt(m["syn_offered_per_s"])),
        ("SYN/s refused (server's ring full)", fmt(m["syn_refused_per_s"])),
        ("SYN/s received by the stack", fmt(m["syn_in_per_s"])),
        ("SYN-ACK/s sent by the stack", fmt(m["synack_out_per_s"])),
        ("of which cookies/s", fmt(m["cookies_per_s"])),
        ("half-open blocks at the end", fmt(m["half_open_at_end"])),
        ("real SYNs sent / answered", "%s / %s" % (fmt(m["real_sent"]), fmt(m["real_answered"]))),
        ("real handshakes established", fmt(m["real_established"])),
        ("real connections ok %", fmt(m["real_success_pct"])),
        ("cookies validated", fmt(m["cookies_validated"])),
        ("server process CPU % of a core", fmt(m["server_process_cpu_pct"])),
        ("server CPU us per cookie (*)", fmt(m["server_cpu_us_per_cookie"])),
        ("syn_flooder CPU % of a core", fmt(m["flooder_cpu_pct"])),
        ("steal % of a core (all, VM)", fmt(m["cpu"]["steal_pct"])),
        ("other processes' CPU % (not ours)", fmt(m["cpu"]["other_processes_pct"])),
    ]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len("turnstile, memif"), *(len(r[1]) for r in rows))
    lines = ["| " + "stack to stack".ljust(w0) + " | " + "turnstile, memif".rjust(w1) + " |",
             "| " + "-" * w0 + " | " + "-" * (w1 - 1) + ": |"]
    lines += ["| " + a.ljust(w0) + " | " + b.rjust(w1) + " |" for a, b in rows]
    return "\n".join(lines)


def memif_verdict(m):
    if m["syn_refused_per_s"] > 0.05 * m["syn_offered_per_s"]:
        return ("turnstile memif: limited by the server lcore: the flooder offered more than it took "
                "(%s SYN/s refused by the full ring), the stack answered %s SYN/s"
                % (fmt(m["syn_refused_per_s"]), fmt(m["synack_out_per_s"])))
    return ("turnstile memif: limited by syn_flooder (%s%% CPU): the stack answered %s SYN/s and "
            "kept up" % (m["flooder_cpu_pct"], fmt(m["synack_out_per_s"])))


def verdict(r):
    """Which side limited the rate of SYNs the server answered."""
    if not r or not r["hping3_sent"]:
        return "unknown"
    lost = r["lost_before_server"] / r["hping3_sent"]
    if lost > 0.05:
        where = "the tap's queue (the kernel side of net_tap)" if r["server"] == "turnstile" else \
            "the veth / input backlog"
        return ("the server side: %.0f%% of the SYNs hping3 sent were lost in %s before the server "
                "read them; it answered %s cookies/s" % (100 * lost, where, fmt(r["cookies_per_s"])))
    if r["rate"] == "paced":
        return "hping3's pacing (-i): the server took every SYN offered"
    also = ""
    if r["server"] == "kernel" and (r["cpu"]["core1_busy_pct"] or 0) > 90:
        also = "; the server's core was %s%% busy, near its limit too" % r["cpu"]["core1_busy_pct"]
    return "hping3 (%s%% CPU): the server took every SYN offered%s" % (r["hping3_cpu_pct"], also)


def us_per_cookie(cpu_s, cookies):
    return round(1e6 * cpu_s / cookies, 2) if cookies else None


def fmt(v, suffix=""):
    return "-" if v is None else ("{:,}".format(v) if isinstance(v, int) else str(v)) + suffix


def side_by_side(rows, cases):
    heads = ["%s %s" % ("turnstile" if c["server"] == "turnstile" else "Linux", c["rate"]) for c in cases]
    w0 = max(len(r[0]) for r in rows)
    cols = [[f(c) for _, f in rows] for c in cases]
    ws = [max(len(h), *(len(x) for x in col)) for h, col in zip(heads, cols)]
    lines = ["| " + "metric".ljust(w0) + " | " + " | ".join(h.rjust(w) for h, w in zip(heads, ws)) + " |",
             "| " + "-" * w0 + " | " + " | ".join("-" * (w - 1) + ":" for w in ws) + " |"]
    for i, (name, _) in enumerate(rows):
        lines.append("| " + name.ljust(w0) + " | " + " | ".join(col[i].rjust(w) for col, w in zip(cols, ws)) + " |")
    return "\n".join(lines)


def main():
    out, duration, half_open, interval = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    cases = [c for c in (case(out, s, r) for r in ("paced", "flood") for s in ("turnstile", "kernel")) if c]
    rows = [  # the hping3 cases, side by side
        ("hping3 SYN/s sent", lambda c: fmt(c["offered_syn_per_s"])),
        ("frames/s into the server (all)", lambda c: fmt(c["frames_in_per_s"])),
        ("SYN cookies/s sent", lambda c: fmt(c["cookies_per_s"])),
        ("cookies validated", lambda c: fmt(c["cookies_validated"])),
        ("half-open drops", lambda c: fmt(c["half_open_drops"])),
        ("real connections ok / tried", lambda c: "%s / %s" % (fmt(c["client"].get("ok")), fmt(c["client"].get("attempts")))),
        ("real connections ok %", lambda c: fmt(c["client"].get("success_pct"))),
        ("connect p50 / p99 ms", lambda c: "%s / %s" % (fmt(c["client"].get("connect_ms_p50")), fmt(c["client"].get("connect_ms_p99")))),
        ("connects > 900 ms (a SYN lost)", lambda c: fmt(c["client"].get("over_900ms"))),
        ("server process CPU % of a core", lambda c: fmt(c["server_process_cpu_pct"])),
        ("softirq CPU % of a core (all)", lambda c: fmt(c["cpu"]["softirq_pct"])),
        ("server CPU us per cookie (*)", lambda c: fmt(c["server_cpu_us_per_cookie"])),
        ("system CPU % of a core (all)", lambda c: fmt(c["cpu"]["system_pct"])),
        ("core 1 busy % (server core)", lambda c: fmt(c["cpu"]["core1_busy_pct"])),
        ("steal % of a core (all, VM)", lambda c: fmt(c["cpu"]["steal_pct"])),
        ("other processes' CPU % (not ours)", lambda c: fmt(c["cpu"]["other_processes_pct"])),
        ("hping3 CPU %", lambda c: fmt(c["hping3_cpu_pct"])),
        ("SYNs lost before the server", lambda c: fmt(c["lost_before_server"])),
    ]
    table = side_by_side(rows, cases) if cases else ""
    if table:
        print(table)
    notes = []
    for c in cases:
        notes.append("%s %s: limited by %s" % (c["server"], c["rate"], verdict(c)))
    m = memif_case(out)
    if m:
        table += ("\n\n" if table else "") + memif_table(m)
        print("\n" + memif_table(m))
        notes.append(memif_verdict(m))
        cases.append(m)
    for c in cases:
        if c["cpu"]["other_processes_pct"] > 10:
            notes.append("%s %s: other work took %s%% of a core during the run (%s): figures are low"
                         % (c["server"], c["rate"], c["cpu"]["other_processes_pct"], c["cpu"]["other_processes_top"]))
    notes.append("(*) CPU seconds of the server over cookies sent: turnstile, its process (a busy-polling "
                 "lcore: idle polling included, so only meaningful when it is saturated); Linux, softirq "
                 "time on all cores (where it answers SYNs).")
    print("\n".join(notes))
    json.dump({"duration_s": duration, "half_open_bound": half_open, "paced_interval_us": interval,
               "machine": open(os.path.join(out, "machine.txt")).read().strip().splitlines(),
               "cases": cases, "table": table, "notes": notes},
              open(os.path.join(out, "results.json"), "w"), indent=2)


if __name__ == "__main__":
    main()
