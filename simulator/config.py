"""Read a TOML config into a machine, a network and the mapping and run options.

Every key is checked here, once; an unknown key or a bad value is a `ConfigError` whose
message names the table, the key and what it must be.
"""

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import chips
from networks import Network, Normal, Uniform
from networks.evnn import EvnnSource
from networks.library import LIBRARY
from networks.nir import NIRSource

from .errors import ConfigError
from .options import MappingOptions, RunOptions, check_run
from .overrides import with_overrides
from .tables import USER_ERRORS, coerce, from_table

TABLES = ("machine", "network", "mapping", "run", "record", "initial", "faults")
INITIAL_VALUE = float | Uniform | Normal | tuple[float, ...]
MACHINE_PARTS = {"chip": chips.Chip, "core": chips.Core, "router": chips.Router,
                 "link": chips.Link, "energy": chips.Energy,
                 "neuron_cycles": chips.NeuronCycles}
CHIP_PARTS = ("core", "router", "link", "energy", "neuron_cycles")


@dataclass(frozen=True)
class MachineChoice:
    """The `[machine]` keys besides the part tables: a preset and its geometry."""

    preset: str = "spinnaker2"
    width: int | None = None
    height: int | None = None
    wrap: bool | None = None
    layout: str | None = None
    boards: str | None = None


@dataclass(frozen=True)
class NetworkChoice:
    """The `[network]` keys: a network from the library and its parameters, a NIR graph
    (path relative to the config file) with its input spike file and reset, or an EvNN
    checkpoint with its input file."""

    library: str = ""
    params: dict | None = None
    nir: str = ""
    evnn: str = ""
    input: str = ""
    reset: str = ""
    reset_delay: bool | None = None
    dt_ms: float = 0.0
    bias_start: str = ""
    encoder: str = ""
    frame_ticks: int = 0


@dataclass(frozen=True)
class Config:
    """Everything a run needs, checked."""

    machine: chips.Machine
    network_name: str
    network_params: object
    mapping: MappingOptions
    run: RunOptions
    text: str = ""
    record: tuple[tuple[str, tuple[str, ...]], ...] = ()
    initial: tuple[tuple[str, dict], ...] = ()

    def build_network(self) -> Network:
        """The network, built for this run's timestep, with the `[record]` variables."""
        from_file = isinstance(self.network_params, (NIRSource, EvnnSource))
        try:
            if from_file:
                network = self.network_params.build(self.run.timestep_ms)
            else:
                network = LIBRARY[self.network_name].build(self.network_params,
                                                           self.run.timestep_ms)
        except USER_ERRORS as err:
            section = "network" if from_file else "network.params"
            raise ConfigError(f"[{section}] {err}") from None
        names = [p.name for p in network.populations]
        for name, variables in self.record:
            if name not in names:
                raise ConfigError(f"[record] {name} is not a population of the network; the "
                                  f"populations are {', '.join(names)}")
            try:
                network.record(network.population(name), variables)
            except USER_ERRORS as err:
                raise ConfigError(f"[record] {err}") from None
        for name, values in self.initial:
            if name not in names:
                raise ConfigError(f"[initial] {name} is not a population of the network; the "
                                  f"populations are {', '.join(names)}")
            try:
                network.initialize(network.population(name), **values)
            except USER_ERRORS as err:
                raise ConfigError(f"[initial.{name}] {err}") from None
        return network


def load_config(path: str | Path, overrides=()) -> Config:
    """Read and check the config file at `path`, with `--set` style `overrides`
    (`section.key=value`) applied first."""
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist; give the path of a TOML "
                          f"file such as examples/cuba.toml") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"config file {path} cannot be read ({err}); give a readable "
                          f"UTF-8 TOML file") from None
    if overrides:
        text = with_overrides(text, overrides, str(path))
    return parse_config(text, source=str(path))


def parse_config(text: str, source: str = "config") -> Config:
    """Check the TOML `text` and build the machine and options it describes."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{source} is not valid TOML ({err}); fix the syntax there") from None
    for table in document:
        if table not in TABLES:
            raise ConfigError(f"[{table}] is not a known table; the tables are "
                              f"{', '.join(TABLES)}")
    machine = _machine(document.get("machine", {}))
    faults = from_table(chips.Faults, document.get("faults", {}), "faults")
    machine = _replace(machine, "faults", faults=faults)
    mapping = from_table(MappingOptions, document.get("mapping", {}), "mapping")
    run = from_table(RunOptions, document.get("run", {}), "run")
    name, params = _network(document.get("network", {}), Path(source).parent)
    record = _record(document.get("record", {}))
    initial = _initial(document.get("initial", {}))
    config = Config(machine, name, params, mapping, run, text, record, initial)
    config.build_network()
    check_run(machine, run)
    return config


def _machine(table) -> chips.Machine:
    if not isinstance(table, dict):
        raise ConfigError(f"[machine] must be a table of keys (got {table!r})")
    parts = {k: table[k] for k in MACHINE_PARTS if k in table}
    choice = from_table(MachineChoice, {k: v for k, v in table.items() if k not in parts},
                        "machine")
    if choice.preset not in chips.PRESETS:
        raise ConfigError(f"[machine] preset must be one of {', '.join(chips.PRESETS)} "
                          f"(got {choice.preset!r})")
    geometry = {k: getattr(choice, k) for k in ("width", "height", "wrap", "layout", "boards")
                if getattr(choice, k) is not None}
    machine = chips.PRESETS[choice.preset]()
    chip = machine.chip
    changed = {name: from_table(MACHINE_PARTS[name], parts[name], f"machine.{name}",
                                base=getattr(chip, name))
               for name in CHIP_PARTS if name in parts}
    if changed:  # at once: a core's levels and the energy per level must agree
        section = f"machine.{next(iter(changed))}" if len(changed) == 1 else "machine"
        chip = _replace(chip, section, **changed)
    if "chip" in parts:
        chip = from_table(chips.Chip, parts["chip"], "machine.chip", base=chip)
    return _replace(machine, "machine", chip=chip, **geometry)


def _replace(obj, section: str, **changes):
    try:
        return replace(obj, **changes)
    except USER_ERRORS as err:
        raise ConfigError(f"[{section}] {err}") from None


def _record(table) -> tuple:
    if not isinstance(table, dict):
        raise ConfigError(f"[record] must be a table of keys (got {table!r})")
    return tuple((name, coerce(variables, tuple[str, ...], f"[record] {name}"))
                 for name, variables in table.items())


def _initial(table) -> tuple:
    if not isinstance(table, dict):
        raise ConfigError(f"[initial] must be a table of populations (got {table!r})")
    out = []
    for name, values in table.items():
        if not isinstance(values, dict):
            raise ConfigError(f"[initial.{name}] must be a table of state variables, e.g. "
                              f"[initial.{name}] v = -65.0 (got {values!r})")
        out.append((name, {variable: coerce(value, INITIAL_VALUE, f"[initial.{name}] {variable}")
                           for variable, value in values.items()}))
    return tuple(out)


def _network(table, folder: Path):
    choice = from_table(NetworkChoice, table, "network")
    nir_only = [key for key in ("reset", "reset_delay", "dt_ms", "bias_start", "encoder",
                                "frame_ticks")
                if getattr(choice, key) not in ("", None, 0.0)]
    if choice.evnn:
        if choice.library or choice.params is not None or choice.nir or nir_only:
            raise ConfigError("[network] evnn excludes library, params, nir and reset; give "
                              "the checkpoint and its input file alone")
        if not choice.input:
            raise ConfigError("[network] evnn needs input = \"tokens.npz\" (an .npz file "
                              "holding tokens or x rows)")
        return "evnn", EvnnSource(str(folder / choice.evnn), str(folder / choice.input))
    if choice.nir:
        if choice.library or choice.params is not None:
            raise ConfigError("[network] nir and library/params exclude each other; give "
                              "either a NIR file or a library network")
        return "nir", NIRSource(str(folder / choice.nir),
                                str(folder / choice.input) if choice.input else "",
                                choice.reset, choice.reset_delay, choice.dt_ms,
                                choice.bias_start or "first_input", choice.encoder,
                                choice.frame_ticks)
    if choice.input or nir_only:
        raise ConfigError(f"[network] {'input' if choice.input else nir_only[0]} belongs to a "
                          f"NIR or EvNN network; give nir = \"model.nir\" or evnn = "
                          f"\"model.npz\" too, or remove it")
    if choice.library not in LIBRARY:
        raise ConfigError(f"[network] library must be one of {', '.join(LIBRARY)} "
                          f"(got {choice.library!r})")
    params = from_table(LIBRARY[choice.library].params, choice.params or {}, "network.params")
    return choice.library, params
