import JiliangCore
@testable import JiliangServer
import Testing

/// `Site.canonical`: the path as Hummingbird's router matches it (empty segments dropped), which
/// every middleware that decides by path reads (STYLE.md: one place). The fast check that leaves
/// most paths untouched (issue #23) must agree with the slow rewrite at every boundary: a
/// middleware reading a different path from the router's would let "//api/…" past a check.
@Suite struct CanonicalPathTests {
    @Test(arguments: [
        ("/", "/"),  // the root is canonical, its slash is not "trailing"
        ("/p/i/350102000101234560", "/p/i/350102000101234560"),  // the lookup's hot path, unchanged
        ("/api/v1/owners", "/api/v1/owners"),
        ("/p/", "/p"),  // a trailing slash
        ("//api/v1/owners", "/api/v1/owners"),  // an empty first segment
        ("/api//v1/owners", "/api/v1/owners"),  // an empty middle segment
        ("/app/x//", "/app/x"),
        ("///", "/"),
        ("//", "/"),
        ("", "/"),  // no leading slash
        ("p/i/x", "/p/i/x"),
        ("/a", "/a"),  // one byte past the root
        ("/计量/", "/计量"),  // non-ASCII segments keep their bytes
    ])
    func pathsAreWrittenAsTheRouterMatchesThem(path: String, expected: String) {
        #expect(Site.canonical(path) == expected)
        // And the rewrite is stable: a canonical path comes back as it is.
        #expect(Site.canonical(expected) == expected)
    }
}
