import Testing
import NeuroNode
@testable import NeuroNetwork
import NeuroEngine

// Inputs that break a parser precondition of toml++ 3.4.0 (an abort in debug builds, undefined
// behaviour in release) must be reported as syntax errors without reaching it; valid TOML
// must pass untouched. If one of the hazards reached toml++, this test process would abort.

private func hazard(_ text: String) -> NetworkTOMLGuard.Hazard? {
    NetworkTOMLGuard.check(Array(text.utf8))
}

@Test(arguments: [
    ("[~]\n", 1, "table name"),                                 // class 1: header start
    ("a = 1\n[[=x]]\n", 2, "after '[['"),
    ("[[ [a]]]\n", 1, "table name"),
    ("[\u{2028}]\n", 1, "U+2028"),
    ("a = [10, }0]\n", 1, "found '}'"),                         // class 2: array value
    ("a = [\n  1,\n  }\n]\n", 3, "found '}'"),
    ("a = [[1], \u{2029}]\n", 1, "U+2029"),
    ("a = 1979-05-27T:00\n", 1, "after the date's 'T'"),        // class 3: date-time
    ("a = [1979-05-27tx:]\n", 1, "after the date's 'T'"),
    ("a = 1979-05-27 7,\n", 1, "after the date and space"),     // class 4: date, space, digit
    ("a = 1979-05-27 7\n", 1, "after the date and space"),
    ("a = [1111-11-11 1]\n", 1, "after the date and space"),
    ("\u{FEFF}[~]\n", 1, "table name"),                         // after a byte order mark
    ("a = " + String(repeating: "[", count: 250) + "}", 1, "found '}'"),  // as deep as toml++ goes
])
func hazardsAreRejectedBeforeTOMLKit(text: String, line: Int, fragment: String) {
    let h = hazard(text)
    #expect(h?.line == line && h?.message.contains(fragment) == true, "\(String(describing: h))")
    // The same input through the public parser: a syntax error with that line, no abort.
    do {
        _ = try NetworkDescription.parse(Array(text.utf8), file: "g.toml")
        Issue.record("accepted \(text)")
    } catch {
        #expect(error.line == line && error.key == nil && error.message.hasPrefix("TOML syntax error"))
    }
}

@Test func validTOMLPassesTheGuard() {
    let valid = [
        NetworkDescription.threePoolFileText,
        NetworkDescription.loopExampleText,
        "[ a . \"b c\" . 'd' ]\nx = 1\n[[ t ]]\n[[t]]\n",
        "s = \"\"\"\n[~\n  } ]\n\"\"\"\nl = '''\n[[=\n'''\nq = \"\"\"a\"\"\"\"\"\nr = 'C:\\'\n",
        "a = [ # comment [~ }\n  1, # }\n  [2, [3]], { x = 1, y = [ \"}\" ] },\n]\n",
        "\"a[}\" = 1\n'b]' = { c = 'd' }\n",
        "d1 = 1979-05-27T07:32:00Z\nd2 = 1979-05-27 07:32:00\nd3 = 1979-05-27\nt = 07:32:00\nd4 = [1979-05-27, 1979-05-27T00:00:00]\n",
        "f = [inf, -inf, nan, 1e5, 0x1F, 0o7, 0b1, 1_000, -0.5, +1]\n",
        "a = 1\r\n[b]\r\nc = 2\r\n",
        "\u{FEFF}a = 1\n",
        "", "# only a comment",
    ]
    for text in valid {
        #expect(hazard(text) == nil, "\(text)")
    }
}

@Test func locatorFindsHeadersAndKeys() {
    let text = "\u{FEFF}[network]\nname = \"x\"\n[[pool]]\n  name = \"a\"\n  [[pool.stimulus]]\n  kind = \"constant\"\n[[pool]]\nname = \"b\"\n  [[pool.stimulus]]\n  \"drive\" = 1\n[pool.extra]\na.b = 2\ns = \"\"\"\nfake = 1\n\"\"\"\n"
    let locator = NetworkSourceLocator(text: text)
    #expect(locator.line(for: "network.name") == 2)
    #expect(locator.line(for: "pool[0].name") == 4)
    #expect(locator.line(for: "pool[0].stimulus[0].kind") == 6)
    #expect(locator.line(for: "pool[1]") == 7)
    #expect(locator.line(for: "pool[1].stimulus[0].drive") == 10)
    #expect(locator.line(for: "pool[1].stimulus[0].missing") == 9)
    #expect(locator.line(for: "pool[1].extra.a.b") == 12)
    #expect(locator.line(for: "pool[1].extra.fake") == 11)  // inside a multi-line string: not a key
    #expect(locator.line(for: "projection[0].delay") == nil)
}
