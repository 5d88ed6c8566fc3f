#!/usr/bin/python3
"""Plots for turnstile-cps and the CPS benchmark (matplotlib from Debian: run with /usr/bin/python3).

  plot.py RUN.json OUT.png            one turnstile-cps --json file: CPS over time (with failures)
                                      and the connect-time distribution (histogram and CDF)
  plot.py --bench BENCH.json OUT.png  bench/cps/run's results: CPS per case and CPU per connection
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot_run(run, out):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.8))
    # A partial point (the run's end cut it short) shorter than half of a full one is left out:
    # its rate is noise, and would plot as a spike (as the median leaves it out).
    series = run.get("series", [])
    full = [s["seconds"] for s in series if not s.get("partial")]
    step = max(full) if full else 0
    series = [s for s in series if not s.get("partial") or s["seconds"] > step / 2]
    t = [s["t"] for s in series]
    ax1.plot(t, [s["cps"] for s in series], marker="o", label="completed / s")
    fails = [sum(s["failed"].values()) / s["seconds"] if s["seconds"] else 0 for s in series]
    if any(fails):
        ax1.plot(t, fails, marker="x", color="tab:red", label="failed / s")
    top = max([s["cps"] for s in series] + fails + [1])
    if isinstance(run["config"].get("rate"), (int, float)):
        ax1.axhline(run["config"]["rate"], color="grey", linestyle="--", label="target")
        top = max(top, run["config"]["rate"])
    ax1.set_xlabel("seconds")
    ax1.set_ylabel("connections per second")
    ax1.set_ylim(0, top * 1.1)  # a target the run met would lie on the frame's top edge
    ax1.grid(alpha=0.3)
    ax1.legend()
    ax1.set_title("%s: %.0f CPS, %d failures" % (run["config"]["server"], run["cps"], run["failures"]))

    hist = run.get("histogram", [])
    if hist:
        total = sum(b["count"] for b in hist)
        mids = [(b["from_ns"] + b["to_ns"]) / 2e3 for b in hist]
        widths = [(b["to_ns"] - b["from_ns"] + 1) / 1e3 for b in hist]
        ax2.bar([b["from_ns"] / 1e3 for b in hist], [b["count"] / total for b in hist], width=widths,
                align="edge", alpha=0.6, label="share of connections")
        ax2.set_xscale("log")
        ax2.set_xlabel("connect time (us, log)")
        ax2.set_ylabel("share per bucket")
        cdf, acc = [], 0
        for b in hist:
            acc += b["count"]
            cdf.append(acc / total)
        axc = ax2.twinx()
        axc.plot(mids, cdf, color="tab:orange", label="CDF")
        axc.set_ylim(0, 1.01)
        axc.set_ylabel("cumulative")
        p = run["connect_time_us"]
        ax2.set_title("connect time: p50 %.1f  p99 %.1f  p99.9 %.1f us" % (p["p50"], p["p99"], p["p99.9"]))
        ax2.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def plot_bench(bench, out):
    cases = bench["cases"]
    names = [c["name"] for c in cases]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5))
    # A case whose every run was lost has no CPS: an empty bar, marked as such.
    bars = ax1.barh(names, [c["cps"] or 0 for c in cases], color="tab:blue")
    for b, c in zip(bars, cases):
        said = " {:,.0f}".format(c["cps"]) if c["cps"] is not None else " lost"
        ax1.text(b.get_width(), b.get_y() + b.get_height() / 2, said, va="center", fontsize=8)
    ax1.set_xlim(0, max([c["cps"] or 0 for c in cases] + [1]) * 1.3)  # room for the figures
    ax1.set_xlabel("connections per second (completed)")
    # Millions with one decimal, at most five ticks: neither an offset ("1e6") on the label nor
    # seven-digit tick labels running into each other.
    ax1.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5))
    ax1.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: "{:.1f} M".format(v / 1e6)))
    ax1.invert_yaxis()
    ax1.grid(axis="x", alpha=0.3)
    y = range(len(cases))
    h = 0.4
    ax2.barh([i - h / 2 for i in y], [c.get("client_ns_per_conn") or 0 for c in cases], height=h, label="client")
    ax2.barh([i + h / 2 for i in y], [c.get("server_ns_per_conn") or 0 for c in cases], height=h, label="server")
    ax2.set_yticks(list(y))
    ax2.set_yticklabels(names)
    ax2.invert_yaxis()
    ax2.set_xscale("log")
    ax2.set_xlabel("CPU ns per connection (utime + stime, log)")
    ax2.legend()
    ax2.grid(axis="x", alpha=0.3)
    fig.suptitle("CPS, one core per side: %s" % bench.get("machine", ""))
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main(argv):
    if len(argv) == 4 and argv[1] == "--bench":
        plot_bench(json.load(open(argv[2])), argv[3])
    elif len(argv) == 3:
        plot_run(json.load(open(argv[1])), argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
