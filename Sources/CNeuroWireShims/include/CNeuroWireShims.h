#ifndef CNEUROWIRE_SHIMS_H
#define CNEUROWIRE_SHIMS_H

#include <stddef.h>
#include <stdint.h>

/// Whether `neurowire_crc32_fold` can run on this CPU: x86-64 with PCLMULQDQ and SSE4.1.
/// Checked once by the caller; the fold must not be called when this returns 0.
int neurowire_crc32_fold_available(void);

/// Continues a pre-inverted CRC-32 (IEEE 802.3, reflected, zlib's polynomial) register
/// over `length` bytes by carry-less multiplication: four 128-bit lanes fold 64 bytes per
/// step (from 64 bytes on), then one lane folds 16 at a time, then a Barrett reduction.
/// `length` must be at least 16 and a multiple of 16; the caller does the rest with tables.
/// O(length), about 0.1 cycle per byte against ~1.2 for slicing-by-8.
uint32_t neurowire_crc32_fold(uint32_t reg, const unsigned char *bytes, size_t length);

/// Whether the varint group routines below can run on this CPU (x86-64 with SSSE3 and
/// SSE4.1); builds their tables on the first call. Must return 1 before either is called.
int neurowire_varint_groups_available(void);

/// Decodes varint gaps (protocol/SPEC.md §5) eight per step while every one of the eight is
/// one byte, or two with a non-zero second byte, `count` ids remain to be written, 16 bytes
/// can be read at `*offset` (of `available`) and the eighth id stays below `limit`. Each id is
/// the previous (`*id` first) plus its gap plus one. Stops at the first step that does not
/// qualify, for the checked path to decode or refuse. Advances `*offset` and `*id`; returns
/// the ids written to `out`, a multiple of 8. O(ids).
size_t neurowire_varint_groups_decode(const unsigned char *bytes, size_t available, size_t *offset,
                                      uint16_t *out, size_t count, int32_t *id, int32_t limit);

/// Encodes the gaps before `ids[0..<count]` (the first after `previous`) as varints, eight per
/// step while all eight are below 16,384 and 16 bytes can be stored at `*offset` (of
/// `capacity`): every step stores 16 bytes and keeps 8 to 16 of them. The ids must increase.
/// Advances `*offset`; returns the ids encoded, a multiple of 8. O(ids).
size_t neurowire_varint_groups_encode(const uint16_t *ids, size_t count, int32_t previous,
                                      unsigned char *bytes, size_t capacity, size_t *offset);

#endif
