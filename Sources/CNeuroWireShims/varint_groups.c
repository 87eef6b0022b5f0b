// Varint spike-set gaps of one and two bytes, eight per step with SSSE3 byte shuffles, after
// Plaisance, Kurz and Lemire, "Vectorized VByte Decoding" (2015), and Lemire et al.'s Stream
// VByte: the high bits of the bytes index a table of shuffles, so no branch depends on a byte.
#include "CNeuroWireShims.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <pthread.h>

// Decoding, per mask of 8 high bits: the shuffle that puts the first four varints' bytes in
// four 16-bit lanes (0x80: a zero byte), the bytes they take (0: not all one or two bytes
// within the eight) and which bytes are a two-byte varint's second byte.
static uint64_t decode_shuffle[256];
static uint8_t decode_length[256];
static uint8_t decode_seconds[256];
// Encoding, per mask of which of eight gaps take two bytes: the shuffle that drops the zero
// high byte of every one-byte gap.
static uint8_t encode_shuffle[256][16];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void build_tables(void) {
    for (int mask = 0; mask < 256; mask++) {
        uint64_t shuffle = 0;
        int at = 0, valid = 1;
        uint8_t seconds = 0;
        for (int slot = 0; slot < 4 && valid; slot++) {
            uint64_t low = (uint64_t)at, high = 0x80;
            if (mask >> at & 1) {
                if (at + 1 >= 8 || (mask >> (at + 1) & 1)) { valid = 0; break; }
                high = (uint64_t)(at + 1);
                seconds |= (uint8_t)(1u << (at + 1));
                at += 2;
            } else {
                at += 1;
            }
            shuffle |= (low | high << 8) << (16 * slot);
        }
        decode_shuffle[mask] = valid ? shuffle : 0;
        decode_length[mask] = valid ? (uint8_t)at : 0;
        decode_seconds[mask] = valid ? seconds : 0;

        int out = 0;
        for (int lane = 0; lane < 8; lane++) {
            encode_shuffle[mask][out++] = (uint8_t)(2 * lane);
            if (mask >> lane & 1) encode_shuffle[mask][out++] = (uint8_t)(2 * lane + 1);
        }
        while (out < 16) encode_shuffle[mask][out++] = 0x80;
    }
}

int neurowire_varint_groups_available(void) {
    __builtin_cpu_init();
    if (!(__builtin_cpu_supports("ssse3") && __builtin_cpu_supports("sse4.1"))) return 0;
    pthread_once(&tables_once, build_tables);
    return 1;
}

__attribute__((target("ssse3,sse4.1")))
size_t neurowire_varint_groups_decode(const unsigned char *bytes, size_t available, size_t *offset,
                                      uint16_t *out, size_t count, int32_t *id, int32_t limit) {
    size_t at = *offset, written = 0;
    int32_t last = *id;
    const __m128i low7 = _mm_set1_epi16(0x7F), high7 = _mm_set1_epi16(0x3F80);
    const __m128i one = _mm_set1_epi16(1), zero = _mm_setzero_si128();
    while (written + 8 <= count && at + 16 <= available) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(bytes + at));
        const unsigned highs = (unsigned)_mm_movemask_epi8(v);
        const unsigned zeros = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, zero));
        const unsigned m1 = highs & 0xFF;
        const unsigned l1 = decode_length[m1];
        if (l1 == 0) break;
        const unsigned m2 = (highs >> l1) & 0xFF;
        const unsigned l2 = decode_length[m2];
        if (l2 == 0) break;
        // A zero second byte is a non-minimal varint: the checked path reports it.
        const unsigned seconds = decode_seconds[m1] | (unsigned)decode_seconds[m2] << l1;
        if (zeros & seconds) break;
        // The second four start l1 bytes in; 0x80 + l1 still has its high bit (a zero lane).
        const uint64_t s2 = decode_shuffle[m2] + 0x0101010101010101ULL * l1;
        const __m128i lanes = _mm_shuffle_epi8(v, _mm_set_epi64x((long long)s2, (long long)decode_shuffle[m1]));
        // lo | hi << 8 → lo & 0x7F | hi << 7, plus one: the distance to the previous id.
        __m128i steps = _mm_or_si128(_mm_and_si128(lanes, low7), _mm_and_si128(_mm_srli_epi16(lanes, 1), high7));
        steps = _mm_add_epi16(steps, one);
        // The last id in 32 bits (8 steps of up to 16,384 pass 16 bits): madd pairs, then sum.
        __m128i pairs = _mm_madd_epi16(steps, one);
        pairs = _mm_add_epi32(pairs, _mm_shuffle_epi32(pairs, 0x4E));
        pairs = _mm_add_epi32(pairs, _mm_shuffle_epi32(pairs, 0xB1));
        const int32_t end = last + _mm_cvtsi128_si32(pairs);
        if (end >= limit) break;
        // Prefix sums in 16-bit lanes: no lane passes the last id, which is below 65,536.
        steps = _mm_add_epi16(steps, _mm_slli_si128(steps, 2));
        steps = _mm_add_epi16(steps, _mm_slli_si128(steps, 4));
        steps = _mm_add_epi16(steps, _mm_slli_si128(steps, 8));
        const __m128i ids = _mm_add_epi16(steps, _mm_set1_epi16((short)last));
        _mm_storeu_si128((__m128i *)(out + written), ids);
        last = end;
        written += 8;
        at += l1 + l2;
    }
    *offset = at;
    *id = last;
    return written;
}

__attribute__((target("ssse3,sse4.1")))
size_t neurowire_varint_groups_encode(const uint16_t *ids, size_t count, int32_t previous,
                                      unsigned char *bytes, size_t capacity, size_t *offset) {
    size_t at = *offset, done = 0;
    __m128i before = _mm_set1_epi16((short)previous);
    const __m128i one = _mm_set1_epi16(1), low7 = _mm_set1_epi16(0x7F), top = _mm_set1_epi16(0x80);
    const __m128i seven = _mm_set1_epi16(0x7F00), tooLong = _mm_set1_epi16((short)0xC000);
    while (done + 8 <= count && at + 16 <= capacity) {
        const __m128i current = _mm_loadu_si128((const __m128i *)(ids + done));
        // Each lane's previous id: the lane before, or the last id of the block before.
        const __m128i previousIds = _mm_alignr_epi8(current, before, 14);
        const __m128i gaps = _mm_sub_epi16(_mm_sub_epi16(current, previousIds), one);
        if (!_mm_testz_si128(gaps, tooLong)) break;  // a gap of 16,384 or more: three bytes
        const __m128i two = _mm_cmpgt_epi16(gaps, low7);
        const __m128i lanes = _mm_or_si128(_mm_or_si128(_mm_and_si128(gaps, low7), _mm_and_si128(two, top)),
                                           _mm_and_si128(_mm_slli_epi16(gaps, 1), seven));
        const unsigned mask = (unsigned)_mm_movemask_epi8(_mm_packs_epi16(two, _mm_setzero_si128())) & 0xFF;
        const __m128i packed = _mm_shuffle_epi8(lanes, _mm_loadu_si128((const __m128i *)encode_shuffle[mask]));
        _mm_storeu_si128((__m128i *)(bytes + at), packed);
        at += 8 + (size_t)__builtin_popcount(mask);
        before = current;
        done += 8;
    }
    *offset = at;
    return done;
}

#else

int neurowire_varint_groups_available(void) { return 0; }
size_t neurowire_varint_groups_decode(const unsigned char *bytes, size_t available, size_t *offset,
                                      uint16_t *out, size_t count, int32_t *id, int32_t limit) {
    (void)bytes; (void)available; (void)offset; (void)out; (void)count; (void)id; (void)limit;
    return 0;
}
size_t neurowire_varint_groups_encode(const uint16_t *ids, size_t count, int32_t previous,
                                      unsigned char *bytes, size_t capacity, size_t *offset) {
    (void)ids; (void)count; (void)previous; (void)bytes; (void)capacity; (void)offset;
    return 0;
}

#endif
