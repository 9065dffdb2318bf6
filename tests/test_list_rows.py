"""Rows of explicit synapse lists counted from their structure: the counting kernel against
a brute-force count, and convolution slices whose estimated memory bounds the exact one."""

import nir
import numpy as np
import pytest

import chips
from networks.nir import read_nir
from simulator import MappingOptions, map_network
from simulator.mapping.list_rows import GRID_POINTS, _most_rows
from simulator.mapping.resources import estimate_memory


def brute_force_rows(pre, post, n_post, n):
    """The most distinct pre of any aligned window of n posts, by sets."""
    windows = {}
    for a, b in zip(pre.tolist(), post.tolist()):
        windows.setdefault(b // n, set()).add(a)
    return max((len(s) for s in windows.values()), default=0)


def test_the_row_kernel_counts_distinct_sources_per_window():
    rng = np.random.default_rng(1)
    pre, post = rng.integers(0, 40, 600), rng.integers(0, 90, 600)
    key = np.sort(pre * 90 + post)
    sizes = np.arange(1, 91)
    counted = _most_rows(key // 90, key % 90, 90, sizes)
    assert counted.tolist() == [brute_force_rows(pre, post, 90, n) for n in sizes]
    assert GRID_POINTS >= 16


def conv_network(kernel, channels, side=32):
    w = np.random.default_rng(0).normal(size=(channels, channels, kernel, kernel))
    n = channels * side * side
    graph = nir.NIRGraph(nodes={
        "input": nir.Input(input_type={"input": np.array([channels, side, side])}),
        "conv": nir.Conv2d(input_shape=(side, side), weight=w, stride=1, padding=kernel // 2,
                           dilation=1, groups=1, bias=np.zeros(channels)),
        "lif": nir.IF(r=np.ones(n), v_threshold=np.ones(n), v_reset=np.zeros(n))},
        edges=[("input", "conv"), ("conv", "lif")], type_check=False)
    return read_nir(graph, 1.0)


@pytest.mark.parametrize("kernel,channels", [(1, 32), (3, 16)])
def test_a_convolution_slice_is_sized_by_its_structure(kernel, channels):
    """A 1x1 convolution's slices were estimated below what they need (the random model
    spreads its sources), a 3x3 one's at twice: now the estimate bounds the exact count
    from above, within 2 %, and every slice fits its core."""
    net = conv_network(kernel, channels)
    mapping = map_network(net, chips.spinnaker2(4, 4), MappingOptions(256, "spread"))
    lif = net.population("lif").index
    mine = mapping.slices.of_population(lif)
    pre_slices = np.array([len(mapping.slices.of_population(p.index)) for p in net.populations])
    sizes = mapping.slices.size[mine]
    estimate, _ = estimate_memory(net, lif, sizes, pre_slices, mapping.machine.chip)
    exact = mapping.memory.total[mine]
    assert np.all(estimate >= exact)
    assert estimate.max() <= 1.02 * exact.max()       # the fullest slice, within 2 %
    assert exact.max() <= mapping.machine.chip.core.data_bytes
    assert exact.max() >= 0.9 * mapping.machine.chip.core.data_bytes   # slices not too small
