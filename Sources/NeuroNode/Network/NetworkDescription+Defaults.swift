extension NetworkDescription {
    /// Parse of `defaultFileText` with file `"<built-in>"`. A test proves it parses.
    public static func builtInDefault() -> NetworkDescription {
        builtIn(defaultFileText)
    }

    /// Parse of `loopExampleText` with file `"<built-in>"`. A test proves it parses.
    public static func builtInLoopExample() -> NetworkDescription {
        builtIn(loopExampleText)
    }

    private static func builtIn(_ text: String) -> NetworkDescription {
        do {
            return try parse(Array(text.utf8), file: "<built-in>")
        } catch {
            preconditionFailure("a built-in network file is invalid: \(error)")
        }
    }

    /// The built-in default network: sensory → association ⇄ motor, with a Poisson input on
    /// sensory, a reward on motor activity and two scheduled modulations. Its comments make it
    /// the example users copy; docs/NETWORK-FORMAT.md repeats it.
    public static let defaultFileText = #"""
        # NeuroBus network file: the built-in default network.
        # Every key, default and rule is described in docs/NETWORK-FORMAT.md.
        # Neuron ranges such as [0, 128] are half-open: neurons 0 to 127.
        # Weight and delay ranges such as [2, 4] are inclusive.

        [network]
        name = "default"        # letters, digits, _ - . (1-64 bytes)
        seed = 2026             # pools and projections without a seed derive theirs from it
        mode = "lockstep"       # "lockstep": reproducible, as fast as the slowest node; or "realtime"
        tick_us = 1000          # microseconds per tick (1 tick = 1 ms)

        # Ports below 32768 stay out of Linux's ephemeral range, so no outgoing connection
        # can ever be given one of them (a TCP connect to an unused ephemeral port can meet itself).
        [controller]
        control = "tcp://127.0.0.1:27100"   # controller's ROUTER socket (requests from nodes)
        publish = "tcp://127.0.0.1:27101"   # controller's PUB socket (ticks, modulation, commands)

        # One [[pool]] per node process. Connectivity inside the pool: density (fraction of the
        # other neurons each neuron connects to) or out_degree (exact number of targets).
        [[pool]]
        name = "sensory"
        neurons = 256
        density = 0.05
        endpoint = "tcp://127.0.0.1:27110"  # the node's PUB socket (its spikes)

          # Input: each neuron of [0, 128) receives 12 mV (3072 in Q8.8, 256 = 1 mV) at random
          # ticks, 60 times a second on average (p = 60 * tick_us / 1e6 = 0.06 per tick).
          [[pool.stimulus]]
          neurons = [0, 128]
          kind = "poisson"
          drive = 3072
          rate_hz = 60.0

        [[pool]]
        name = "association"
        neurons = 512
        density = 0.03
        endpoint = "tcp://127.0.0.1:27111"

        [[pool]]
        name = "motor"
        neurons = 128
        density = 0.05
        endpoint = "tcp://127.0.0.1:27112"

        # Projections between pools: every source neuron gets out_degree targets among to_neurons
        # (default: whole pools), weight magnitudes in [low, high] (sign by the source neuron's
        # kind), delays in [low, high] ticks, both drawn uniformly.
        [[projection]]
        from = "sensory"
        to = "association"
        out_degree = 16
        weight = [20, 50]
        delay = [2, 4]

        [[projection]]
        from = "association"
        to = "motor"
        out_degree = 12
        weight = [20, 50]
        delay = [2, 4]

        # Feedback: a loop needs at least one tick of delay somewhere (here 3 to 5).
        [[projection]]
        from = "motor"
        to = "association"
        out_degree = 4
        weight = [10, 30]
        delay = [3, 5]

        # Reward: at the end of every 100-tick window in which motor neurons [0, 64) fired 1400
        # spikes or more, a dopamine pulse of 200 (72 above baseline) applies five ticks later.
        [[reward]]
        pool = "motor"
        neurons = [0, 64]
        every = 100
        min_spikes = 1400
        dopamine = 200
        lag = 5

        # Scheduled broadcasts of neuromodulator levels (0-255).
        [[modulation]]
        at = 2000
        acetylcholine = 160     # at or above 140 opens synaptogenesis

        [[modulation]]
        at = 4000
        cortisol = 60           # above 30 weakens eligible synapses

        """#

    /// Two 64-neuron pools, "left" and "right", projecting into each other with a delay of
    /// exactly one tick, and a Poisson input on left: the smallest network whose lockstep
    /// needs every node's spikes of tick t before tick t + 1. For loop tests and benchmarks.
    public static let loopExampleText = #"""
        # NeuroBus network file: two pools in a one-tick loop.
        [network]
        name = "loop"
        seed = 7
        mode = "lockstep"
        tick_us = 1000

        [controller]
        control = "tcp://127.0.0.1:27120"
        publish = "tcp://127.0.0.1:27121"

        [[pool]]
        name = "left"
        neurons = 64
        density = 0.1
        endpoint = "tcp://127.0.0.1:27122"

          [[pool.stimulus]]
          neurons = [0, 32]
          kind = "poisson"
          drive = 3072          # 12 mV per event
          rate_hz = 60.0

        [[pool]]
        name = "right"
        neurons = 64
        density = 0.1
        endpoint = "tcp://127.0.0.1:27123"

        # Each pool's spikes of tick t reach the other on tick t + 1.
        [[projection]]
        from = "left"
        to = "right"
        out_degree = 8
        weight = [20, 50]
        delay = [1, 1]

        [[projection]]
        from = "right"
        to = "left"
        out_degree = 8
        weight = [20, 50]
        delay = [1, 1]

        """#

    /// A mixed network: integer LIF pools around a Hodgkin–Huxley pool (`model = "hh"`),
    /// sensory → cortex ⇄ motor, with a Poisson input, a dopamine reward for motor activity and
    /// scheduled broadcasts. For the mixed-placement determinism test and `diverge`-style
    /// experiments on the bus.
    public static let mixedExampleText = #"""
        # NeuroBus network file: integer LIF pools around a Hodgkin–Huxley pool.
        [network]
        name = "mixed"
        seed = 2027
        mode = "lockstep"
        tick_us = 1000          # an hh pool needs a multiple of 25 µs (its integration step)

        [controller]
        control = "tcp://127.0.0.1:27140"
        publish = "tcp://127.0.0.1:27141"

        [[pool]]
        name = "sensory"
        neurons = 128
        density = 0.05
        endpoint = "tcp://127.0.0.1:27142"

          [[pool.stimulus]]
          neurons = [0, 64]
          kind = "poisson"
          drive = 3072
          rate_hz = 60.0

        # Hodgkin–Huxley neurons with the connectivity a LIF pool of this seed would have.
        [[pool]]
        name = "cortex"
        model = "hh"
        neurons = 48
        density = 0.05
        endpoint = "tcp://127.0.0.1:27143"

          # 1 mV per tick of drive is 1 µA/cm² for a 1 ms tick: 4 µA/cm², above rheobase.
          [[pool.stimulus]]
          neurons = [0, 16]
          kind = "constant"
          drive = 1024

        [[pool]]
        name = "motor"
        neurons = 64
        density = 0.05
        endpoint = "tcp://127.0.0.1:27144"

        [[projection]]
        from = "sensory"
        to = "cortex"
        out_degree = 8
        weight = [20, 50]
        delay = [1, 3]

        [[projection]]
        from = "cortex"
        to = "motor"
        out_degree = 12
        weight = [30, 60]
        delay = [1, 2]

        [[projection]]
        from = "motor"
        to = "cortex"
        out_degree = 4
        weight = [10, 30]
        delay = [2, 4]

        [[reward]]
        pool = "motor"
        neurons = [0, 32]
        every = 100
        min_spikes = 100
        dopamine = 200
        lag = 5

        [[modulation]]
        at = 1500
        acetylcholine = 160

        [[modulation]]
        at = 3000
        cortisol = 60

        """#
}
