// The ZeroMQ wrapper (being written).
