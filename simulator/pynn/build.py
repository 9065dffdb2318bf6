"""Build the neurochip network of a PyNN script and simulate it: what `run` does."""

import dataclasses
import re
from typing import NamedTuple

import numpy as np

import networks
from networks.models import Members
from networks.models.base import initial_values

from ..distribution import world
from ..options import RunOptions, whole_multiple
from ..run import simulate
from .errors import Unsupported
from .values import per_neuron


class PopulationData(NamedTuple):
    """What a run gives one population: spikes as (tick, index) and, per recorded PyNN
    variable, a [1 + ticks, neurons] table whose row 0 is the initial value."""

    spikes: tuple[np.ndarray, np.ndarray]
    states: dict


def neurochip_names(populations) -> list[str]:
    """Each population's name in neurochip (its label made an identifier, made unique)."""
    names, seen = [], set()
    for pop in populations:
        base = re.sub(r"\W", "_", pop.label or "population") or "population"
        base = base if base[0].isalpha() or base[0] == "_" else f"p_{base}"
        name, k = base, 1
        while name in seen:
            k += 1
            name = f"{base}_{k}"
        seen.add(name)
        names.append(name)
    return names


def build_network(state) -> tuple[networks.Network, list[str]]:
    """The neurochip network of every population and projection the script created."""
    net = networks.Network(state.label)
    names = neurochip_names(state.populations)
    made = []
    for pop, name in zip(state.populations, names):
        model = pop.neurochip_model()
        initial = _initial(pop, model)
        recorded = [pop.celltype.variable_map[v.name] for v in pop.recorder.recorded
                    if v.name != "spikes"]
        made.append(net.add_population(name, pop.size, model, initial, recorded))
    index = {id(pop): k for k, pop in enumerate(state.populations)}
    for projection in state.projections:
        for part in projection.parts():
            net.connect(made[index[id(part.pre)]], made[index[id(part.post)]], part.connector,
                        part.weight, part.delay_ticks, part.receptor)
    return net, names


def _initial(pop, model) -> dict:
    where = f"Population {pop.label!r}.initialize"
    initial = {}
    for variable, value in pop.initial_values.items():
        target = pop.celltype.variable_map[variable]
        if target in model.state_variables:
            initial[target] = per_neuron(value, pop.size, f"{where}({variable}=...)")
            if isinstance(initial[target], np.ndarray) and np.isnan(initial[target]).any():
                raise Unsupported(f"{where}: {variable} is set for part of the population "
                                  f"only (through a view); give every neuron a value")
    return initial


def mapping_options(state, names: list[str]):
    """`setup`'s mapping options with sPyNNaker's per-type and per-population limits and
    placement constraints."""
    limits, pins = {}, dict(state.mapping.pins)
    for pop, name in zip(state.populations, names):
        limit = pop._max_atoms_per_core or state.neurons_per_core_of_type.get(
            type(pop.celltype))
        if limit is not None:
            limits[name] = int(limit)
        if pop._pin is not None:
            pins[name] = pop._pin
    return dataclasses.replace(state.mapping, pins=pins, neurons_per_core_of={
        **state.mapping.neurons_per_core_of, **limits})


def simulate_until(state, tstop: float) -> dict:
    """Simulate from t = 0 to `tstop` ms; every MPI rank gets the data of every
    population."""
    ticks = whole_multiple(tstop, state.dt)
    if ticks is None:
        raise Unsupported(f"run: the simulation must end on a whole number of timesteps "
                          f"({state.dt:g} ms; asked to run until {tstop:g} ms)")
    if state.segment_counter > 0 and any(
            isinstance(p.neurochip_model(), networks.SpikeSourcePoisson)
            for p in state.populations):
        raise Unsupported("run after reset(): neurochip's Poisson sources would repeat the "
                          "spikes of the first run exactly (every draw is a function of the "
                          "seed), where PyNN draws new ones; for a new trial call sim.end() "
                          "and build the network again under sim.setup(rng_seed=...)")
    net, names = build_network(state)
    if ticks == 0:
        return _empty(state, net)
    run = RunOptions(duration_ms=ticks * state.dt, timestep_ms=state.dt,
                     fidelity=state.fidelity, seed=state.seed,
                     traffic_window_ms=state.traffic_window_ms)
    comm = world()
    result = simulate(net, state.machine, run, mapping_options(state, names), comm=comm)
    state.result = result
    data = _data(state, net, result) if comm.rank == 0 else None
    return comm.broadcast(data) if comm.size > 1 else data


def _data(state, net, result) -> dict:
    data = {}
    for pop, made in zip(state.populations, net.populations):
        ticks, index = result.spikes(made.name)
        states = {}
        for variable in (v.name for v in pop.recorder.recorded if v.name != "spikes"):
            target = pop.celltype.variable_map[variable]
            first = _first_row(state, made, target)
            table = result.datasets[f"state/{made.name}/{target}"]
            states[variable] = np.vstack([first[None, :], table])
        data[pop._index] = PopulationData((np.asarray(ticks, dtype=np.int64),
                                    np.asarray(index, dtype=np.int64)), states)
    return data


def _first_row(state, made, variable) -> np.ndarray:
    members = [Members(made.model, made.index, 0, made.size, made.initial)]
    return initial_values(members, variable, lambda model: 0.0, state.seed)


def _empty(state, net) -> dict:
    empty = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64))
    return {pop._index: PopulationData(empty, {
        v.name: _first_row(state, made, pop.celltype.variable_map[v.name])[None, :]
        for v in pop.recorder.recorded if v.name != "spikes"})
        for pop, made in zip(state.populations, net.populations)}
