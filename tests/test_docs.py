"""The documentation names every config key and every dataset a run writes."""

import re

from chips import Chip, Core, Faults, Link, Router
from networks.library import LIBRARY
from simulator.config import MachineChoice, NetworkChoice
from simulator.options import MappingOptions, RunOptions
from simulator.tables import keys_of

from .helpers import REPO
from .test_results import run_config
from .test_config import GOOD


def documented_keys(section: str) -> set[str]:
    text = (REPO / "docs" / "config.md").read_text()
    body = re.split(r"\n(?:##|###) |\n`\[", text.split(section, 1)[1], maxsplit=1)[0]
    return set(re.findall(r"^\| `(\w+)` \|", body, flags=re.M))


def test_every_config_key_is_documented():
    sections = {"## `[machine]`": MachineChoice, "`[machine.chip]`": Chip,
                "`[machine.core]`": Core, "`[machine.router]`": Router,
                "`[machine.link]`": Link, "## `[faults]`": Faults,
                "## `[network]`": NetworkChoice,
                "## `[mapping]`": MappingOptions, "## `[run]`": RunOptions}
    for section, cls in sections.items():
        keys = set(keys_of(cls)) - ({"core", "router", "link"} if cls is Chip else set())
        assert keys == documented_keys(section), section
    for name, entry in LIBRARY.items():
        assert set(keys_of(entry.params)) == documented_keys(f'`library = "{name}"`'), name


def test_every_dataset_is_documented():
    text = (REPO / "docs" / "results.md").read_text()
    result = run_config(GOOD + '\n[record]\nexc = ["v", "i_exc"]\n')
    assert "state/exc/v" in result.datasets and "state/exc/i_exc" in result.datasets
    for path in result.datasets:
        group, name = path.rsplit("/", 1)
        group = re.sub(r"^(spikes|state)/\w+", r"\1/<population>", group)
        name = "<variable>" if group == "state/<population>" else name
        assert f"`/{group}/`" in text and f"| `{name}` |" in text, path
    for key in result.attributes:
        assert f"| `{key}` |" in text, key
