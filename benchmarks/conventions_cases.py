"""The small cases that pin down neurochip's spike-timing conventions (docs/conventions.md),
as plain data that neurochip's tests and the Brian2 and NEST scripts all read: one neuron
driven by spike sources, its membrane trace and spikes over a few hundred ticks.

Each input is one source neuron firing in the listed ticks (a tick listed twice fires twice)
onto the cell with `weight` (mV for `lif`, nA for `if_curr_exp`, dimensionless for NIR
nodes) and `delay_ticks`. Weights are exact in single precision, as neurochip stores them.
Plain Python only: the peers' venvs import this file by path.
"""

DT_MS = 0.1

_INPUTS_LIF = [
    {"ticks": [0, 10, 11, 30, 31, 32, 33, 60, 100, 101, 102, 103, 104, 150, 151, 200],
     "weight": 5.0, "delay_ticks": 1},
    {"ticks": [20, 20, 45, 80, 80, 120, 160, 161, 162], "weight": 4.0, "delay_ticks": 3},
    {"ticks": [50, 90, 130, 131, 180], "weight": -3.5, "delay_ticks": 2},
]

CASES = {
    # LIF with delta synapses (NEST iaf_psc_delta), refractory 3 ticks, offset current.
    "lif": {"model": "lif", "duration_ticks": 250, "inputs": _INPUTS_LIF,
            "params": {"tau_m_ms": 10.0, "cm_nf": 1.0, "v_rest_mv": -65.0,
                       "v_reset_mv": -70.0, "v_thresh_mv": -50.0, "tau_refrac_ms": 0.3,
                       "i_offset_na": 1.2}},
    # LIF with exponential currents (NEST iaf_psc_exp), refractory 5 ticks.
    "if_curr_exp": {"model": "if_curr_exp", "duration_ticks": 250, "inputs": [
        {"ticks": [0, 10, 11, 30, 60, 61, 62, 100, 150, 200], "weight": 4.0, "delay_ticks": 1},
        {"ticks": [20, 20, 45, 80, 120, 160, 161], "weight": 3.0, "delay_ticks": 3},
        {"ticks": [50, 90, 130, 180], "weight": -2.5, "delay_ticks": 2}],
        "params": {"tau_m_ms": 10.0, "cm_nf": 1.0, "v_rest_mv": -65.0, "v_reset_mv": -70.0,
                   "v_thresh_mv": -50.0, "tau_refrac_ms": 0.5, "tau_syn_e_ms": 2.0,
                   "tau_syn_i_ms": 5.0, "i_offset_na": 1.2}},
    # A refractory period that is not a whole number of ticks: 0.25 ms at 0.1 ms ticks.
    "lif_refractory_off_grid": {"model": "lif", "duration_ticks": 400, "inputs": [],
                                "params": {"tau_m_ms": 10.0, "cm_nf": 1.0,
                                           "v_rest_mv": -65.0, "v_reset_mv": -70.0,
                                           "v_thresh_mv": -50.0, "tau_refrac_ms": 0.25,
                                           "i_offset_na": 3.0}},
    # NIR LIF (forward Euler, reset to v_reset) and CubaLIF (reset by subtraction).
    "nir_lif": {"model": "nir", "duration_ticks": 250, "inputs": [
        {"ticks": [0, 1, 2, 3, 30, 31, 32, 33, 34, 35, 90, 90, 91, 150], "weight": 6.0,
         "delay_ticks": 1},
        {"ticks": [60, 61, 62, 120], "weight": -4.0, "delay_ticks": 2}],
        "params": {"kind": "LIF", "tau_mem": 0.002, "r": 2.0, "v_leak": 0.0,
                   "v_threshold": 1.0, "v_reset": 0.0, "bias": 0.125, "reset": "value"}},
    "nir_cubalif": {"model": "nir", "duration_ticks": 250, "inputs": [
        {"ticks": [0, 1, 2, 3, 30, 31, 32, 33, 34, 35, 90, 90, 91, 150], "weight": 15.0,
         "delay_ticks": 1},
        {"ticks": [60, 61, 62, 120], "weight": -10.0, "delay_ticks": 3}],
        "params": {"kind": "CubaLIF", "tau_syn": 0.001, "tau_mem": 0.002, "r": 1.0,
                   "v_leak": 0.0, "v_threshold": 1.0, "v_reset": 0.0, "w_in": 1.0,
                   "bias": 0.0625, "reset": "subtract"}},
}

# Spike times (ms) that are and are not whole ticks, for the source convention.
SOURCE_TIMES_MS = [0.0, 0.03, 0.1, 0.17, 0.25, 0.3, 0.55, 0.99, 1.0, 1.05, 2.0]
SOURCE_DURATION_TICKS = 40
