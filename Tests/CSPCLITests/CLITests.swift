import ArgumentParser
@testable import CSPCLI
import XCTest

final class CLITests: XCTestCase {
    func testJSONIsCompactSortedAndEscaped() {
        let value: JSONValue = .object(["b": 1, "a": .string("line\n\"q\"\u{01}"), "c": .array([true, .null, .double(1.5)])])
        XCTAssertEqual(value.serialized, #"{"a":"line\n\"q\"\u0001","b":1,"c":[true,null,1.5]}"#)
    }

    func testLocationsFollowFlagThenEnvironmentThenDefault() throws {
        var options = try GlobalOptions.parse(["--home", "/h", "--socket", "/s.sock"])
        XCTAssertEqual(options.resolvedHome, "/h")
        XCTAssertEqual(options.resolvedSocket, "/s.sock")
        setenv("CSP_HOME", "/env-home", 1)
        setenv("CSP_SOCKET", "", 1)
        defer { unsetenv("CSP_HOME"); unsetenv("CSP_SOCKET") }
        options = try GlobalOptions.parse([])
        XCTAssertEqual(options.resolvedHome, "/env-home")
        XCTAssertEqual(options.resolvedSocket, "/env-home/node.sock")
        setenv("CSP_SOCKET", "/env.sock", 1)
        XCTAssertEqual(options.resolvedSocket, "/env.sock")
        unsetenv("CSP_HOME")
        XCTAssertTrue(options.resolvedHome.hasSuffix("/.csp"))
    }

    func testFormatAndQuietVerbose() throws {
        XCTAssertEqual(try GlobalOptions.parse(["--format", "json"]).format, .json)
        XCTAssertThrowsError(try GlobalOptions.parse(["--format", "yaml"]))
        XCTAssertThrowsError(try GlobalOptions.parse(["-q", "-v"]))
        XCTAssertTrue(try GlobalOptions.parse(["-q"]).output.quiet)
    }

    func testExitStatusValues() {
        XCTAssertEqual(ExitStatus.success.rawValue, 0)
        XCTAssertEqual(ExitStatus.no.rawValue, 1)
        XCTAssertEqual(ExitStatus.failure.rawValue, 2)
        XCTAssertEqual(ExitStatus.usage.rawValue, 64)
    }
}

final class WaitTimeoutTests: XCTestCase {
    func testDurationsAndBareSeconds() {
        XCTAssertEqual(WaitTimeout(argument: "500ms")?.seconds, 0.5)
        XCTAssertEqual(WaitTimeout(argument: "30s")?.seconds, 30)
        XCTAssertEqual(WaitTimeout(argument: "2m")?.seconds, 120)
        XCTAssertEqual(WaitTimeout(argument: "1h")?.seconds, 3600)
        XCTAssertEqual(WaitTimeout(argument: "1.5")?.seconds, 1.5)
        XCTAssertNil(WaitTimeout(argument: "0")?.limit)
        XCTAssertEqual(WaitTimeout(argument: "0.25s")?.limit, 0.25)
        for bad in ["", "ms", "s", "5x", "-1s", "+1s", "inf", "nan", "1d", "2 m"] {
            XCTAssertNil(WaitTimeout(argument: bad), bad)
        }
    }
}
