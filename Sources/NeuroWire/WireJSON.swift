/// A JSON value, rendered exactly as Python's `json.dumps(value, indent=2, sort_keys=True)`
/// renders it, so the JSON form of a message (protocol/SPEC.md §9) is byte-identical across
/// the Swift codec and the Python vector generator.
public indirect enum JSONValue: Equatable, Sendable {
    case object([String: JSONValue])
    case array([JSONValue])
    case unsigned(UInt64)
    case signed(Int64)
    case string(String)
    case bool(Bool)

    /// Python-style text: two-space indent, keys sorted, non-ASCII escaped as `\uXXXX`, a
    /// final newline. O(size).
    public func rendered() -> String {
        var out = ""
        render(into: &out, indent: 0)
        out.append("\n")
        return out
    }

    private func render(into out: inout String, indent: Int) {
        switch self {
        case .unsigned(let v): out.append(String(v))
        case .signed(let v): out.append(String(v))
        case .bool(let v): out.append(v ? "true" : "false")
        case .string(let v): Self.quote(v, into: &out)
        case .array(let items):
            guard !items.isEmpty else { out.append("[]"); return }
            out.append("[\n")
            for (index, item) in items.enumerated() {
                out.append(String(repeating: " ", count: indent + 2))
                item.render(into: &out, indent: indent + 2)
                out.append(index + 1 < items.count ? ",\n" : "\n")
            }
            out.append(String(repeating: " ", count: indent) + "]")
        case .object(let members):
            guard !members.isEmpty else { out.append("{}"); return }
            out.append("{\n")
            // Python sorts keys by code point; Swift's String `<` does for these ASCII keys.
            let keys = members.keys.sorted { Array($0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.unicodeScalars.map(\.value)) }
            for (index, key) in keys.enumerated() {
                out.append(String(repeating: " ", count: indent + 2))
                Self.quote(key, into: &out)
                out.append(": ")
                members[key]!.render(into: &out, indent: indent + 2)
                out.append(index + 1 < keys.count ? ",\n" : "\n")
            }
            out.append(String(repeating: " ", count: indent) + "}")
        }
    }

    private static func quote(_ text: String, into out: inout String) {
        out.append("\"")
        for unit in text.utf16 {
            switch unit {
            case 0x22: out.append("\\\"")
            case 0x5C: out.append("\\\\")
            case 0x0A: out.append("\\n")
            case 0x0D: out.append("\\r")
            case 0x09: out.append("\\t")
            case 0x08: out.append("\\b")
            case 0x0C: out.append("\\f")
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default: out.append("\\u" + hex(unit, digits: 4))
            }
        }
        out.append("\"")
    }
}

extension WireEnvelope {
    /// The message's JSON form (protocol/SPEC.md §9).
    public var json: JSONValue {
        .object([
            "version": .string("\(WireFormat.majorVersion).\(minorVersion)"),
            "kind": .string(message.kind.name),
            "flags": .unsigned(UInt64(flags.rawValue)),
            "source": .unsigned(UInt64(source)),
            "sequence": .unsigned(UInt64(sequence)),
            "body": message.jsonBody,
        ])
    }
}

extension WireMessage {
    /// The payload's fields in the JSON form.
    public var jsonBody: JSONValue {
        switch self {
        case .spikeBatch(let batch):
            return .object(batch.jsonFields)
        case .stimulus(let s):
            var fields = s.batch.jsonFields
            fields["target_pool"] = .unsigned(UInt64(s.targetPool))
            fields["drive"] = .signed(Int64(s.drive))
            return .object(fields)
        case .modulators(let m):
            var levels: [String: JSONValue] = [:]
            for entry in m.levels { levels[Modulator.name(entry.id)] = .unsigned(UInt64(entry.level)) }
            return .object([
                "tick": .unsigned(m.tick),
                "mode": .string(m.mode == .atTick ? "at_tick" : "on_arrival"),
                "levels": .object(levels),
            ])
        case .permit(let p):
            return .object(["until": .unsigned(p.until), "epoch": .unsigned(UInt64(p.epoch))])
        case .heartbeat(let h):
            var fields = h.counters.jsonFields
            fields["state"] = .string(h.state.name)
            fields["tick"] = .unsigned(h.tick)
            fields["uptime_us"] = .unsigned(h.uptimeMicroseconds)
            fields["overruns"] = .unsigned(h.overruns)
            return .object(fields)
        case .hello(let h):
            return .object([
                "role": .string(h.role.name), "pool": .unsigned(UInt64(h.pool)),
                "neuron_count": .unsigned(UInt64(h.neuronCount)), "network_hash": .unsigned(h.networkHash),
                "tick": .unsigned(h.tick), "name": .string(h.name), "software": .string(h.software),
            ])
        case .welcome(let w):
            return .object([
                "start_tick": .unsigned(w.startTick), "epoch": .unsigned(UInt64(w.epoch)),
                "mode": .string(w.mode.name), "tick_us": .unsigned(UInt64(w.tickMicroseconds)),
                "network_hash": .unsigned(w.networkHash),
            ])
        case .ready(let r):
            return .object([
                "tick": .unsigned(r.tick), "upstream_ready": .unsigned(UInt64(r.upstreamReady)),
                "upstream_total": .unsigned(UInt64(r.upstreamTotal)),
            ])
        case .command(let c):
            return .object(["verb": .string(c.verb.name), "argument": .unsigned(c.argument)])
        case .commandReply(let r):
            return .object([
                "verb": .string(r.verb.name), "state": .string(r.state.name), "tick": .unsigned(r.tick),
                "target_tick": .unsigned(r.targetTick), "message": .string(r.message),
            ])
        case .statusRequest, .taskRequest:
            return .object([:])
        case .taskReply(let t):
            return .object([
                "trials": .unsigned(UInt64(t.trials)), "decided": .unsigned(UInt64(t.decided)),
                "train_trials": .unsigned(UInt64(t.trainTrials)), "train_correct": .unsigned(UInt64(t.trainCorrect)),
                "test_trials": .unsigned(UInt64(t.testTrials)), "test_correct": .unsigned(UInt64(t.testCorrect)),
            ])
        case .statusReply(let s):
            return .object([
                "state": .string(s.state.name), "tick": .unsigned(s.tick),
                "rows": .array(s.rows.map { row in
                    var fields = row.counters.jsonFields
                    fields["pool"] = .unsigned(UInt64(row.pool))
                    fields["state"] = .string(row.state.name)
                    fields["alive"] = .bool(row.alive)
                    fields["tick"] = .unsigned(row.tick)
                    fields["neuron_count"] = .unsigned(UInt64(row.neuronCount))
                    fields["heartbeat_age_ms"] = .unsigned(UInt64(row.heartbeatAgeMilliseconds))
                    fields["name"] = .string(row.name)
                    return .object(fields)
                }),
            ])
        case .snapshotRequest(let c), .snapshotMarker(let c):
            return .object(["snapshot": .unsigned(c.snapshot), "parent": .unsigned(c.parent), "tick": .unsigned(c.tick)])
        case .snapshotAnnounce(let a):
            return .object([
                "snapshot": .unsigned(a.snapshot), "pool": .unsigned(UInt64(a.pool)), "tick": .unsigned(a.tick),
                "size": .unsigned(a.size), "crc": .unsigned(UInt64(a.crc)), "chunk_size": .unsigned(UInt64(a.chunkSize)),
            ])
        case .snapshotChunk(let c):
            return .object([
                "snapshot": .unsigned(c.snapshot), "pool": .unsigned(UInt64(c.pool)), "offset": .unsigned(c.offset),
                "data": .string(c.data.map { hex($0, digits: 2) }.joined()),
            ])
        case .snapshotAck(let a):
            return .object([
                "snapshot": .unsigned(a.snapshot), "pool": .unsigned(UInt64(a.pool)), "received": .unsigned(a.received),
                "credit": .unsigned(UInt64(a.credit)), "status": .string(a.status.name),
            ])
        case .error(let e):
            return .object([
                "code": .unsigned(UInt64(e.code.rawValue)), "code_name": .string(e.code.name),
                "about_kind": .unsigned(UInt64(e.aboutKind)), "about_sequence": .unsigned(UInt64(e.aboutSequence)),
                "message": .string(e.message),
            ])
        }
    }
}

extension SpikeBatch {
    var jsonFields: [String: JSONValue] {
        var ticks: [JSONValue] = []
        ticks.reserveCapacity(tickCount)
        for tick in 0..<tickCount {
            let encoding = encodings[tick] ?? (range(ofTick: tick).isEmpty ? .empty : nil)
            var fields: [String: JSONValue] = [
                "ids": .array(spikes(inTick: tick).map { .unsigned(UInt64($0)) }),
                "encoding": .string(encoding?.name ?? "auto"),
            ]
            if case .rice(let k) = encoding { fields["k"] = .unsigned(UInt64(k)) }
            ticks.append(.object(fields))
        }
        return [
            "first_tick": .unsigned(firstTick),
            "neuron_count": .unsigned(UInt64(neuronCount)),
            "ticks": .array(ticks),
        ]
    }
}

extension TrafficCounters {
    var jsonFields: [String: JSONValue] {
        [
            "spikes": .unsigned(spikes), "packets_out": .unsigned(packetsOut), "packets_in": .unsigned(packetsIn),
            "bytes_out": .unsigned(bytesOut), "bytes_in": .unsigned(bytesIn), "late": .unsigned(late),
            "lost": .unsigned(lost),
        ]
    }
}
