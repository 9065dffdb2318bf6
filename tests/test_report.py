"""`neurochip report`: its figures equal the numbers in the file, computed here with h5py."""

import csv
import json

import h5py
import numpy as np
import pytest

import chips
from simulator import cli
from simulator.reporting import command

from .test_config import GOOD
from .test_results import run_config

# A slow clock and a link and a chip dying mid-run: overruns, late packets, emergency
# routing and drops all happen, so every loss figure is checked against a non-zero count.
TIMED = GOOD + """
[machine.core]
performance_levels_hz = [65_000_000]
performance_level = 0

[machine.energy]
core_sleep_w = [0.00322]
core_busy_j_per_cycle = [1.498e-11]

[faults]
dead_links = [{x = 0, y = 0, direction = 0, from_ms = 20.0}]
dead_chips = [{x = 1, y = 1, from_ms = 30.0}]
"""
FUNCTIONAL = GOOD.replace("seed = 7", 'seed = 7\nfidelity = "functional"')
RECORD = '\n[record]\nexc = ["v", "i_exc"]\n'


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    return {"timed": run_config(TIMED).save(folder / "timed.h5"),
            "functional": run_config(FUNCTIONAL).save(folder / "functional.h5"),
            "timed_state": run_config(TIMED + RECORD).save(folder / "timed_state.h5"),
            "functional_state": run_config(FUNCTIONAL + RECORD).save(
                folder / "functional_state.h5")}


def report(capsys, *args):
    """Run `neurochip report` in this process: (exit status, stdout, stderr)."""
    status = cli.main(["report", *map(str, args)])
    out, err = capsys.readouterr()
    return status, out, err


def reference(path, top):
    """The figures, computed from the datasets directly."""
    with h5py.File(path) as f:
        seconds = f.attrs["duration_ticks"] * f.attrs["timestep_ns"] * 1e-9
        ref = {"populations": {name: (len(g["times"]), len(g["times"]) / g.attrs["size"] / seconds)
                               for name, g in f["spikes"].items()}}
        packets = f["traffic/link_packets"][()].sum(axis=0)
        ref["link_packets"] = int(packets.sum())
        ref["link_bits"] = int(f["traffic/link_bits"][()].sum())
        ref["links_used"] = int(np.count_nonzero(packets))
        order = sorted(range(len(packets)), key=lambda i: (-packets[i], i))[:top]
        ref["busiest_links"] = [(i, int(packets[i])) for i in order if packets[i] > 0]
        links = f["traffic/links"][()]
        ref["busiest_link_ends"] = [tuple(int(links[i][k]) for k in links.dtype.names)
                                    for i, _ in ref["busiest_links"]]
        ref["router_packets"] = f["traffic/router_packets"][()].sum(axis=0)
        ref["entries"] = f["mapping/router_entries"][()]
        ref["capacity"] = f["mapping"].attrs["router_capacity_entries"]
        ref["profile"] = f["profile/seconds"][()]
        if "cores" not in f:
            return ref
        windows = f["traffic/window_ticks"][()]
        lengths = windows[:, 1] - windows[:, 0]
        busy = f["traffic/link_busy_fraction"][()]
        ref["busy"] = {i: (float((busy[:, i] * lengths).sum() / lengths.sum()),
                           float(busy[:, i].max())) for i, _ in ref["busiest_links"]}
        ref["max_busy"] = float(busy.max())
        ref["max_queue"] = int(f["traffic/link_max_queue"][()].max())
        ref["losses"] = {
            "link_drops": int(f["traffic/link_drops"][()].sum()),
            "router_dropped": int(f["traffic/router_dropped"][()].sum()),
            "emergency_routed": int(f["traffic/router_emergency_routed"][()].sum()),
            "default_routed": int(f["traffic/router_default_routed"][()].sum()),
            "late_packets": int(f["cores/late_packets"][()].sum()),
            "overruns": int(f["cores/overruns"][()].sum()),
            "max_excess_cycles": int(f["cores/max_excess_cycles"][()].max())}
        budget = f["cores"].attrs["budget_cycles_per_tick"]
        load = f["cores/cycles"][()].sum(axis=0) / (budget * f.attrs["duration_ticks"])
        ref["load"] = {"mean": load.mean(), "p50": np.median(load),
                       "p90": np.percentile(load, 90), "p99": np.percentile(load, 99),
                       "max": load.max()}
        ref["over_budget"] = int(np.count_nonzero(f["cores/overruns"][()].sum(axis=0)))
        counts = f["traffic/latency_histogram"][()]
        edges = f["traffic/latency_bin_edges_ns"][()]
        every = np.repeat(np.arange(len(counts)), counts)      # one bin index per delivery
        ref["latency"] = {q: float(edges[every[int(np.ceil(q / 100 * len(every))) - 1] + 1])
                          for q in (50, 90, 99)}
        ref["deliveries"] = len(every)
    return ref


@pytest.mark.parametrize("fidelity", ["timed", "functional"])
def test_report_figures_equal_the_numbers_in_the_file(files, capsys, fidelity):
    status, out, err = report(capsys, files[fidelity], "--json", "--top", 3)
    assert status == 0, err
    s, ref = json.loads(out), reference(files[fidelity], 3)
    assert s["run"]["fidelity"] == fidelity and s["run"]["duration_ticks"] == 500
    assert {p["population"]: (p["spikes"], pytest.approx(p["rate_hz"]))
            for p in s["populations"]} == ref["populations"]
    assert all(ref["populations"][pop][0] > 0 for pop in ("exc", "inh"))
    links = s["links"]
    assert (links["packets"], links["bits"], links["used"], links["count"]) == \
        (ref["link_packets"], ref["link_bits"], ref["links_used"], 24)
    assert [(r["link"], r["packets"]) for r in links["busiest"]] == ref["busiest_links"]
    assert len(links["busiest"]) == 3
    assert [(r["source_x"], r["source_y"], r["direction"], r["target_x"], r["target_y"])
            for r in links["busiest"]] == ref["busiest_link_ends"]
    routers = s["routers"]
    assert routers["packets"] == ref["router_packets"].sum()
    assert [r["packets"] for r in routers["busiest"]] == \
        sorted(ref["router_packets"], reverse=True)[:3]
    tables = s["routing_tables"]
    assert ref["capacity"] == chips.spinnaker2().chip.router.table_entries == tables["capacity"]
    assert tables["max_entries"] == ref["entries"].max() > 0
    assert tables["max_fraction"] == pytest.approx(ref["entries"].max() / ref["capacity"])
    assert [r["total_s"] for r in s["profile"]["ranks"]] == \
        pytest.approx(ref["profile"].sum(axis=1).tolist())
    if fidelity == "functional":
        assert s["losses"] is None and s["latency"] is None and s["cores"]["load"] is None
        assert links["max_busy_fraction"] is None and "busy_fraction" not in links["busiest"][0]
        assert any("functional fidelity" in note for note in s["absent"])
        assert s["cores"]["slices"] == 13
        return
    assert s["absent"] == []
    for row in links["busiest"]:
        assert (row["busy_fraction"], row["peak_busy_fraction"]) == \
            pytest.approx(ref["busy"][row["link"]])
    assert links["max_busy_fraction"] == pytest.approx(ref["max_busy"])
    assert links["max_queue"] == ref["max_queue"]
    assert s["losses"] == ref["losses"]
    for key in ("overruns", "late_packets", "emergency_routed", "router_dropped"):
        assert s["losses"][key] > 0, key
    assert s["cores"]["load"] == pytest.approx(ref["load"])
    assert s["cores"]["over_budget"] == ref["over_budget"] > 0
    assert s["latency"]["deliveries"] == ref["deliveries"] > 0
    for q in (50, 90, 99):
        assert s["latency"][f"p{q}_ns_at_most"] == pytest.approx(ref["latency"][q])


def test_text_report_names_the_figures_and_what_is_absent(files, capsys):
    status, out, _ = report(capsys, files["timed"])
    ref = reference(files["timed"], 10)
    assert status == 0
    assert f"Inter-chip links: {ref['link_packets']} packets" in out
    assert f"{ref['losses']['overruns']} tick overruns" in out
    assert "Not in this file" not in out
    status, out, _ = report(capsys, files["functional"])
    assert status == 0 and "Not in this file:" in out and "functional fidelity" in out


def test_csv_tables_hold_the_json_figures(files, capsys, tmp_path):
    status, out, err = report(capsys, files["timed_state"], "--json", "--csv", tmp_path / "csv")
    assert status == 0 and json.loads(out)
    s = json.loads(out)
    names = sorted(p.name for p in (tmp_path / "csv").iterdir())
    assert names == ["cores.csv", "energy.csv", "latency.csv", "links.csv",
                     "population_links.csv", "populations.csv", "ranks.csv", "routers.csv",
                     "state.csv"]
    assert all(f"wrote {tmp_path / 'csv' / n}" in err for n in names)

    def rows(name):
        with open(tmp_path / "csv" / name, newline="") as f:
            return list(csv.DictReader(f))

    links = rows("links.csv")
    assert len(links) == s["links"]["count"]
    assert sum(int(r["packets"]) for r in links) == s["links"]["packets"]
    for row in s["links"]["busiest"]:
        line = links[row["link"]]
        assert {k: line[k] for k in row} == {k: str(v) if not isinstance(v, float) else line[k]
                                             for k, v in row.items()}
        assert float(line["busy_fraction"]) == row["busy_fraction"]
    cores = rows("cores.csv")
    assert len(cores) == s["cores"]["slices"]
    assert max(float(r["load"]) for r in cores) == s["cores"]["load"]["max"]
    assert sum(int(r["late_packets"]) for r in cores) == s["losses"]["late_packets"]
    pops = rows("populations.csv")
    assert [(r["population"], int(r["spikes"]), float(r["rate_hz"])) for r in pops] == \
        [(p["population"], p["spikes"], p["rate_hz"]) for p in s["populations"]]
    assert sum(int(r["deliveries"]) for r in rows("latency.csv")) == s["latency"]["deliveries"]
    assert [int(r["table_entries"]) for r in rows("routers.csv")] == \
        [r["table_entries"] for r in s["routing_tables"]["fullest"]]
    # packets by source population add up to each link's packets
    per_link = {}
    for r in rows("population_links.csv"):
        per_link[int(r["link"])] = per_link.get(int(r["link"]), 0) + int(r["packets"])
    assert per_link == {int(r["link"]): int(r["packets"]) for r in links if int(r["packets"])}
    assert sum(p["packets"] for p in s["population_links"]) == s["links"]["packets"]


def bad_files(folder, timed):
    """Files that are not a readable neurochip result, by what is wrong with them."""
    (folder / "text.h5").write_text("not a result\n")
    (folder / "truncated.h5").write_bytes(timed.read_bytes()[:20_000])
    with h5py.File(folder / "other.h5", "w") as f:
        f["data"] = np.arange(3)
    return {"missing": ("missing.h5", "does not exist"),
            "text": ("text.h5", "is not an HDF5 file"),
            "truncated": ("truncated.h5", "is damaged or truncated"),
            "other": ("other.h5", "is not a neurochip result file")}


@pytest.mark.parametrize("case", ["missing", "text", "truncated", "other"])
def test_bad_input_exits_2_with_one_sentence_and_writes_nothing(files, capsys, tmp_path,
                                                                  case):
    name, message = bad_files(tmp_path, files["timed"])[case]
    before = sorted(p.name for p in tmp_path.iterdir())
    status, out, err = report(capsys, tmp_path / name, "--json", "--csv", tmp_path / "csv",
                              "--plots", tmp_path / "plots")
    assert status == 2 and out == ""
    assert err.startswith("neurochip: error: ") and message in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_bad_options_exit_2_and_write_nothing(files, capsys, tmp_path, monkeypatch):
    status, out, err = report(capsys, files["timed"], "--top", 0, "--csv", tmp_path / "c")
    assert status == 2 and "--top must be >= 1 (got 0)" in err
    (tmp_path / "file").write_text("")
    status, out, err = report(capsys, files["timed"], "--csv", tmp_path / "file")
    assert status == 2 and "is a file, not a directory" in err
    monkeypatch.setattr(command, "plotting_available", lambda: False)
    status, out, err = report(capsys, files["timed"], "--plots", tmp_path / "p",
                              "--csv", tmp_path / "c")
    assert status == 2 and 'pip install -e ".[plots]"' in err and out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_every_json_key_csv_column_and_plot_is_documented(files, capsys, tmp_path):
    from simulator.reporting.plots import SIZES_PX

    from .helpers import REPO
    text = (REPO / "docs" / "report.md").read_text()
    status, out, _ = report(capsys, files["timed_state"], "--json", "--csv", tmp_path)
    summary = json.loads(out)
    for key, value in summary.items():
        assert f"`{key}`" in text or f"`{key}." in text, key
        if isinstance(value, dict):
            for sub in value:
                assert f"`{sub}`" in text or f"`{key}.{sub}`" in text, f"{key}.{sub}"
    for path in tmp_path.glob("*.csv"):
        assert f"`{path.name}`" in text, path.name
        header = path.read_text().splitlines()[0].split(",")
        for column in header:
            documented = "`<phase>_s`" if path.name == "ranks.csv" and column.endswith("_s") \
                and column != "total_s" else f"`{column}`"
            assert documented in text, f"{path.name}: {column}"
    for name, (width, height) in SIZES_PX.items():
        assert f"| `{name}` | {width} x {height} |" in text, name


def test_an_interrupted_run_says_how_much_it_holds(files, capsys, tmp_path):
    from simulator import load_result
    result = load_result(files["functional"])
    result.attributes.update(interrupted=True, requested_duration_ticks=900)
    path = result.save(tmp_path / "stopped.h5")
    status, out, _ = report(capsys, path)
    assert status == 0 and "interrupted: holds the first 500 of 900 ticks asked for" in out


def test_an_output_directory_that_cannot_be_made_exits_2_before_writing(files, capsys,
                                                                        tmp_path):
    (tmp_path / "file").write_text("")
    status, out, err = report(capsys, files["timed"], "--csv", tmp_path / "csv" / "deep",
                              "--plots", tmp_path / "file" / "plots")
    assert status == 2 and out == ""
    assert "--plots" in err and "cannot be created" in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


@pytest.mark.parametrize("fidelity", ["timed", "functional"])
def test_a_damaged_file_is_reported_or_refused_never_a_crash(files, capsys, tmp_path,
                                                               fidelity):
    """Random bytes overwritten anywhere in the file: the report either works or exits 2
    with one sentence and writes nothing; no traceback."""
    data = files[fidelity].read_bytes()
    rng = np.random.default_rng(11)
    refused = 0
    for trial in range(60):
        damaged = bytearray(data)
        start, length = int(rng.integers(0, len(data) - 64)), int(rng.integers(1, 64))
        damaged[start:start + length] = rng.integers(0, 256, length, dtype=np.uint8).tobytes()
        (tmp_path / "damaged.h5").write_bytes(bytes(damaged))
        status, out, err = report(capsys, tmp_path / "damaged.h5", "--json", "--csv",
                                  tmp_path / f"csv{trial}")
        assert status in (0, 2), (start, err)
        if status == 2:
            refused += 1
            assert err.startswith("neurochip: error: ") and err.count("\n") == 1 and out == ""
            assert not (tmp_path / f"csv{trial}").exists()
    assert refused > 10


def test_report_shows_the_recorded_state_variables(files, capsys, tmp_path):
    """Text, JSON and CSV give each recorded variable's range and means, as in the file."""
    status, out, _ = report(capsys, files["timed_state"], "--json", "--csv", tmp_path)
    rows = json.loads(out)["state"]
    with h5py.File(files["timed_state"]) as f:
        expected = {name: f[f"state/exc/{name}"][()] for name in ("v", "i_exc")}
    assert [(r["population"], r["variable"]) for r in rows] == [("exc", "i_exc"), ("exc", "v")]
    for r in rows:
        values = expected[r["variable"]]
        assert (r["neurons"], r["ticks"]) == (values.shape[1], values.shape[0]) == (320, 500)
        assert (r["min"], r["max"]) == (values.min(), values.max())
        assert r["mean"] == pytest.approx(values.mean(), rel=1e-12)
        assert r["last_tick_mean"] == pytest.approx(values[-1].mean(), rel=1e-12)
    with open(tmp_path / "state.csv", newline="") as f:
        assert [float(r["max"]) for r in csv.DictReader(f)] == [r["max"] for r in rows]
    status, out, _ = report(capsys, files["timed_state"])
    lines = out.splitlines()
    at = lines.index("Recorded state: 2 variables, at the end of every tick")
    assert lines[at + 1].split() == ["population", "variable", "neurons", "ticks", "min",
                                     "mean", "max", "mean", "at", "last", "tick"]
    v = lines[at + 3].split()
    assert v[:4] == ["exc", "v", "320", "500"]
    assert float(v[4]) == pytest.approx(expected["v"].min(), abs=1e-3)


@pytest.mark.parametrize("option", ["--csv", "--plots"])
def test_writing_files_prints_only_what_was_written(files, capsys, tmp_path, option):
    status, out, err = report(capsys, files["timed_state"], option, tmp_path / "out")
    assert status == 0, err
    lines = out.splitlines()
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(lines) == len(written) >= 5
    assert all(line.startswith(f"wrote {tmp_path / 'out'}") for line in lines)
