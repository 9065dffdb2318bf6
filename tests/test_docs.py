"""The documentation names every config key and every dataset a run writes."""

import re

from chips import Chip, Core, Energy, Faults, Link, NeuronCycles, Router
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
                "`[machine.link]`": Link, "`[machine.energy]`": Energy,
                "`[machine.neuron_cycles]`": NeuronCycles, "## `[faults]`": Faults,
                "## `[network]`": NetworkChoice,
                "## `[mapping]`": MappingOptions, "## `[run]`": RunOptions}
    for section, cls in sections.items():
        parts = {"core", "router", "link", "energy", "neuron_cycles"}
        keys = set(keys_of(cls)) - (parts if cls is Chip else set())
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


def documented_rows(section: str) -> dict[str, list[str]]:
    """Cells of each key's row in a section of docs/config.md, backticks and quotes removed."""
    text = (REPO / "docs" / "config.md").read_text()
    body = re.split(r"\n(?:##|###) |\n`\[", text.split(section, 1)[1], maxsplit=1)[0]
    rows = {}
    for line in body.splitlines():
        match = re.match(r"^\| `(\w+)` \|(.*)\|$", line)
        if match:
            rows[match[1]] = [c.strip().strip("`").strip('"') for c in match[2].split("|")]
    return rows


def same(cell: str, value) -> bool:
    """Whether a documented default reads as `value` (1,000 separators and TOML spelling)."""
    if isinstance(value, bool):
        return cell == str(value).lower()
    if isinstance(value, (tuple, list)):
        return cell == "[" + ", ".join(str(v) for v in value) + "]"
    if value is None:
        return cell in ("", "none", "(none)", "-")
    if isinstance(value, (int, float)):
        return float(cell.replace(",", "").replace("_", "")) == value
    return cell == str(value)


def test_documented_defaults_are_the_code_defaults():
    import dataclasses

    from chips.presets import SPINNAKER1_CHIP, SPINNAKER2_CHIP
    from networks.library import LIBRARY
    defaults = {"## `[mapping]`": MappingOptions(), "## `[run]`": RunOptions()}
    defaults.update({f'`library = "{name}"`': entry.params() for name, entry in LIBRARY.items()})
    for section, instance in defaults.items():
        for key, cells in documented_rows(section).items():
            assert same(cells[1], getattr(instance, key)), f"{section} {key}: {cells[1]}"
    parts = {"`[machine.chip]`": lambda c: c, "`[machine.core]`": lambda c: c.core,
             "`[machine.router]`": lambda c: c.router, "`[machine.link]`": lambda c: c.link,
             "`[machine.energy]`": lambda c: c.energy,
             "`[machine.neuron_cycles]`": lambda c: c.neuron_cycles}
    for section, part in parts.items():
        rows = documented_rows(section)
        assert rows
        for key, cells in rows.items():
            for column, chip in ((1, SPINNAKER2_CHIP), (2, SPINNAKER1_CHIP)):
                value = getattr(part(chip), key)
                assert not dataclasses.is_dataclass(value)
                assert same(cells[column], value), f"{section} {key}: {cells[column]}"
