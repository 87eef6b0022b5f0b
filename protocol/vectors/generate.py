#!/usr/bin/env python3
"""Independent NeuroBus wire-protocol encoder/decoder and test-vector generator.

Written from protocol/SPEC.md alone (no Swift code was read).  Run from the repository root:

    python3 protocol/vectors/generate.py

It deletes and rewrites protocol/vectors/{valid,compat,invalid}/ and protocol/vectors/README.md,
then re-reads every file it wrote and checks it with the decoder below (following the
validation order of SPEC §7).  Output is byte-identical on every run (given the same zlib:
the compressed vectors hold zlib.compress(raw, 6), SPEC §6).
"""
import binascii
import json
import os
import struct
import zlib

# ---------------------------------------------------------------- constants (SPEC §3, §4, §8)
MAGIC = b"NB"
MAX_PAYLOAD = 16_777_216            # §8: payload as sent and decompressed
MAX_TEXT = 4096                     # §1
U64_MAX = 2**64 - 1

KINDS = {0x01: "spike_batch", 0x02: "stimulus", 0x03: "modulators", 0x04: "permit",
         0x05: "heartbeat", 0x10: "hello", 0x11: "welcome", 0x12: "ready", 0x20: "command",
         0x21: "command_reply", 0x22: "status_request", 0x23: "status_reply",
         0x24: "task_request", 0x25: "task_reply",
         0x30: "snapshot_request", 0x31: "snapshot_marker", 0x32: "snapshot_announce",
         0x33: "snapshot_chunk", 0x34: "snapshot_ack", 0x7F: "error"}
KIND_CODE = {v: k for k, v in KINDS.items()}

ERRORS = {1: "truncated", 2: "bad_magic", 3: "unsupported_version", 4: "unknown_kind",
          5: "unknown_flag", 6: "length_mismatch", 7: "bad_crc", 8: "oversized",
          9: "bad_encoding", 10: "bad_varint", 11: "count_overflow", 12: "id_beyond_pool",
          13: "unsorted_ids", 14: "bad_value", 15: "trailing_bytes", 16: "bad_text",
          17: "inflate_failed", 18: "bad_padding", 100: "unknown_pool",
          101: "network_mismatch", 102: "not_running", 103: "busy", 104: "unknown_snapshot",
          105: "refused", 199: "internal"}

# Enumerations written as names in the JSON form (§9).
STATE = ["starting", "ready", "running", "paused", "stopping", "stopped", "failed"]  # §4.11
ROLE = {1: "node", 2: "replica", 3: "ctl", 4: "recorder", 5: "injector", 6: "store"}
VERB = {1: "run", 2: "pause", 3: "resume", 4: "step", 5: "stop"}
WELCOME_MODE = ["lockstep", "realtime"]
MOD_MODE = ["at_tick", "on_arrival"]
ACK_STATUS = ["in_progress", "complete", "crc_mismatch", "refused"]
MODULATOR = ["dopamine", "cortisol", "acetylcholine", "serotonin", "noradrenaline"]
ENCODINGS = ["empty", "ids16", "varint", "bitmap", "rice"]               # §5 codes 0..4


class WireError(Exception):
    """A decode failure; .code is a §4.12 error name."""
    def __init__(self, code, detail=""):
        super().__init__(f"{code}: {detail}")
        self.code = code


# ---------------------------------------------------------------- primitives (SPEC §1)
def u8(v): return struct.pack("<B", v)
def u16(v): return struct.pack("<H", v)
def u32(v): return struct.pack("<I", v)
def u64(v): return struct.pack("<Q", v)
def i16(v): return struct.pack("<h", v)


def varint(v):
    """Minimal unsigned LEB128."""
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def text(s):
    raw = s.encode("utf-8")
    assert len(raw) <= MAX_TEXT
    return u16(len(raw)) + raw


# ---------------------------------------------------------------- spike sets (SPEC §5)
def gaps_of(ids):
    return [ids[i] - ids[i - 1] - 1 for i in range(1, len(ids))]


def rice_stream(gaps, k):
    """Rice codes of `gaps`: q = g >> k zero bits, a one bit, then the k low bits of g, least
    significant first.  Bits fill each byte from bit 0 upwards; zero-padded to a byte."""
    bits = []
    for g in gaps:
        bits += [0] * (g >> k) + [1] + [(g >> i) & 1 for i in range(k)]
    out = bytearray((len(bits) + 7) // 8)
    for i, bit in enumerate(bits):
        if bit:
            out[i // 8] |= 1 << (i % 8)
    return bytes(out)


def encode_set(s, N):
    """One spike set from its JSON form {"encoding", "ids"[, "k"]}."""
    enc, ids = s["encoding"], s["ids"]
    if enc == "empty":
        assert not ids
        return u8(0)
    n = len(ids)
    if enc == "ids16":
        return u8(1) + varint(n) + b"".join(u16(i) for i in ids)
    if enc == "varint":
        return u8(2) + varint(n) + varint(ids[0]) + b"".join(varint(g) for g in gaps_of(ids))
    if enc == "bitmap":
        bm = bytearray((N + 7) // 8)
        for i in ids:
            bm[i // 8] |= 1 << (i % 8)
        return u8(3) + varint(n) + bytes(bm)
    if enc == "rice":
        return u8(4) + varint(n) + u8(s["k"]) + u16(ids[0]) + rice_stream(gaps_of(ids), s["k"])
    raise ValueError(enc)


def choose_set(ids, N):
    """NeuroBus's choice (§10.1): smallest encoding, ties to the lower code; Rice k is the
    largest k with 2^k <= 0.69*mean(gap) (clamped 0..15), also trying k-1 and k+1.
    Reading taken here: the comparison is exact, a k tie goes to the smaller k."""
    if not ids:
        return {"encoding": "empty", "ids": []}
    n, gaps = len(ids), gaps_of(ids)
    k0 = 0
    if gaps:                         # 2^k * len(gaps) * 100 <= 69 * sum(gaps), exactly
        while k0 < 15 and 2 ** (k0 + 1) * len(gaps) * 100 <= 69 * sum(gaps):
            k0 += 1
    ks = sorted({min(15, max(0, k)) for k in (k0 - 1, k0, k0 + 1)})
    rice = min((3 + ((n - 1) * (k + 1) + sum(g >> k for g in gaps) + 7) // 8, k) for k in ks)
    sizes = [(2 * n, 1), (len(varint(ids[0])) + sum(len(varint(g)) for g in gaps), 2),
             ((N + 7) // 8, 3), (rice[0], 4)]
    code = min(sizes)[1]
    s = {"encoding": ENCODINGS[code], "ids": list(ids)}
    if code == 4:
        s["k"] = rice[1]
    return s


# ---------------------------------------------------------------- payloads (SPEC §4)
# Fixed layouts: (json key, type[, check]).  A type is a primitive name, "text", "bool", or an
# enumeration (a list or dict from code to name).  `check(value, fields_so_far)` returns an
# error text when the value is out of range (-> bad_value) and runs right after the field is
# read, so errors come out "in order" (§7 step 10).
def _nonzero(v, f): return "snapshot id 0" if v == 0 else None
def _chunk(v, f): return "chunk_size %d" % v if not 1 <= v <= 1_048_576 else None
def _argument(v, f):
    verb = f["verb"]
    if verb == "step" and v == 0:
        return "step argument 0"
    if verb not in ("run", "step") and v != 0:
        return "argument %d for %s" % (v, verb)
    return None


COUNTERS = ["spikes", "packets_out", "packets_in", "bytes_out", "bytes_in", "late", "lost"]
LAYOUTS = {
    "permit": [("until", "u64"), ("epoch", "u32")],
    "heartbeat": [("state", STATE), ("tick", "u64"), ("uptime_us", "u64")]
                 + [(c, "u64") for c in COUNTERS] + [("overruns", "u64")],
    "hello": [("role", ROLE), ("pool", "u16"), ("neuron_count", "u32"), ("network_hash", "u64"),
              ("tick", "u64"), ("name", "text"), ("software", "text")],
    "welcome": [("start_tick", "u64"), ("epoch", "u32"), ("mode", WELCOME_MODE),
                ("tick_us", "u32"), ("network_hash", "u64")],
    "ready": [("tick", "u64"), ("upstream_ready", "u16"), ("upstream_total", "u16")],
    "command": [("verb", VERB), ("argument", "u64", _argument)],
    "command_reply": [("verb", VERB), ("state", STATE), ("tick", "u64"), ("target_tick", "u64"),
                      ("message", "text")],
    "status_request": [],
    "task_request": [],
    "task_reply": [("trials", "u32"), ("decided", "u32"), ("train_trials", "u32"), ("train_correct", "u32"),
                   ("test_trials", "u32"), ("test_correct", "u32")],
    "snapshot_request": [("snapshot", "u64", _nonzero), ("parent", "u64"), ("tick", "u64")],
    "snapshot_announce": [("snapshot", "u64"), ("pool", "u16"), ("tick", "u64"), ("size", "u64"),
                          ("crc", "u32"), ("chunk_size", "u32", _chunk)],
    "snapshot_ack": [("snapshot", "u64"), ("pool", "u16"), ("received", "u64"),
                     ("credit", "u32"), ("status", ACK_STATUS)],
    "error": [("code", "u16"), ("about_kind", "u8"), ("about_sequence", "u32"),
              ("message", "text")],
}
LAYOUTS["snapshot_marker"] = LAYOUTS["snapshot_request"]          # §4.9: same 24 bytes
ROW = ([("pool", "u16"), ("state", STATE), ("alive", "bool"), ("tick", "u64"),
        ("neuron_count", "u32"), ("heartbeat_age_ms", "u32")]
       + [(c, "u64") for c in COUNTERS] + [("name", "text")])     # 78 + len(name) bytes
PRIM = {"u8": "<B", "u16": "<H", "u32": "<I", "u64": "<Q", "i16": "<h"}


def enum_code(table, name):
    items = table.items() if isinstance(table, dict) else enumerate(table)
    return next(c for c, n in items if n == name)


def encode_fields(layout, body):
    out = b""
    for key, typ, *_ in layout:
        v = body[key]
        if typ == "text":
            out += text(v)
        elif typ == "bool":
            out += u8(1 if v else 0)
        elif isinstance(typ, (list, dict)):
            out += u8(enum_code(typ, v))
        else:
            out += struct.pack(PRIM[typ], v)
    return out


def encode_batch(b):
    return (u64(b["first_tick"]) + u16(len(b["ticks"])) + u32(b["neuron_count"])
            + b"".join(encode_set(s, b["neuron_count"]) for s in b["ticks"]))


def modulator_id(name):
    return MODULATOR.index(name) if name in MODULATOR else int(name[len("modulator_"):])


def encode_payload(kind, body):
    if kind == "spike_batch":
        return encode_batch(body)
    if kind == "stimulus":
        return u16(body["target_pool"]) + i16(body["drive"]) + encode_batch(body)
    if kind == "modulators":
        entries = sorted((modulator_id(k), v) for k, v in body["levels"].items())
        return (u64(body["tick"]) + u8(MOD_MODE.index(body["mode"])) + u8(len(entries))
                + b"".join(u8(i) + u8(v) for i, v in entries))
    if kind == "status_reply":
        out = u8(STATE.index(body["state"])) + u64(body["tick"]) + u16(len(body["rows"]))
        for row in body["rows"]:
            r = encode_fields(ROW, row)
            out += u16(len(r)) + r
        return out
    if kind == "snapshot_chunk":
        return (u64(body["snapshot"]) + u16(body["pool"]) + u64(body["offset"])
                + bytes.fromhex(body["data"]))
    return encode_fields(LAYOUTS[kind], body)


# ---------------------------------------------------------------- frames (SPEC §3, §6)
def frame(kind_code, sent, flags=0, source=0, sequence=0, major=1, minor=0, magic=MAGIC,
          length=None, crc=None):
    """A message frame around an as-sent payload; length and crc may be forced (for invalid
    vectors).  The CRC covers header bytes 0-15 then the payload as sent."""
    head = magic + struct.pack("<BBBBHII", major, minor, kind_code, flags, source, sequence,
                               len(sent) if length is None else length)
    if crc is None:
        crc = zlib.crc32(head + sent)
    return head + u32(crc) + sent


def compress(raw):
    return u32(len(raw)) + zlib.compress(raw, 6)


def encode_message(m):
    """The whole frame for a message in its JSON form (§9)."""
    major, minor = (int(x) for x in m["version"].split("."))
    raw = encode_payload(m["kind"], m["body"])
    sent = compress(raw) if m["flags"] & 1 else raw
    return frame(KIND_CODE[m["kind"]], sent, m["flags"], m["source"], m["sequence"], major, minor)


# ---------------------------------------------------------------- decoder (SPEC §5, §7)
class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def left(self):
        return len(self.data) - self.pos

    def take(self, n, what="field"):
        if self.left() < n:
            raise WireError("truncated", what)
        self.pos += n
        return self.data[self.pos - n:self.pos]

    def prim(self, typ):
        return struct.unpack(PRIM[typ], self.take(struct.calcsize(PRIM[typ]), typ))[0]

    def varint(self):
        value = 0
        for i in range(3):                       # every varint holds <= 65536: <= 3 bytes
            if self.left() == 0:
                raise WireError("bad_varint", "runs past the end")
            b = self.take(1)[0]
            value |= (b & 0x7F) << (7 * i)
            if not b & 0x80:
                if i > 0 and b == 0:
                    raise WireError("bad_varint", "non-minimal")
                return value
        raise WireError("bad_varint", "longer than 3 bytes")

    def text(self):
        n = self.prim("u16")
        if n > MAX_TEXT:
            raise WireError("bad_text", "text of %d bytes" % n)
        try:
            return self.take(n, "text").decode("utf-8")
        except UnicodeDecodeError:
            raise WireError("bad_text", "not UTF-8")


def decode_fields(r, layout):
    body = {}
    for key, typ, *check in layout:
        if typ == "text":
            v = r.text()
        elif typ == "bool":
            v = r.prim("u8")
            if v > 1:
                raise WireError("bad_value", key)
            v = v == 1
        elif isinstance(typ, (list, dict)):
            c = r.prim("u8")
            if c not in (typ if isinstance(typ, dict) else range(len(typ))):
                raise WireError("bad_value", "%s %d" % (key, c))
            v = typ[c]
        else:
            v = r.prim(typ)
        body[key] = v
        if check and check[0](v, body):
            raise WireError("bad_value", check[0](v, body))
    return body


def decode_set(r, N):
    code = r.prim("u8")
    if code == 0:
        return {"encoding": "empty", "ids": []}
    if code > 4:
        raise WireError("bad_encoding", "encoding %d" % code)
    n = r.varint()
    if n == 0:
        raise WireError("bad_value", "n = 0 in a non-empty set")
    if n > N:
        raise WireError("count_overflow", "n %d > N %d" % (n, N))
    s = {"encoding": ENCODINGS[code]}
    ids = []

    def add(i):
        if ids and i <= ids[-1]:
            raise WireError("unsorted_ids", "id %d after %d" % (i, ids[-1]))
        if i >= N:
            raise WireError("id_beyond_pool", "id %d" % i)
        ids.append(i)

    if code == 1:                                   # ids16
        for _ in range(n):
            add(r.prim("u16"))
    elif code == 2:                                 # varint: id0 then gaps
        add(r.varint())
        for _ in range(n - 1):
            add(ids[-1] + r.varint() + 1)
    elif code == 3:                                 # bitmap
        bm = r.take((N + 7) // 8, "bitmap")
        for j in range(N, len(bm) * 8):              # bits for neurons >= N must be 0
            if bm[j // 8] >> (j % 8) & 1:
                raise WireError("id_beyond_pool", "bitmap bit %d" % j)
        found = [j for j in range(N) if bm[j // 8] >> (j % 8) & 1]
        if len(found) != n:
            raise WireError("count_overflow", "n %d but %d bits set" % (n, len(found)))
        ids = found
    else:                                           # rice
        k = r.prim("u8")
        if k > 15:
            raise WireError("bad_encoding", "rice k %d" % k)
        s["k"] = k
        add(r.prim("u16"))
        start, bit = r.pos, 0

        def next_bit():
            nonlocal bit
            if start + bit // 8 >= len(r.data):
                raise WireError("truncated", "rice stream")
            v = r.data[start + bit // 8] >> (bit % 8) & 1
            bit += 1
            return v
        for _ in range(n - 1):
            q = 0
            while next_bit() == 0:
                q += 1
                if ids[-1] + (q << k) + 1 >= N:     # the run alone passes N (§5)
                    raise WireError("id_beyond_pool", "rice run of %d zeros" % q)
            g = q << k
            for i in range(k):
                g |= next_bit() << i
            add(ids[-1] + g + 1)
        end = (bit + 7) // 8
        for j in range(bit, end * 8):
            if r.data[start + j // 8] >> (j % 8) & 1:
                raise WireError("bad_padding", "padding bit %d" % j)
        r.pos = start + end
    s["ids"] = ids
    return s


def decode_batch(r, body):
    body["first_tick"] = r.prim("u64")
    t = r.prim("u16")
    if not 1 <= t <= 1024:
        raise WireError("bad_value", "tick_count %d" % t)
    if body["first_tick"] + t - 1 > U64_MAX:
        raise WireError("bad_value", "last tick beyond 2^64-1")
    N = body["neuron_count"] = r.prim("u32")
    if not 1 <= N <= 65536:
        raise WireError("bad_value", "neuron_count %d" % N)
    body["ticks"] = [decode_set(r, N) for _ in range(t)]
    return body


def decode_payload(kind, payload, minor):
    r = Reader(payload)
    if kind == "spike_batch":
        body = decode_batch(r, {})
    elif kind == "stimulus":
        body = decode_batch(r, {"target_pool": r.prim("u16"), "drive": r.prim("i16")})
    elif kind == "modulators":
        body = decode_fields(r, [("tick", "u64"), ("mode", MOD_MODE)])
        count = r.prim("u8")
        if count > 32:
            raise WireError("bad_value", "count %d" % count)
        levels, last = {}, -1
        for _ in range(count):
            i, level = r.prim("u8"), r.prim("u8")
            if i <= last:
                raise WireError("bad_value", "modulator id %d after %d" % (i, last))
            last = i
            levels[MODULATOR[i] if i < len(MODULATOR) else "modulator_%d" % i] = level
        body["levels"] = levels
    elif kind == "status_reply":
        body = decode_fields(r, [("state", STATE), ("tick", "u64")])
        count = r.prim("u16")
        if count > 4096:
            raise WireError("bad_value", "row_count %d" % count)
        body["rows"] = []
        for _ in range(count):
            rr = Reader(r.take(r.prim("u16"), "row"))
            body["rows"].append(decode_fields(rr, ROW))
            if rr.left() and minor == 0:             # a newer minor's row: skip the rest
                raise WireError("trailing_bytes", "row")
    elif kind == "snapshot_chunk":
        body = {"snapshot": r.prim("u64"), "pool": r.prim("u16"), "offset": r.prim("u64")}
        data = r.take(r.left())
        if len(data) > 1_048_576:
            raise WireError("oversized", "chunk data")
        if not data:
            raise WireError("bad_value", "empty chunk data")
        body["data"] = data.hex()
    else:
        body = decode_fields(r, LAYOUTS[kind])
        if kind == "error":
            body["code_name"] = ERRORS.get(body["code"], "unknown")
    if r.left() and minor == 0:                      # receiver is minor 0 (§8)
        raise WireError("trailing_bytes", "%d bytes" % r.left())
    return body


def inflate(sent):
    if len(sent) < 4:
        raise WireError("truncated", "raw_length")
    raw_length = struct.unpack("<I", sent[:4])[0]
    if raw_length > MAX_PAYLOAD:
        raise WireError("oversized", "raw_length %d" % raw_length)
    d = zlib.decompressobj()
    try:
        raw = d.decompress(sent[4:], raw_length + 1)   # never inflate past the limit
    except zlib.error as e:
        raise WireError("inflate_failed", str(e))
    if not d.eof or d.unused_data or len(raw) != raw_length:
        raise WireError("inflate_failed", "not a zlib stream of exactly raw_length bytes")
    return raw


def decode_frame(f):
    """Decode one message frame to its JSON form, or raise WireError (§7 order)."""
    if len(f) < 20:                                                   # 1
        raise WireError("truncated", "header")
    if f[:2] != MAGIC:                                                # 2
        raise WireError("bad_magic")
    major, minor, kind, flags, source, seq, length, crc = struct.unpack("<BBBBHIII", f[2:20])
    if major != 1:                                                    # 3
        raise WireError("unsupported_version", "major %d" % major)
    if length > MAX_PAYLOAD:                                          # 4
        raise WireError("oversized", "length %d" % length)
    if len(f) < 20 + length:                                          # 5
        raise WireError("truncated", "payload")
    if len(f) > 20 + length:
        raise WireError("length_mismatch")
    if zlib.crc32(f[:16] + f[20:]) != crc:                            # 6
        raise WireError("bad_crc")
    if flags & 0x0E:                                                  # 7
        raise WireError("unknown_flag", "flags 0x%02x" % flags)
    if kind not in KINDS:                                             # 8
        raise WireError("unknown_kind", "kind 0x%02x" % kind)
    payload = inflate(f[20:]) if flags & 1 else f[20:]                # 9
    body = decode_payload(KINDS[kind], payload, minor)                # 10
    return {"version": "%d.%d" % (major, minor), "kind": KINDS[kind], "flags": flags,
            "source": source, "sequence": seq, "body": body}


# ---------------------------------------------------------------- the worked example (§5)
def check_spec_example():
    ids, N = [3, 10, 11, 40], 4096
    ex = {"ids16": "01 04 03 00 0a 00 0b 00 28 00", "varint": "02 04 03 06 00 1c",
          "rice": "04 04 02 03 00 1a 40 00"}
    for enc, want in ex.items():
        s = {"encoding": enc, "ids": ids, **({"k": 2} if enc == "rice" else {})}
        got = encode_set(s, N)
        assert got == bytes.fromhex(want), (enc, got.hex(" "), want)
        assert decode_set(Reader(got), N) == s, enc
    bm = encode_set({"encoding": "bitmap", "ids": ids}, N)
    assert bm[:2] == bytes.fromhex("0304") and len(bm) == 2 + 512
    assert bm[2:8] == bytes.fromhex("080c00000001") and not any(bm[8:])


# ---------------------------------------------------------------- deterministic test data
def xorshift32(seed):
    """Marsaglia's xorshift32; the only randomness in the vectors."""
    x = seed
    while True:
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        yield x


def random_ids(seed, N, per_mille):
    """Each neuron of 0..N-1 fires with probability per_mille/1000."""
    rng = xorshift32(seed)
    return [i for i in range(N) if next(rng) % 1000 < per_mille]


def random_bytes(seed, n):
    rng = xorshift32(seed)
    return bytes(next(rng) & 0xFF for _ in range(n))


def batch(first_tick, N, tick_ids, expect=None):
    """A spike batch body whose sets are NeuroBus's own choice (§10.1); `expect` lists the
    encodings the vector is meant to show, so a change in the chooser is caught here."""
    ticks = [choose_set(ids, N) for ids in tick_ids]
    if expect is not None:
        assert [t["encoding"] for t in ticks] == expect, [t["encoding"] for t in ticks]
    return {"first_tick": first_tick, "neuron_count": N, "ticks": ticks}


def M(kind, body, source, sequence, flags=0, version="1.0"):
    return {"version": version, "kind": kind, "flags": flags, "source": source,
            "sequence": sequence, "body": body}


def counters(base):
    return {c: base * (i + 3) + 7 * i for i, c in enumerate(COUNTERS)}


HASH = 0x9E3779B97F4A7C15        # a stand-in network hash: any u64 (high bit set on purpose)
EXAMPLE = [3, 10, 11, 40]         # the §5 example set


def row(pool, name, state, alive, tick, N, age):
    return {"pool": pool, "name": name, "state": state, "alive": alive, "tick": tick,
            "neuron_count": N, "heartbeat_age_ms": age, **counters(1000 * (pool + 1))}


# ---------------------------------------------------------------- the vectors
def valid_vectors():
    """(name, what it pins down, message in JSON form); the frame is encode_message(msg)."""
    V = []
    add = lambda name, what, m: V.append((name, what, m))
    rice_ids = random_ids(79, 4096, 50)                    # 200 spikes, 5 % of 4096
    assert len(rice_ids) == 200
    assembly = random_ids(99, 2048, 100)                    # an assembly firing every 3 ticks
    comp_ticks = [assembly if t % 3 == 0 else random_ids(200 + t, 2048, 4) for t in range(24)]
    hb = {"state": "running", "tick": 48_213, "uptime_us": 61_402_977, **counters(48_213),
          "overruns": 0}

    add("spike_batch_empty", "4 ticks, every set `empty` (code 0, no count)",
        M("spike_batch", batch(4800, 1024, [[]] * 4, ["empty"] * 4), 3, 1200))
    add("spike_batch_ids16", "`ids16` sets in a 65,536 pool, incl. id 65535",
        M("spike_batch", batch(10_000, 65536, [[1000, 20000, 40000, 60000], [513, 33000, 65535]],
                               ["ids16", "ids16"]), 5, 77))
    add("spike_batch_varint", "`varint` sets: the §5 example and one with ids 0 and N-1",
        M("spike_batch", batch(2300, 4096, [EXAMPLE, [0, 1, 2, 130, 4095]],
                               ["varint", "varint"]), 2, 2300))
    add("spike_batch_bitmap", "`bitmap` sets with N = 203 (last byte partly outside the pool)",
        M("spike_batch", batch(612, 203, [random_ids(7, 203, 500), random_ids(8, 203, 350)],
                               ["bitmap", "bitmap"]), 4, 612))
    add("spike_batch_rice", "`rice` k = 4: 200 spikes of a 4096 pool (5 %, xorshift32 seed 79)",
        M("spike_batch", batch(9001, 4096, [rice_ids], ["rice"]), 1, 9001))
    assert V[-1][2]["body"]["ticks"][0]["k"] == 4
    add("spike_batch_rice_k0", "`rice` k = 0 (gaps of 0 and 1: codes `1` and `01`)",
        M("spike_batch", batch(15, 1024, [[i for i in range(300, 360) if i % 3 != 1]],
                               ["rice"]), 6, 15))
    assert V[-1][2]["body"]["ticks"][0]["k"] == 0
    add("spike_batch_rice_single", "`rice` with n = 1: k and id0 only, empty bit stream",
        M("spike_batch", {"first_tick": 333, "neuron_count": 1024,
                          "ticks": [{"encoding": "rice", "k": 5, "ids": [777]}]}, 6, 16))
    add("spike_batch_all_spiking", "N = 64, every neuron fires: bitmap of 8 bytes 0xff",
        M("spike_batch", batch(128, 64, [list(range(64))], ["bitmap"]), 7, 128))
    add("spike_batch_largest_count", "N = 65536, all fire in one tick: n = 65536 as a 3-byte "
        "varint (80 80 04), 8192-byte bitmap, the largest tick (8196 bytes)",
        M("spike_batch", batch(70_000, 65536, [list(range(65536))], ["bitmap"]), 8, 70))
    add("spike_batch_largest_ticks", "tick_count = 1024 (the limit), mostly `empty`",
        M("spike_batch", batch(1 << 20, 256, [[0] if t == 0 else [17, 18, 200] if t == 300
                                              else [255] if t == 1023 else []
                                              for t in range(1024)]), 9, 1024))
    add("spike_batch_multi_tick", "6 ticks mixing ids16, empty, varint, rice, bitmap, empty",
        M("spike_batch", batch(5000, 512, [[200, 450], [], EXAMPLE, random_ids(11, 512, 100),
                                           random_ids(12, 512, 600), []],
                               ["ids16", "empty", "varint", "rice", "bitmap", "empty"]),
          2, 625))
    add("spike_batch_compressed", "flags = 1: 24 ticks (raw payload > 1024 bytes) as "
        "raw_length + zlib.compress(raw, 6)",
        M("spike_batch", batch(20_480, 2048, comp_ticks), 3, 640, flags=1))
    raw = encode_payload("spike_batch", V[-1][2]["body"])    # one NeuroBus would compress (§6)
    assert len(raw) > 1024 and len(compress(raw)) < len(raw), (len(raw), len(compress(raw)))
    add("spike_batch_max_tick", "first_tick = 2^64 - 3 with 3 ticks: last tick is 2^64 - 1",
        M("spike_batch", batch(U64_MAX - 2, 100, [[5, 42], [], [99]]), 4, 4_294_967_295))
    add("spike_batch_ancillary_flag", "flags = 0x10 (ancillary bit 4): accepted and preserved",
        M("spike_batch", batch(64, 128, [[1, 2, 3, 64]]), 5, 64, flags=0x10))
    add("stimulus", "STIMULUS: target_pool, negative Q8.8 drive (i16), then a batch",
        M("stimulus", {"target_pool": 2, "drive": -640,
                       **batch(7200, 1024, [[100, 101, 102, 103, 104], [], [1023]])},
          0xF003, 12))
    add("modulators", "MODULATORS at_tick: 3 named ids and unknown id 7 as `modulator_7`",
        M("modulators", {"tick": 5000, "mode": "at_tick", "levels": {
            "dopamine": 180, "cortisol": 30, "acetylcholine": 150, "modulator_7": 64}}, 0, 50))
    add("modulators_on_arrival", "MODULATORS mode 1 (`on_arrival`), as sent by ctl",
        M("modulators", {"tick": 0, "mode": "on_arrival", "levels": {"dopamine": 210,
                                                                     "serotonin": 90}},
          0xF001, 0))
    add("modulators_empty", "MODULATORS with count 0 (every modulator at baseline)",
        M("modulators", {"tick": 6000, "mode": "at_tick", "levels": {}}, 0, 51))
    add("permit", "PERMIT until/epoch",
        M("permit", {"until": 4864, "epoch": 2}, 0, 152))
    add("heartbeat", "HEARTBEAT: state name and the ten u64 counters in order",
        M("heartbeat", hb, 1, 482))
    add("hello", "HELLO from a node: role, pool, N, network hash, tick, two texts",
        M("hello", {"role": "node", "pool": 1, "neuron_count": 4096, "network_hash": HASH,
                    "tick": 0, "name": "cortex", "software": "neurobus 0.3.0"}, 2, 0))
    add("welcome", "WELCOME: start tick, epoch, mode `lockstep`, tick_us, hash",
        M("welcome", {"start_tick": 0, "epoch": 1, "mode": "lockstep", "tick_us": 1000,
                      "network_hash": HASH}, 0, 1))
    add("ready", "READY: tick and upstream counts",
        M("ready", {"tick": 0, "upstream_ready": 3, "upstream_total": 3}, 2, 1))
    add("command_run", "COMMAND run 1000 ticks",
        M("command", {"verb": "run", "argument": 1000}, 0xF001, 0))
    add("command_step", "COMMAND step 1 tick",
        M("command", {"verb": "step", "argument": 1}, 0xF001, 1))
    add("command_pause", "COMMAND pause (argument 0)",
        M("command", {"verb": "pause", "argument": 0}, 0xF001, 2))
    add("command_reply", "COMMAND_REPLY with a non-ASCII UTF-8 message",
        M("command_reply", {"verb": "run", "state": "running", "tick": 4864,
                            "target_tick": 5864, "message": "läuft → Ziel 5864 ✓"}, 0, 0))
    add("status_request", "STATUS_REQUEST: empty payload, body {}",
        M("status_request", {}, 0xF001, 3))
    add("status_reply", "STATUS_REPLY with 2 rows (78 + name bytes each)",
        M("status_reply", {"state": "running", "tick": 4860, "rows": [
            row(0, "thalamus", "running", True, 4860, 1024, 40),
            row(1, "cortex", "failed", False, 4871, 4096, 3170)]}, 0, 3))
    add("task_request", "TASK_REQUEST: empty payload, body {}",
        M("task_request", {}, 0xF001, 5))
    add("task_reply", "TASK_REPLY: 412 of 900 trials decided, 363 of 412 training trials right",
        M("task_reply", {"trials": 900, "decided": 412, "train_trials": 412, "train_correct": 363,
                         "test_trials": 0, "test_correct": 0}, 0, 5))
    add("snapshot_request", "SNAPSHOT_REQUEST id/parent/cut tick",
        M("snapshot_request", {"snapshot": 7, "parent": 6, "tick": 10_000}, 0xF001, 4))
    add("snapshot_marker", "SNAPSHOT_MARKER (same 24 bytes as the request)",
        M("snapshot_marker", {"snapshot": 7, "parent": 6, "tick": 10_000}, 1, 10_001))
    add("snapshot_announce", "SNAPSHOT_ANNOUNCE: size, CRC-32 of the part, chunk_size",
        M("snapshot_announce", {"snapshot": 7, "pool": 0, "tick": 10_000, "size": 180_301,
                                "crc": 0xCBF43926, "chunk_size": 65536}, 1, 0))
    add("snapshot_chunk", "SNAPSHOT_CHUNK: 40 data bytes, shown as lower-case hex",
        M("snapshot_chunk", {"snapshot": 7, "pool": 0, "offset": 131_072,
                             "data": random_bytes(5, 40).hex()}, 1, 2))
    add("snapshot_ack", "SNAPSHOT_ACK: received, credit, status `in_progress`",
        M("snapshot_ack", {"snapshot": 7, "pool": 0, "received": 131_072, "credit": 4,
                           "status": "in_progress"}, 0xF004, 2))
    add("error", "ERROR with a known code (7 bad_crc) and its code_name",
        M("error", {"code": 7, "code_name": "bad_crc", "about_kind": 1,
                    "about_sequence": 1201, "message": "CRC mismatch in SPIKE_BATCH 1201"},
          0, 9))
    add("error_unknown_code", "ERROR code 4242: kept as a number, code_name `unknown`",
        M("error", {"code": 4242, "code_name": "unknown", "about_kind": 0x20,
                    "about_sequence": 5, "message": "future error"}, 0xF004, 10))
    return V


def compat_vectors():
    """Minor version 1 senders: extra bytes after the known fields are skipped."""
    hb = {"state": "paused", "tick": 777, "uptime_us": 9_000_000, **counters(777),
          "overruns": 3}
    m1 = M("heartbeat", hb, 3, 90, version="1.1")
    f1 = frame(KIND_CODE["heartbeat"], encode_payload("heartbeat", hb) + u64(12), 0, 3, 90,
               minor=1)                                  # + a u64 field unknown to 1.0
    rows = [row(0, "retina", "running", True, 777, 2048, 12),
            row(2, "v1", "running", True, 776, 8192, 95)]
    payload = u8(2) + u64(776) + u16(2)
    for i, r in enumerate(rows):        # each row + overruns u64 + lag u64 (16 new bytes)
        raw = encode_fields(ROW, r) + u64(5 + i) + u64(i)
        payload += u16(len(raw)) + raw
    m2 = M("status_reply", {"state": "running", "tick": 776, "rows": rows}, 0, 17,
           version="1.1")
    f2 = frame(KIND_CODE["status_reply"], payload, 0, 0, 17, minor=1)
    return [("heartbeat_minor1", "minor 1 HEARTBEAT with 8 unknown bytes after `overruns`: "
             "they are ignored, version \"1.1\"", m1, f1),
            ("status_reply_minor1_long_row", "minor 1 STATUS_REPLY whose rows are 16 bytes "
             "longer than 1.0 rows: the rest of each row is skipped", m2, f2)]


def invalid_vectors():
    """(name, error code name, why, frame)."""
    K = KIND_CODE
    permit = u64(4864) + u32(2)
    hb = encode_payload("heartbeat", {"state": "running", "tick": 100, "uptime_us": 1,
                                      **counters(1), "overruns": 0})

    seqs = iter(range(77, 200))

    def sb(sets, N=1000, first=500, t=None):
        """A SPIKE_BATCH frame (source 2, next sequence number) from hand-built set bytes;
        t overrides tick_count (default: one tick per element of `sets`)."""
        return frame(K["spike_batch"], u64(first) + u16(len(sets) if t is None else t)
                     + u32(N) + b"".join(sets), 0, 2, next(seqs))

    good_raw = encode_batch(batch(40, 4096, [EXAMPLE, [7, 300]]))
    cut_hb = frame(K["heartbeat"], hb, 0, 1, 10)
    flipped = bytearray(sb([encode_set(choose_set(EXAMPLE, 1000), 1000)]))
    flipped[30] ^= 0x04                                  # one bit flipped after the CRC
    zl = zlib.compress(good_raw, 6)
    I = [
        ("truncated_header", "truncated", "only 12 bytes: shorter than the 20-byte header",
         frame(K["permit"], permit, 0, 0, 5)[:12]),
        ("truncated_payload", "truncated", "the length field says 81 bytes but the frame "
         "holds only 76 of them", cut_hb[:-5]),
        ("bad_magic", "bad_magic", "the frame starts with 42 4e ('BN') instead of 4e 42",
         frame(K["permit"], permit, 0, 0, 6, magic=b"BN")),
        ("unsupported_version", "unsupported_version", "major version 2",
         frame(K["permit"], permit, 0, 0, 7, major=2)),
        ("oversized", "oversized", "length field 16777217 exceeds 16 MiB (checked before "
         "the frame's size)", frame(K["permit"], b"", 0, 0, 8, length=16_777_217)),
        ("length_mismatch", "length_mismatch", "one byte after the 12-byte payload",
         frame(K["permit"], permit, 0, 0, 9) + b"\x00"),
        ("bad_crc", "bad_crc", "one payload bit flipped after the CRC was computed",
         bytes(flipped)),
        ("unknown_flag", "unknown_flag", "reserved critical flag bit 1 (0x02) is set",
         frame(K["permit"], permit, 0x02, 0, 10)),
        ("unknown_kind", "unknown_kind", "kind 0x66 is not in the table of §4",
         frame(0x66, permit, 0, 0, 11)),
        ("id_beyond_pool_ids16", "id_beyond_pool", "ids16 id 1000 in a pool of N = 1000",
         sb([u8(1) + varint(3) + u16(5) + u16(200) + u16(1000)])),
        ("id_beyond_pool_varint", "id_beyond_pool", "varint ids 500, 801, 1052 (gaps 300, "
         "250) in a pool of N = 1000", sb([u8(2) + varint(3) + varint(500) + varint(300)
                                           + varint(250)])),
        ("id_beyond_pool_bitmap", "id_beyond_pool", "bitmap bit for neuron 1003 set in the "
         "last byte, N = 1001 (n = 3 counts it, so only the id is wrong)",
         sb([encode_set({"encoding": "bitmap", "ids": [3, 500, 1003]}, 1001)], N=1001)),
        ("count_overflow", "count_overflow", "ids16 count 17 in a pool of N = 16",
         sb([u8(1) + varint(17) + b"".join(u16(i) for i in range(17))], N=16)),
        ("count_overflow_bitmap", "count_overflow", "bitmap count 5 but 4 bits set",
         sb([u8(3) + varint(5) + encode_set({"encoding": "bitmap", "ids": [1, 2, 3, 4]},
                                           64)[2:]], N=64)),
        ("unsorted_ids", "unsorted_ids", "ids16 ids 3, 7, 7, 9: 7 repeated",
         sb([u8(1) + varint(4) + u16(3) + u16(7) + u16(7) + u16(9)], N=4096)),
        ("bad_encoding", "bad_encoding", "spike-set encoding code 5",
         sb([u8(5) + varint(2) + u16(3) + u16(9)])),
        ("bad_encoding_rice_k", "bad_encoding", "rice parameter k = 16 (0..15 allowed)",
         sb([bytes.fromhex("0404") + u8(16) + bytes.fromhex("03001a4000")], N=4096)),
        ("bad_varint_nonminimal", "bad_varint", "varint gap 6 written as 86 00 (non-minimal)",
         sb([u8(2) + varint(3) + varint(5) + bytes.fromhex("8600") + varint(1)])),
        ("bad_varint_truncated", "bad_varint", "the payload ends inside a varint gap "
         "(last byte 0x81 has its continuation bit set)",
         sb([u8(2) + varint(3) + varint(5) + varint(6) + b"\x81"])),
        ("bad_padding", "bad_padding", "the §5 rice example with padding bit 23 set "
         "(last byte 0x80 instead of 0x00)",
         sb([bytes.fromhex("04040203001a4080")], N=4096)),
        ("trailing_bytes", "trailing_bytes", "minor 0 SPIKE_BATCH with one byte after its "
         "last spike set", sb([encode_set(choose_set(EXAMPLE, 1000), 1000), b"\x00"], t=1)),
        ("bad_value_tick_count_zero", "bad_value", "tick_count 0", sb([], t=0)),
        ("bad_value_tick_count_1025", "bad_value", "tick_count 1025 (1025 empty sets follow)",
         sb([u8(0)] * 1025)),
        ("bad_value_tick_overflow", "bad_value", "first_tick 2^64 - 2 with 3 ticks: the last "
         "tick would be 2^64", sb([u8(0)] * 3, first=U64_MAX - 1)),
        ("bad_value_neuron_count", "bad_value", "neuron_count 65537 (limit 65536)",
         sb([u8(0)], N=65537)),
        ("bad_value_count_zero", "bad_value", "ids16 set with n = 0 (an empty tick must be "
         "`empty`)", sb([u8(1) + varint(0)])),
        ("bad_value_modulator_order", "bad_value", "modulator ids 1 then 0: not strictly "
         "increasing", frame(K["modulators"], u64(5000) + u8(0) + u8(2) + bytes([1, 30, 0, 128]),
                             0, 0, 52)),
        ("bad_value_verb", "bad_value", "COMMAND verb 9",
         frame(K["command"], u8(9) + u64(0), 0, 0xF001, 4)),
        ("bad_value_state", "bad_value", "HEARTBEAT state 7 (0..6 defined)",
         frame(K["heartbeat"], u8(7) + hb[1:], 0, 1, 11)),
        ("bad_text", "bad_text", "HELLO name 'cortex' followed by byte 0xff: not UTF-8",
         frame(K["hello"], u8(1) + u16(1) + u32(4096) + u64(HASH) + u64(0)
               + u16(7) + b"cortex\xff" + text("neurobus 0.3.0"), 0, 2, 0)),
        ("inflate_failed", "inflate_failed", "COMPRESSED with raw_length 96 then 16 bytes "
         "that are not a zlib stream", frame(K["spike_batch"], u32(96) + b"\x12\x34"
                                             + random_bytes(6, 14), 1, 2, next(seqs))),
        ("inflate_failed_length", "inflate_failed", "raw_length is one more than the "
         "zlib stream's %d decompressed bytes" % len(good_raw),
         frame(K["spike_batch"], u32(len(good_raw) + 1) + zl, 1, 2, next(seqs))),
        ("inflate_failed_after_end", "inflate_failed", "one byte after the end of a valid "
         "zlib stream", frame(K["spike_batch"], compress(good_raw) + b"\x00", 1, 2, next(seqs))),
        ("oversized_raw_length", "oversized", "raw_length 16777217 exceeds 16 MiB",
         frame(K["spike_batch"], u32(16_777_217) + zl, 1, 2, next(seqs))),
        ("truncated_field", "truncated", "PERMIT payload of 10 bytes: ends inside `epoch`",
         frame(K["permit"], permit[:10], 0, 0, 12)),        ("id_beyond_pool_rice", "id_beyond_pool", "rice k = 0, id0 990, then 16 zero bits "
         "and the payload's end in a pool of N = 1000: the run already puts the next id at "
         "1007, which is seen before the stream is found truncated",
         sb([u8(4) + varint(2) + u8(0) + u16(990) + b"\x00\x00"])),
    ]
    return I


# ---------------------------------------------------------------- writing and self-check
HERE = os.path.dirname(os.path.abspath(__file__))


def hex_lines(b):
    h = binascii.hexlify(b).decode()
    return "".join(h[i:i + 64] + "\n" for i in range(0, len(h), 64))


def dump(obj):
    return json.dumps(obj, indent=2, sort_keys=True) + "\n"


def write(path, content):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(content)


def clear(folder):
    if os.path.isdir(folder):
        for root, dirs, files in os.walk(folder, topdown=False):
            for name in files:
                os.remove(os.path.join(root, name))
            for name in dirs:
                os.rmdir(os.path.join(root, name))
        os.rmdir(folder)
    os.makedirs(folder)


def read_vector(folder, name):
    with open(os.path.join(HERE, folder, name + ".hex"), encoding="utf-8") as f:
        frame_bytes = bytes.fromhex("".join(f.read().split()))
    with open(os.path.join(HERE, folder, name + ".json"), encoding="utf-8") as f:
        return frame_bytes, json.load(f)


def self_check(valid, compat, invalid):
    """Re-read every written file and check it against the decoder/encoder."""
    failures = []
    for name, _, _ in valid:
        f, j = read_vector("valid", name)
        try:
            if decode_frame(f) != j:
                failures.append("valid/%s: decodes to different JSON" % name)
            if encode_message(j) != f:
                failures.append("valid/%s: JSON re-encodes to different bytes" % name)
        except WireError as e:
            failures.append("valid/%s: rejected: %s" % (name, e))
    for name, _, _, _ in compat:
        f, j = read_vector("compat", name)
        try:
            if decode_frame(f) != j:
                failures.append("compat/%s: decodes to different JSON" % name)
        except WireError as e:
            failures.append("compat/%s: rejected: %s" % (name, e))
    for name, _, _, _ in invalid:
        f, j = read_vector("invalid", name)
        try:
            decode_frame(f)
            failures.append("invalid/%s: accepted" % name)
        except WireError as e:
            if e.code != j["error"]:
                failures.append("invalid/%s: %s, expected %s" % (name, e, j["error"]))
    return failures


README_HEAD = """# NeuroBus wire-protocol test vectors

Exact bytes for every message kind of [`../SPEC.md`](../SPEC.md), produced by `generate.py`,
an independent Python implementation written from the specification alone.

- `valid/` — messages that decode to exactly their `.json` (the JSON form of SPEC §9) and
  encode back to exactly their `.hex`.
- `compat/` — messages from a newer minor version: they decode to their `.json` (the known
  fields only), but are not re-encoded.
- `invalid/` — frames that must be rejected with the error named in their `.json`
  (`{"error": code name, "why": ...}`). Every one has a correct CRC except `bad_crc` and those
  rejected before the CRC step of SPEC §7, so each fails for exactly the stated reason.

Each vector is `NAME.hex` (the whole message frame, lower-case hex, 64 characters a line) and
`NAME.json`. Spike sets in valid vectors use the encoding NeuroBus's chooser (SPEC §10.1) would
pick, except `spike_batch_rice_single` (the chooser never picks rice for n = 1); compressed
vectors hold `zlib.compress(raw, 6)` as made by zlib 1.2.13 (the script warns if the local
zlib deflates differently).

Regenerate (deletes and rewrites the three folders and this file, then self-checks every
vector with the script's decoder; the output is byte-identical on every run):

    python3 protocol/vectors/generate.py
"""


def main():
    check_spec_example()
    valid, compat, invalid = valid_vectors(), compat_vectors(), invalid_vectors()
    for folder in ("valid", "compat", "invalid"):
        clear(os.path.join(HERE, folder))
    lines = [README_HEAD, "## valid/\n"]
    for name, what, m in valid:
        write(os.path.join(HERE, "valid", name + ".hex"), hex_lines(encode_message(m)))
        write(os.path.join(HERE, "valid", name + ".json"), dump(m))
        lines.append("- `%s` — %s" % (name, what))
    lines.append("\n## compat/\n")
    for name, what, m, f in compat:
        write(os.path.join(HERE, "compat", name + ".hex"), hex_lines(f))
        write(os.path.join(HERE, "compat", name + ".json"), dump(m))
        lines.append("- `%s` — %s" % (name, what))
    lines.append("\n## invalid/\n")
    for name, code, why, f in invalid:
        write(os.path.join(HERE, "invalid", name + ".hex"), hex_lines(f))
        write(os.path.join(HERE, "invalid", name + ".json"), dump({"error": code, "why": why}))
        lines.append("- `%s` — `%s`: %s" % (name, code, why))
    write(os.path.join(HERE, "README.md"), "\n".join(lines) + "\n")

    failures = self_check(valid, compat, invalid)
    # Deflate output is only reproducible with the same implementation (zlib 1.2.13 made the
    # committed files); a different one (e.g. zlib-ng) still passes the self-check but changes
    # the compressed vectors, so say so.
    comp = encode_message(dict((n, m) for n, _, m in valid)["spike_batch_compressed"])
    if zlib.crc32(comp) != 0x4870F1EB:
        print("WARNING: this zlib (%s) deflates differently from zlib 1.2.13: the compressed "
              "vectors differ from the committed ones" % zlib.ZLIB_RUNTIME_VERSION)
    if failures:
        raise SystemExit("SELF-CHECK FAILED:\n  " + "\n  ".join(failures))
    print("wrote %d valid, %d compat, %d invalid vectors; self-check passed"
          % (len(valid), len(compat), len(invalid)))


if __name__ == "__main__":
    main()
