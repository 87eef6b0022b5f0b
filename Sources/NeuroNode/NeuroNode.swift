// The NeuroNode runtime (being written).
