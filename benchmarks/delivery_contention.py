"""Whether two ranks' synaptic delivery slows each other on this machine: the functional
delivery kernel (`simulator.engine.synapses.deliver`) over a Brunel-sized half matrix
(12,500 rows of 625 synapses, 10 bytes each: one rank's share of Brunel's 15.6 M synapses on
two ranks), alone and as two processes at once. The rows do not fit the caches, so delivery
streams them from memory; two ranks on one machine share that memory.

    python -m benchmarks.delivery_contention [--repeats 3]

Each measurement is a fresh process; the figure is synaptic events per second of each.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time

import numpy as np

from .common import write_result

ROWS, PER_ROW, INPUTS, BATCHES, PER_BATCH = 12_500, 625, 12_500, 5_000, 40


def worker() -> None:
    from simulator.engine.synapses import deliver
    rng = np.random.default_rng(0)
    row_ptr = np.arange(ROWS + 1, dtype=np.int64) * PER_ROW
    target = rng.integers(0, INPUTS, ROWS * PER_ROW).astype(np.int32)
    weight = rng.random(ROWS * PER_ROW).astype(np.float32)
    delay = np.full(ROWS * PER_ROW, 15, np.uint16)
    ring = np.zeros((32, INPUTS))
    spikes = np.sort(rng.integers(0, ROWS, BATCHES * PER_BATCH).reshape(BATCHES, PER_BATCH),
                     axis=1)
    payload = np.ones(PER_BATCH)
    deliver(spikes[0], payload, row_ptr, target, weight, delay, ring, 0)
    started = time.perf_counter()
    events = 0
    for tick in range(BATCHES):
        events += deliver(spikes[tick], payload, row_ptr, target, weight, delay, ring, tick)
    print(json.dumps({"events_per_s": events / (time.perf_counter() - started)}))


def measure(together: int) -> list[float]:
    command = [sys.executable, "-m", "benchmarks.delivery_contention", "worker"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
            for _ in range(together)]
    return [json.loads(run.communicate()[0])["events_per_s"] for run in runs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", nargs="?", default="driver", choices=["driver", "worker"])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.mode == "worker":
        worker()
        return
    alone, pairs = [], []
    for _ in range(args.repeats):
        alone += measure(1)
        pairs += measure(2)
    figures = {"alone_events_per_s": alone, "two_at_once_events_per_s": pairs,
               "ratio_of_medians": round(statistics.median(pairs) / statistics.median(alone),
                                         3)}
    print(json.dumps(figures))
    print("wrote", write_result("delivery_contention", figures))


if __name__ == "__main__":
    main()
