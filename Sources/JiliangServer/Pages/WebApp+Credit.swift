import HTTPTypes
import Hummingbird

// The credit area's pages are `CreditController` (with `PenaltiesController` and
// `DemonstrationController`); what stays here is shared by every page's form handling.

extension Response {
    /// The same response with another status (a form page re-rendered with its error: 400).
    func with(status: HTTPResponse.Status) -> Response {
        var r = self
        r.status = status
        return r
    }
}
