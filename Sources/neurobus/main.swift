import NeuroPool
var ok = 0
var line = ""
for seed in [UInt64(42)] + Array(UInt64(1)...15) {
    var d = LearningDemo()
    d.seed = seed
    let r = try! d.run()
    let pass = r.prunedPercent >= 50 && r.thermalAfter.cold >= 1 && abs(r.activityChangePercent) <= 25
    if pass { ok += 1 }
    line += " s\(seed):\(Int(r.prunedPercent))%/F\(r.thermalAfter.cold)/\(Int(r.baselineSpikes))->\(Int(r.finalSpikes))\(pass ? "" : "✗")"
}
print("\(ok)/16 \(line)")
print(try! LearningDemo().run())
