extension NetworkDescription {
    /// Parse of `defaultFileText` with file `"<built-in>"`. A test proves it parses.
    public static func builtInDefault() -> NetworkDescription {
        builtIn(defaultFileText)
    }

    /// Parse of `threePoolFileText` with file `"<built-in>"`. A test proves it parses.
    public static func builtInThreePool() -> NetworkDescription {
        builtIn(threePoolFileText)
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

    /// The built-in default network: a two-class discrimination task learned by reward. Pool
    /// `input` (populations A and B) projects with plastic all-to-all synapses onto two output
    /// pools, `left` and `right` (E 30 + I 10 each, cross-inhibiting); the controller runs 240
    /// training and 60 test trials of 100 ms and broadcasts dopamine by the answer. Its comments
    /// make it the example users copy; docs/NETWORK-FORMAT.md repeats it.
    public static let defaultFileText = #"""
        # NeuroBus network file: the built-in default network, a two-class task learned by reward.
        # Pool `input` holds two groups of neurons, A and B. Each trial drives one of them for 100 ms;
        # the network answers with the output pool whose E population fires more in those 100 ms
        # (`left` stands for A, `right` for B), and the controller broadcasts dopamine by how the
        # answer compares with its recent success. The plastic input synapses start equal, so the
        # untrained network answers at chance; 240 training trials teach it, and 60 test trials,
        # with nothing broadcast, measure what it learned.
        # Every key, default and rule is described in docs/NETWORK-FORMAT.md; the task, step by step,
        # in docs/TUTORIAL.md. Neuron ranges such as [0, 128] are half-open: neurons 0 to 127.

        [network]
        name = "default"        # letters, digits, _ - . (1-64 bytes)
        format = 2              # physical units: ms, mV, Hz (format 1: raw integer pools)
        seed = 2026             # every random draw (connections, delays, Poisson input, trial order)
        mode = "lockstep"       # "lockstep": reproducible, as fast as the slowest node; or "realtime"
        tick_us = 1000          # microseconds per tick (1 tick = 1 ms = the resolution)

        # Ports below 32768 stay out of Linux's ephemeral range, so no outgoing connection
        # can ever be given one of them (a TCP connect to an unused ephemeral port can meet itself).
        # `neurobus up` without a file picks free ports instead.
        [controller]
        control = "tcp://127.0.0.1:27100"   # controller's ROUTER socket (requests from nodes)
        publish = "tcp://127.0.0.1:27101"   # controller's PUB socket (ticks, modulation, commands)

        # The task: trials of 100 ms stimulus + 200 ms gap, labels in a seeded balanced order.
        [task]
        labels = ["A", "B"]
        trial_ms = 100.0
        gap_ms = 200.0
        train_trials = 240
        test_trials = 60
        decide_to_ms = 100.0    # count the readouts' spikes from the trial's start to 100 ms
        reward_lag_ms = 20.0    # and broadcast the dopamine 20 ms later
        dopamine = 200          # level for a correct answer (128 = baseline)
        reward = "contingent"   # or "random": the control, reward regardless of the answer
        expectation_trials = 20  # dopamine = 128 + (200 − 128)·(reward − mean reward of ~20 trials)

          [[task.readout]]
          label = "A"
          population = "left.E"

          [[task.readout]]
          label = "B"
          population = "right.E"

        # One [[pool]] per node process, made of populations of leaky integrate-and-fire neurons.
        [[pool]]
        name = "input"
        endpoint = "tcp://127.0.0.1:27110"  # the node's PUB socket (its spikes)

          [[pool.population]]
          name = "A"
          size = 40
          kind = "excitatory"
          tau_m = 20.0          # membrane time constant, ms
          v_threshold = 20.0    # mV above rest
          v_reset = 10.0        # mV above rest
          t_ref = 2.0           # refractory period, ms

          [[pool.population]]
          name = "B"
          size = 40
          kind = "excitatory"
          tau_m = 20.0
          v_threshold = 20.0
          v_reset = 10.0
          t_ref = 2.0

        # Two output pools of 30 excitatory and 10 inhibitory neurons; each one's I population
        # inhibits the other's E population, so one output wins a trial.
        [[pool]]
        name = "left"
        endpoint = "tcp://127.0.0.1:27111"
        stdp = true             # eligibility traces on this pool's incoming plastic synapses
        tau_dopamine = 50.0     # ms for a dopamine broadcast to decay back to baseline

          [[pool.population]]
          name = "E"
          size = 30
          kind = "excitatory"
          tau_m = 20.0
          v_threshold = 20.0
          v_reset = 10.0
          t_ref = 2.0
          v_init = { uniform = [0.0, 10.0] }   # mV, drawn per neuron

          [[pool.population]]
          name = "I"
          size = 10
          kind = "inhibitory"
          tau_m = 10.0
          v_threshold = 20.0
          v_reset = 10.0
          t_ref = 1.0

        [[pool]]
        name = "right"
        endpoint = "tcp://127.0.0.1:27112"
        stdp = true
        tau_dopamine = 50.0

          [[pool.population]]
          name = "E"
          size = 30
          kind = "excitatory"
          tau_m = 20.0
          v_threshold = 20.0
          v_reset = 10.0
          t_ref = 2.0
          v_init = { uniform = [0.0, 10.0] }

          [[pool.population]]
          name = "I"
          size = 10
          kind = "inhibitory"
          tau_m = 10.0
          v_threshold = 20.0
          v_reset = 10.0
          t_ref = 1.0

        # Every input neuron reaches every output E neuron with the same plastic weight: reward-
        # modulated STDP (eligibility traces turned into weight changes by dopamine) does the rest.
        [[projection]]
        from = "input"
        to = "left.E"
        rule = "all_to_all"     # NEST's connection rules: all_to_all, pairwise_bernoulli, fixed_indegree, …
        weight = 0.5            # mV
        delay = { uniform = [1.0, 5.0] }   # ms, drawn per connection
        synapse = "stdp"
        a_minus = 1.1           # depression slightly stronger than potentiation
        tau_elig = 200.0        # ms: eligibility lasts past the decision and the reward lag
        learning_rate = 0.5
        w_max = 3.0             # mV

        [[projection]]
        from = "input"
        to = "right.E"
        rule = "all_to_all"
        weight = 0.5
        delay = { uniform = [1.0, 5.0] }
        synapse = "stdp"
        a_minus = 1.1
        tau_elig = 200.0
        learning_rate = 0.5
        w_max = 3.0

        # Cross-inhibition: E → I inside a pool, I → the other pool's E.
        [[projection]]
        from = "left.E"
        to = "left.I"
        rule = "pairwise_bernoulli"
        p = 0.5
        weight = 2.0
        delay = 1.0

        [[projection]]
        from = "left.I"
        to = "right.E"
        rule = "pairwise_bernoulli"
        p = 0.5
        weight = -3.0
        delay = 1.0

        [[projection]]
        from = "right.E"
        to = "right.I"
        rule = "pairwise_bernoulli"
        p = 0.5
        weight = 2.0
        delay = 1.0

        [[projection]]
        from = "right.I"
        to = "left.E"
        rule = "pairwise_bernoulli"
        p = 0.5
        weight = -3.0
        delay = 1.0

        # Poisson input: background noise on the outputs all the time, and the stimulus on input.A
        # or input.B only during the trials of that label.
        [[generator]]
        kind = "poisson"
        to = "left.E"
        rate_hz = 1000.0        # total events per second into each neuron
        weight = 0.5            # mV per event

        [[generator]]
        kind = "poisson"
        to = "right.E"
        rate_hz = 1000.0
        weight = 0.5

        [[generator]]
        kind = "poisson"
        to = "input.A"
        rate_hz = 2500.0
        weight = 0.5
        during = "A"

        [[generator]]
        kind = "poisson"
        to = "input.B"
        rate_hz = 2500.0
        weight = 0.5
        during = "B"

        """#

    /// A three-pool network for exercising the runtime: sensory → association ⇄ motor in the
    /// integer units of format 1, with a Poisson input on sensory, a reward on motor activity,
    /// two scheduled modulations and a feedback loop. Its activity is not physiological (rates
    /// of 50–100 Hz, weights driven to their bounds); the determinism, failover, snapshot and
    /// deployment tests and `deploy/` use it because it keeps every pool busy.
    /// `examples/three-pools.toml` is the same file.
    public static let threePoolFileText = #"""
        # NeuroBus network file: three pools that keep the runtime busy (deployment, failover and
        # determinism tests). Not a model: its rates (50-100 Hz) and weights are not physiological;
        # the built-in default network (`neurobus network default`) is the place to start a model.
        # Every key, default and rule is described in docs/NETWORK-FORMAT.md.
        # Neuron ranges such as [0, 128] are half-open: neurons 0 to 127.
        # Weight and delay ranges such as [2, 4] are inclusive.

        [network]
        name = "three-pools"    # letters, digits, _ - . (1-64 bytes)
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
