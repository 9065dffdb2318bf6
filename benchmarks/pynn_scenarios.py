"""PyNN's own system scenarios (test/system/scenarios, written to run on any backend) on
neurochip's PyNN backend.

    python -m benchmarks.pynn_scenarios [--pynn-source DIR]

The scenarios come from PyNN's source distribution (benchmarks/pynn_source.py) into a
temporary folder; a conftest written there makes each scenario's `sim` the neurochip backend
(`pyNN.neurochip`, an alias of simulator.pynn). Every scenario ends passed, refused (an
`Unsupported` error: a construct neurochip declines in one sentence) or failed. Stores
benchmarks/results/pynn_scenarios.json.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from .common import write_result
from .pynn_source import pynn_source

CONFTEST = '''
import sys
import pytest
import simulator.pynn
sys.modules["pyNN.neurochip"] = simulator.pynn
from scenarios import fixtures
fixtures.run_with_simulators = lambda *names: pytest.mark.parametrize(
    "sim", [pytest.param(fixtures.LazySimulator("neurochip"), id="neurochip")])
'''


def outcome(case) -> tuple[str, str]:
    """(passed | refused | failed | skipped, the error's first line)."""
    for kind in ("failure", "error"):
        found = case.find(kind)
        if found is not None:
            text = (found.get("message") or found.text or "").strip().splitlines()
            first = text[0] if text else ""
            refused = "Unsupported" in first or "not supported" in first
            return ("refused" if refused else "failed"), first[:300]
    if case.find("skipped") is not None:
        return "skipped", (case.find("skipped").get("message") or "")[:300]
    return "passed", ""


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pynn-source", help="an unpacked PyNN source distribution")
    args = parser.parse_args(argv)
    source = pynn_source(args.pynn_source)
    work = Path(tempfile.mkdtemp(prefix="pynn-scenarios-"))
    shutil.copytree(source / "test" / "system" / "scenarios", work / "scenarios")
    (work / "conftest.py").write_text(CONFTEST)
    report = work / "report.xml"
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    f"--junitxml={report}", "-o", "junit_family=xunit1", "scenarios"],
                   cwd=work, capture_output=True, text=True, timeout=3600)
    cases = {}
    for case in ElementTree.parse(report).iter("testcase"):
        name = f"{case.get('classname').split('.')[-1]}::{case.get('name')}"
        kind, reason = outcome(case)
        cases[name] = {"outcome": kind, "reason": reason}
    counts = {kind: sum(c["outcome"] == kind for c in cases.values())
              for kind in ("passed", "refused", "failed", "skipped")}
    print(counts)
    for name, case in cases.items():
        if case["outcome"] != "passed":
            print(f"{case['outcome']:8s} {name}: {case['reason'][:150]}")
    print(write_result("pynn_scenarios", {"source": "PyNN test/system/scenarios",
                                          "counts": counts, "scenarios": cases}))


if __name__ == "__main__":
    main()
