"""The neo output of a small PyNN script on pyNN.nest, stored as the reference for this
backend's (tests/test_pynn_neo.py): block, segment, spike-train and signal structure, units,
annotations, shapes and values.

    python -m benchmarks.pynn_neo [--nest-python PATH]

`scenario(sim)` is the script; this module runs it with pyNN.nest in the NEST venv (on-grid
spikes, as neurochip's), and the test runs the same function with `simulator.pynn`.
Stores benchmarks/results/pynn_neo_nest.json.
"""

import argparse
import json
import subprocess
import sys

NEST_PYTHON = "/work/venvs/nest/bin/python"


def scenario(sim, **setup):
    """Two segments (run, reset, run) of spike sources driving IF_curr_exp cells; spikes of
    all, v of all cells at every step and of two of them (a view) every 0.5 ms."""
    sim.setup(timestep=0.1, min_delay=0.1, **setup)
    source = sim.Population(3, sim.SpikeSourceArray(
        spike_times=[[1.0, 4.3, 9.9], [2.5, 2.6, 7.0], [5.0]]), label="source")
    cells = sim.Population(4, sim.IF_curr_exp(tau_refrac=1.0, tau_syn_E=2.0, tau_syn_I=4.0,
                                              v_thresh=-60.0, i_offset=0.05), label="cells")
    other = sim.Population(2, sim.IF_curr_exp(i_offset=0.2), label="other")
    cells.initialize(v=[-70.0, -66.0, -64.0, -61.0])
    sim.Projection(source, cells, sim.AllToAllConnector(),
                   sim.StaticSynapse(weight=0.6, delay=0.4), receptor_type="excitatory")
    sim.Projection(source, cells, sim.FromListConnector([(0, 3, -0.5, 1.0), (2, 1, -0.8, 0.2)],
                                         column_names=["weight", "delay"]),
                   receptor_type="inhibitory")
    source.record("spikes")
    cells.record(["spikes", "v"])
    other[[0, 1]].record("v", sampling_interval=0.5)
    sim.run(12.0)
    sim.reset()
    sim.run(8.0)
    blocks = {"source": source.get_data(), "cells": cells.get_data(),
              "other": other.get_data()}
    sim.end()
    return blocks


def describe(block) -> dict:
    """What a user reads from a neo Block: names, units, annotations, shapes, values."""
    def quantity(q):
        return [float(q.magnitude), str(q.dimensionality)]

    return {
        "annotations": {k: _plain(v) for k, v in block.annotations.items()},
        "name": block.name,
        "segments": [{
            "name": segment.name,
            "spiketrains": [{
                "units": str(train.units.dimensionality), "t_start": quantity(train.t_start),
                "t_stop": quantity(train.t_stop), "times": train.magnitude.tolist(),
                "annotations": {k: _plain(v) for k, v in train.annotations.items()}}
                for train in segment.spiketrains],
            "analogsignals": [{
                "name": signal.name, "units": str(signal.units.dimensionality),
                "shape": list(signal.shape), "t_start": quantity(signal.t_start),
                "sampling_period": quantity(signal.sampling_period),
                "annotations": {k: _plain(v) for k, v in signal.annotations.items()},
                "array_annotations": {k: _plain(v)
                                      for k, v in signal.array_annotations.items()},
                "values": signal.magnitude.tolist()}
                for signal in segment.analogsignals]}
            for segment in block.segments]}


def _plain(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def nest_side() -> None:
    import nest
    import pyNN
    import pyNN.nest as sim
    blocks = scenario(sim, spike_precision="on_grid", t_flush=500.0)
    print(json.dumps({"nest_version": nest.__version__, "pynn_version": pyNN.__version__,
                      "blocks": {k: describe(b) for k, b in blocks.items()}}))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nest-python", default=NEST_PYTHON)
    args = parser.parse_args(argv)
    done = subprocess.run([args.nest_python, "-c", "from benchmarks.pynn_neo import "
                           "nest_side; nest_side()"], capture_output=True, text=True,
                          check=True)
    from .common import write_result
    print(write_result("pynn_neo_nest", json.loads(done.stdout.strip().splitlines()[-1])))


if __name__ == "__main__":
    main(sys.argv[1:])
