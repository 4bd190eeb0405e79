import JiliangCore

/// The credit rules in one value, so the server can set them from its configuration: penalty
/// publication periods (Order 45), the dishonesty list's windows (Order 44) and the score's weights.
/// Figures not confirmed from a primary source are marked so in docs/credit.md.
public struct CreditConfiguration: Sendable, Equatable {
    public var publication: PenaltyPublicationRules
    public var listing: DishonestyListRules
    public var policy: CreditPolicy
    /// Days before a deadline (publication, end of the objection window) a reminder goes out.
    public var reminderLeadDays: Int

    public init(publication: PenaltyPublicationRules = .init(), listing: DishonestyListRules = .init(), policy: CreditPolicy = .init(), reminderLeadDays: Int = 3) {
        self.publication = publication
        self.listing = listing
        self.policy = policy
        self.reminderLeadDays = reminderLeadDays
    }
}
