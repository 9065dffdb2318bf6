"""How to map and how to run: the options of the `[mapping]` and `[run]` tables."""

import math
from dataclasses import dataclass, field

import numpy as np

from chips import Machine
from networks.timing import warn_off_grid

from . import bounds
from .errors import ConfigError, check

FIDELITIES = ("functional", "timed", "packet")
PLACERS = ("sequential", "spread", "graph", "toolchain")
SLICINGS = ("balanced", "full")
CONV_STORAGES = ("synapses", "kernels")
PIN_KEYS = ("x", "y", "cores", "chips")
MAX_SEED = bounds.MAX_SEED


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def pin_chips(pin: dict) -> list[tuple[int, int]]:
    """The chips (x, y) a pin names, in the order its slices fill them: a set as listed, a
    range row by row (y outer, x inner)."""
    if "chips" in pin:
        return [(int(x), int(y)) for x, y in pin["chips"]]
    span = lambda v: range(v, v + 1) if isinstance(v, int) else range(v[0], v[1] + 1)  # noqa: E731
    return [(x, y) for y in span(pin["y"]) for x in span(pin["x"])]


def whole_multiple(value: float, unit: float) -> int | None:
    """`value / unit` when it is a whole number (to 1e-9 relative), else None."""
    count = round(value / unit)
    return count if abs(count * unit - value) <= 1e-9 * max(abs(value), unit) else None


@dataclass(frozen=True)
class MappingOptions:
    """How the network is cut into slices and placed on cores (docs/mapping.md).

    `neurons_per_core_of` lowers or raises `neurons_per_core` for the populations it names
    (sPyNNaker's `set_number_of_neurons_per_core` and `max_atoms_per_core`);
    `pins` maps a population name to a chip `{x, y}`, a range of chips (`x` or `y` as
    `[first, last]`) or a set `{chips = [[x, y], ...]}`, optionally with `cores = [first,
    last]`; the slices fill the chips in the order given; `rates_hz` gives a population's
    expected firing rate for the traffic estimates
    and the `graph` placer (others get `default_rate_hz`); `fit_memory` cuts slices small
    enough for a core's data memory; `slicing` cuts slices of equal size ("balanced") or,
    as PACMAN does, full slices and a remainder ("full"); `synapse_cores` split synapse
    cores per receiving slice and `delay_extensions` delay-extension cores sit beside the
    neuron cores (roles.py); `conv_storage = "kernels"` sizes and times a convolution's
    projection as one shared kernel per core instead of a synapse per pair
    (mapping/kernels.py)."""

    neurons_per_core: int = 256
    placer: str = "sequential"
    pins: dict = field(default_factory=dict, hash=False)
    rates_hz: dict = field(default_factory=dict, hash=False)
    default_rate_hz: float = 10.0
    fit_memory: bool = True
    slicing: str = "balanced"
    synapse_cores: int = 0
    delay_extensions: bool = False
    neurons_per_core_of: dict = field(default_factory=dict, hash=False)
    conv_storage: str = "synapses"

    def __post_init__(self) -> None:
        check_bounds(self, "mapping")
        check(self.neurons_per_core >= 1, "neurons_per_core", "be >= 1",
              self.neurons_per_core)
        for name, limit in self.neurons_per_core_of.items():
            check(isinstance(limit, int) and not isinstance(limit, bool) and limit >= 1,
                  f"neurons_per_core_of.{name}", "be a whole number >= 1", limit)
            bounds.check(f"neurons_per_core_of.{name}", limit, "neurons_per_core")
        check(self.placer in PLACERS, "placer", f"be one of {', '.join(PLACERS)}",
              self.placer)
        check(isinstance(self.synapse_cores, int) and not isinstance(self.synapse_cores, bool)
              and 0 <= self.synapse_cores <= 16, "synapse_cores",
              "be a whole number from 0 to 16", self.synapse_cores)
        check(self.conv_storage in CONV_STORAGES, "conv_storage",
              f"be one of {', '.join(CONV_STORAGES)}", self.conv_storage)
        check(self.slicing in SLICINGS, "slicing", f"be one of {', '.join(SLICINGS)}",
              self.slicing)
        check(self.default_rate_hz >= 0, "default_rate_hz", "be >= 0", self.default_rate_hz)
        for name, rate in self.rates_hz.items():
            check(isinstance(rate, (int, float)) and not isinstance(rate, bool)
                  and math.isfinite(rate) and rate >= 0, f"rates_hz.{name}",
                  "be a finite number >= 0", rate)
            bounds.check(f"rates_hz.{name}", rate, "rates_hz")
        for name, pin in self.pins.items():
            where = f"pins.{name}"
            check(isinstance(pin, dict) and set(pin) <= set(PIN_KEYS) and
                  ({"x", "y"} <= set(pin)) != ("chips" in pin), where,
                  "be a table {x, y}, {x = [first, last], y}, or {chips = [[x, y], ...]}, "
                  "each with cores = [first, last] if wanted", pin)
            for key in ("x", "y"):
                if key in pin:
                    check(_whole(pin[key]) or (isinstance(pin[key], (list, tuple))
                                               and len(pin[key]) == 2
                                               and all(map(_whole, pin[key]))
                                               and pin[key][0] <= pin[key][1]),
                          f"{where}.{key}", "be a whole number >= 0 or a range [first, last]",
                          pin[key])
                    check(max(np.ravel(pin[key])) < bounds.MAX_CHIPS, f"{where}.{key}",
                          f"be below {bounds.MAX_CHIPS:,} (a machine's most chips)", pin[key])
            if "chips" in pin:
                check(isinstance(pin["chips"], (list, tuple)) and len(pin["chips"]) >= 1 and
                      all(isinstance(c, (list, tuple)) and len(c) == 2 and all(map(_whole, c))
                          for c in pin["chips"]), f"{where}.chips",
                      "be a list of chip coordinates [[x, y], ...]", pin["chips"])
                check(len(pin["chips"]) <= bounds.MAX_CHIPS
                      and max(max(c) for c in pin["chips"]) < bounds.MAX_CHIPS,
                      f"{where}.chips", f"name at most {bounds.MAX_CHIPS:,} chips, each "
                      f"coordinate below {bounds.MAX_CHIPS:,}", pin["chips"])
            else:
                spans = [pin[k][1] - pin[k][0] + 1 if isinstance(pin[k], (list, tuple)) else 1
                         for k in ("x", "y")]
                check(spans[0] * spans[1] <= bounds.MAX_CHIPS, where,
                      f"name at most {bounds.MAX_CHIPS:,} chips", pin)
            cores = pin.get("cores", [0, 0])
            check(isinstance(cores, (list, tuple)) and len(cores) == 2
                  and all(isinstance(c, int) and not isinstance(c, bool) for c in cores)
                  and 0 <= cores[0] <= cores[1] <= bounds.MAX_CORES, f"{where}.cores",
                  f"be [first, last] core numbers with 0 <= first <= last <= "
                  f"{bounds.MAX_CORES}", cores)

    def slice_limits(self, names: list[str]) -> np.ndarray:
        """The largest slice of each population named in `names`, in that order."""
        for name in self.neurons_per_core_of:
            if name not in names:
                raise ConfigError(f"[mapping] neurons_per_core_of.{name}: {name} is not a "
                                  f"population of the network; the populations are "
                                  f"{', '.join(names)}")
        return np.array([self.neurons_per_core_of.get(n, self.neurons_per_core)
                         for n in names], dtype=np.int64)


@dataclass(frozen=True)
class RunOptions:
    """How long, at what resolution and fidelity, and with which seed to simulate."""

    duration_ms: float = 1000.0
    timestep_ms: float = 1.0
    fidelity: str = "timed"
    seed: int = 0
    traffic_window_ms: float = 10.0
    fabric_domains: int = 1
    ticks_per_inference: int = 0

    def __post_init__(self) -> None:
        check_bounds(self, "run")
        check(self.timestep_ms >= 1e-6, "timestep_ms", "be at least 1e-06 (one nanosecond)"
              if self.timestep_ms > 0 else "be > 0", self.timestep_ms)
        check(self.fabric_domains >= 1, "fabric_domains", "be >= 1", self.fabric_domains)
        check(whole_multiple(self.timestep_ms * 1e6, 1.0) is not None, "timestep_ms",
              "be a whole number of nanoseconds", self.timestep_ms)
        check(self.duration_ms >= self.timestep_ms, "duration_ms",
              f"be at least one timestep ({self.timestep_ms:g} ms)" if self.duration_ms > 0
              else "be > 0", self.duration_ms)
        check(whole_multiple(self.duration_ms, self.timestep_ms) is not None, "duration_ms",
              f"be a whole number of timesteps ({self.timestep_ms:g} ms)", self.duration_ms)
        check(self.traffic_window_ms >= self.timestep_ms, "traffic_window_ms",
              f"be at least one timestep ({self.timestep_ms:g} ms)"
              if self.traffic_window_ms > 0 else "be > 0", self.traffic_window_ms)
        check(whole_multiple(self.traffic_window_ms, self.timestep_ms) is not None,
              "traffic_window_ms", f"be a whole number of timesteps ({self.timestep_ms:g} ms)",
              self.traffic_window_ms)
        check(self.fidelity in FIDELITIES, "fidelity", f"be one of {', '.join(FIDELITIES)}",
              self.fidelity)
        check(0 <= self.seed <= MAX_SEED, "seed", f"be in [0, {MAX_SEED}]", self.seed)
        check(self.ticks_per_inference >= 0, "ticks_per_inference",
              "be >= 0 (0: the workload has no inferences)", self.ticks_per_inference)

    @property
    def timestep_ns(self) -> int:
        return round(self.timestep_ms * 1e6)

    @property
    def duration_ticks(self) -> int:
        return round(self.duration_ms / self.timestep_ms)

    @property
    def window_ticks(self) -> int:
        return round(self.traffic_window_ms / self.timestep_ms)


def check_bounds(options, section: str) -> None:
    """Refuse a number of `options` beyond its bound (`bounds.RULES`), naming the field."""
    for name, value in vars(options).items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            check(isinstance(value, int) or math.isfinite(value), name, "be a finite number",
                  value)
            bounds.check(name, value, f"{section}.{name}")


def check_pins(machine: Machine, mapping: MappingOptions) -> None:
    """Refuse pins to cores beyond the machine's chips."""
    cores = machine.chip.cores
    for name, pin in mapping.pins.items():
        first, last = pin.get("cores", [0, 0])
        if last >= cores:
            raise ConfigError(f"[mapping] pins.{name}.cores must name cores below the "
                              f"{cores} of a {machine.chip.name} chip (got {[first, last]})")


def check_run(machine: Machine, run: RunOptions) -> None:
    """Refuse a run whose options cannot apply to its machine."""
    faults = machine.faults
    later = [f for f in (*faults.dead_links, *faults.dead_chips, *faults.dead_cores)
             if f.from_ms > 0]
    if later and run.fidelity == "functional":
        raise ConfigError(f"[faults] from_ms {later[0].from_ms:g} needs [run] fidelity "
                          f"\"timed\" or \"packet\": functional runs have no time for a "
                          f"fault to happen at")


def check_arguments(network, machine, run, mapping) -> None:
    """Refuse arguments of the wrong kind, naming the argument and what it must be."""
    from networks import Network
    for name, value, kind, example in (
            ("network", network, Network, "networks.Network()"),
            ("machine", machine, Machine, "chips.spinnaker2(2, 2)"),
            ("run", run, RunOptions, "simulator.RunOptions(duration_ms=100.0)"),
            ("mapping", mapping, MappingOptions, "simulator.MappingOptions(256)")):
        if not isinstance(value, kind):
            raise ConfigError(f"{name} must be a {kind.__name__} such as {example} "
                              f"(got {type(value).__name__})")
    if not network.populations:
        raise ConfigError("network must have at least one population; add one with "
                          "Network.add_population")
    check_pins(machine, mapping)
    warn_off_grid(network, run.timestep_ms)
