#ifndef CNEUROPOOL_SHIMS_H
#define CNEUROPOOL_SHIMS_H

#include <stddef.h>

/// Hints the CPU to start loading `bytes` bytes from `address` into the cache, one hint per
/// 64-byte line. Spike propagation uses it on the synapse rows of the next neurons to
/// propagate: rows sit at random places in a large synapse array, and without the hint each
/// row start waits on main memory. Has no effect on program semantics.
static inline void neuropool_prefetch(const void *address, size_t bytes) {
    const char *p = (const char *)address;
    for (size_t offset = 0; offset < bytes; offset += 64) {
        __builtin_prefetch(p + offset, 0, 3);
    }
}

/// Hints the CPU to start loading the line at `address` for writing. STDP pairing uses it on
/// the synapses a few places ahead in a post-synaptic neuron's incoming list: they sit at
/// random places in the synapse array, and the hint lets several misses overlap. Has no effect
/// on program semantics.
static inline void neuropool_prefetch_line(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif
