import FluentKit
import Foundation
import JiliangAPI
import JiliangCore
import JiliangStore
import OpenAPIRuntime

/// Honest metrology and credit (issue #7) over `/api/v1`: the same store functions as the pages,
/// with the caller's scope and the configured rules.
extension APIImplementation {
    var credit: CreditConfiguration { config.credit }


    // MARK: Credit-risk classes

    func listCreditClasses(_ input: Operations.ListCreditClasses.Input) async throws -> Operations.ListCreditClasses.Output {
        let q = input.query
        let page = try await CreditScores.list(creditClass: q._class?.rawValue, cursor: q.cursor, limit: q.limit, by: try caller(), on: db)
        return .ok(.init(body: .json(.init(
            items: page.items.map {
                .init(ownerId: $0.owner.id!, ownerName: $0.owner.name, score: $0.score, _class: .init(rawValue: $0.creditClass.rawValue)!, computedOn: $0.computedOn)
            }, nextCursor: page.nextCursor))))
    }

    func getCreditAssessment(_ input: Operations.GetCreditAssessment.Input) async throws -> Operations.GetCreditAssessment.Output {
        let (f, a) = try await CreditScores.assess(ownerID: input.path.id, rules: credit, today: today, by: try caller(), on: db)
        return .ok(.init(body: .json(.init(
            ownerId: input.path.id, score: a.score, _class: .init(rawValue: a.creditClass.rawValue)!, inspectionFactor: a.inspectionFactor,
            contributions: a.contributions.map { .init(fact: $0.fact, detail: $0.detail, points: $0.points) },
            facts: .init(
                instrumentsInUse: f.instrumentsInUse, overdueOrUnfiled: f.overdueOrUnfiled, failedInUse: f.failedInUse, verifications: f.verifications,
                verificationFailures: f.verificationFailures, complaintsUpheld: f.complaintsUpheld, penalties: f.penalties, heavyPenalties: f.heavyPenalties,
                commitmentActive: f.commitmentActive, commitmentBreached: f.commitmentBreached, demonstrationUnit: f.demonstrationUnit, listed: f.listed,
                confirmedAlerts: f.confirmedAlerts),
            note: "内部参考，用于确定检查频次，不是对企业的信用评价 — an internal reference that sets inspection frequency, not a rating of the business"))))
    }

    // MARK: Commitments

    func listCommitmentTemplates(_ input: Operations.ListCommitmentTemplates.Input) async throws -> Operations.ListCommitmentTemplates.Output {
        _ = try caller()
        return .ok(.init(body: .json(try await Commitments.templates(on: db).map { .init(sector: $0.id!, title: $0.title, body: $0.body) })))
    }

    func putCommitmentTemplate(_ input: Operations.PutCommitmentTemplate.Input) async throws -> Operations.PutCommitmentTemplate.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let m = try await Commitments.saveTemplate(sector: input.path.sector, title: b.title, body: b.body, by: try caller(), on: db)
        return .ok(.init(body: .json(.init(sector: m.id!, title: m.title, body: m.body))))
    }

    func dto(_ m: CommitmentModel) -> Components.Schemas.Commitment {
        .init(
            id: m.id!, ownerId: m.ownerID, sector: m.sector, title: m.title, body: m.body, signerName: m.signerName, signerTitle: m.signerTitle,
            complaintPhone: m.complaintPhone, signedOn: m.signedOn, state: .init(rawValue: m.state)!, endedOn: m.endedOn, endReason: ReasonText.words(m.endReason, PageStrings.strings(.en)))
    }

    func listCommitments(_ input: Operations.ListCommitments.Input) async throws -> Operations.ListCommitments.Output {
        do {
            return .ok(.init(body: .json(try await Commitments.commitments(ownerID: input.query.ownerId, by: try caller(), on: db).map(dto))))
        } catch RegistryError.invalid(let v) where v.errors.map(\.field) == ["owner_id"] {
            // A filter naming an owner outside the caller's scope: not found, like any other read.
            throw RegistryError.notFound(.owner, key: "\(input.query.ownerId)")
        }
    }

    func signCommitment(_ input: Operations.SignCommitment.Input) async throws -> Operations.SignCommitment.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let m = try await Commitments.sign(
            ownerID: b.ownerId, signerName: b.signerName, signerTitle: b.signerTitle, complaintPhone: b.complaintPhone, today: today, by: try caller(), on: db)
        return .created(.init(body: .json(dto(m))))
    }

    func endCommitment(_ input: Operations.EndCommitment.Input) async throws -> Operations.EndCommitment.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        return .ok(.init(body: .json(dto(try await Commitments.end(input.path.id, as: b.outcome, reason: b.reason, today: today, by: try caller(), on: db)))))
    }

    // MARK: Demonstration units

    func dto(_ r: DemoRoundModel) -> Components.Schemas.DemoRound {
        .init(
            id: r.id!, regionCode: r.regionCode, sector: r.sector, title: r.title,
            criteria: Demonstration.criteria(of: r).map { .init(label: $0.label, weight: $0.weight) }, passScore: r.passScore, validMonths: r.validMonths,
            opensOn: r.opensOn, closesOn: r.closesOn, state: .init(rawValue: r.state)!, publishedOn: r.publishedOn)
    }

    func dto(_ a: DemoApplicationModel) -> Components.Schemas.DemoApplication {
        .init(
            id: a.id!, roundId: a.roundID, ownerId: a.ownerID, statement: a.statement, appliedOn: a.appliedOn, state: .init(rawValue: a.state)!, total: a.total,
            awardedOn: a.awardedOn, validUntil: a.validUntil, revokedOn: a.revokedOn, revokeReason: ReasonText.words(a.revokeReason, PageStrings.strings(.en)))
    }

    func listDemoChecklists(_ input: Operations.ListDemoChecklists.Input) async throws -> Operations.ListDemoChecklists.Output {
        _ = try caller()
        var out: [Components.Schemas.DemoChecklist] = []
        for s in CommitmentSector.allCases {
            out.append(.init(sector: s.rawValue, criteria: try await Demonstration.defaultCriteria(s, on: db).map { .init(label: $0.label, weight: $0.weight) }))
        }
        return .ok(.init(body: .json(out)))
    }

    func putDemoChecklist(_ input: Operations.PutDemoChecklist.Input) async throws -> Operations.PutDemoChecklist.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let list = try await Demonstration.saveChecklist(sector: input.path.sector, criteria: b.criteria, by: try caller(), on: db)
        return .ok(.init(body: .json(.init(sector: input.path.sector, criteria: list.map { .init(label: $0.label, weight: $0.weight) }))))
    }

    func listDemoRounds(_ input: Operations.ListDemoRounds.Input) async throws -> Operations.ListDemoRounds.Output {
        .ok(.init(body: .json(try await Demonstration.rounds(by: try caller(), on: db).map(dto))))
    }

    func openDemoRound(_ input: Operations.OpenDemoRound.Input) async throws -> Operations.OpenDemoRound.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let r = try await Demonstration.openRound(
            regionCode: b.regionCode, sector: b.sector, title: b.title, criteria: b.criteria, passScore: b.passScore, validMonths: b.validMonths,
            opensOn: b.opensOn, closesOn: b.closesOn, by: try caller(), on: db)
        return .created(.init(body: .json(dto(r))))
    }

    func listDemoApplications(_ input: Operations.ListDemoApplications.Input) async throws -> Operations.ListDemoApplications.Output {
        .ok(.init(body: .json(try await Demonstration.applications(roundID: input.path.id, by: try caller(), on: db).map(dto))))
    }

    func applyForDemoTitle(_ input: Operations.ApplyForDemoTitle.Input) async throws -> Operations.ApplyForDemoTitle.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let a = try await Demonstration.apply(roundID: input.path.id, ownerID: b.ownerId, statement: b.statement, today: today, by: try caller(), on: db)
        return .created(.init(body: .json(dto(a))))
    }

    func scoreDemoApplication(_ input: Operations.ScoreDemoApplication.Input) async throws -> Operations.ScoreDemoApplication.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let a = try await Demonstration.score(input.path.id, points: b.points ?? [], evidence: b.evidence ?? [], today: today, by: try caller(), on: db)
        return .ok(.init(body: .json(dto(a))))
    }

    func publishDemoRound(_ input: Operations.PublishDemoRound.Input) async throws -> Operations.PublishDemoRound.Output {
        .ok(.init(body: .json(dto(try await Demonstration.publish(input.path.id, today: today, by: try caller(), on: db)))))
    }

    func revokeDemoTitle(_ input: Operations.RevokeDemoTitle.Input) async throws -> Operations.RevokeDemoTitle.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        return .ok(.init(body: .json(dto(try await Demonstration.revoke(input.path.id, reason: b.reason, today: today, by: try caller(), on: db)))))
    }

    // MARK: Penalties

    func dto(_ m: PenaltyModel, files: [(id: Int, filename: String, type: String)]) -> Components.Schemas.Penalty {
        .init(
            id: m.id!, ownerId: m.ownerID, regionCode: m.regionCode, decisionNo: m.decisionNo, kind: m.kind,
            procedure: .init(rawValue: m.procedure) ?? .ordinary, partyKind: .init(rawValue: m.partyKind) ?? .organisation, legalBasis: m.legalBasis, facts: m.facts,
            amountYuan: m.amountYuan, heavy: m.heavy, decidedOn: m.decidedOn, restrictionUntil: m.restrictionUntil, publishBy: m.publishBy,
            publishedOn: m.publishedOn, displayUntil: m.displayUntil, state: .init(rawValue: m.state)!, withdrawnOn: m.withdrawnOn,
            withdrawReason: m.withdrawReason, specialDomain: m.specialDomain, repairAppliedOn: m.repairAppliedOn, repairStatement: m.repairStatement,
            repairedOn: m.repairedOn, evidence: files.map { .init(id: $0.id, filename: $0.filename, contentType: $0.type) })
    }

    func dto(_ m: PenaltyModel, by p: Principal) async throws -> Components.Schemas.Penalty {
        dto(m, files: try await Penalties.attachments(of: m.id!, by: p, on: db))
    }

    func listPenalties(_ input: Operations.ListPenalties.Input) async throws -> Operations.ListPenalties.Output {
        let q = input.query, p = try caller()
        let page = try await Penalties.list(ownerID: q.ownerId, state: q.state?.rawValue, cursor: q.cursor, limit: q.limit, by: p, on: db)
        var items: [Components.Schemas.Penalty] = []
        for m in page.items { items.append(try await dto(m, by: p)) }
        return .ok(.init(body: .json(.init(items: items, nextCursor: page.nextCursor))))
    }

    func recordPenalty(_ input: Operations.RecordPenalty.Input) async throws -> Operations.RecordPenalty.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        var files: [Penalties.Attachment] = []
        for (i, e) in (b.evidence ?? []).enumerated() {
            guard let data = Data(base64Encoded: e.contentBase64, options: .ignoreUnknownCharacters) else {
                throw RegistryError.invalid("evidence[\(i + 1)]", .request(.notBase64))
            }
            files.append(.init(filename: e.filename, bytes: Array(data)))
        }
        let p = try caller()
        var draft = Penalties.Input(
            ownerID: b.ownerId, decisionNo: b.decisionNo, kind: b.kind, legalBasis: b.legalBasis, facts: b.facts, amountYuan: b.amountYuan,
            heavy: b.heavy ?? false, decidedOn: b.decidedOn, restrictionUntil: b.restrictionUntil, procedure: b.procedure?.rawValue,
            partyKind: b.partyKind?.rawValue, attachments: files)
        draft.specialDomain = b.specialDomain ?? false
        let m = try await Penalties.record(draft, rules: credit, today: today, by: p, on: db)
        return .created(.init(body: .json(try await dto(m, by: p))))
    }

    func getPenalty(_ input: Operations.GetPenalty.Input) async throws -> Operations.GetPenalty.Output {
        let p = try caller()
        return .ok(.init(body: .json(try await dto(try await Penalties.penalty(input.path.id, by: p, on: db), by: p))))
    }

    func publishPenalty(_ input: Operations.PublishPenalty.Input) async throws -> Operations.PublishPenalty.Output {
        let p = try caller()
        return .ok(.init(body: .json(try await dto(try await Penalties.publish(input.path.id, rules: credit, today: today, by: p, on: db), by: p))))
    }

    func applyToEndPenaltyPublication(_ input: Operations.ApplyToEndPenaltyPublication.Input) async throws -> Operations.ApplyToEndPenaltyPublication.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let p = try caller()
        let m = try await Penalties.applyForRepair(
            input.path.id, statement: b.statement, fulfilled: b.fulfilled, remedied: b.remedied, rules: credit, today: today, by: p, on: db)
        return .ok(.init(body: .json(try await dto(m, by: p))))
    }

    func decidePenaltyRepair(_ input: Operations.DecidePenaltyRepair.Input) async throws -> Operations.DecidePenaltyRepair.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let p = try caller()
        return .ok(.init(body: .json(try await dto(try await Penalties.decideRepair(input.path.id, approve: b.approve, note: b.note, today: today, by: p, on: db), by: p))))
    }

    func withdrawPenalty(_ input: Operations.WithdrawPenalty.Input) async throws -> Operations.WithdrawPenalty.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let p = try caller()
        return .ok(.init(body: .json(try await dto(try await Penalties.withdraw(input.path.id, reason: b.reason, today: today, by: p, on: db), by: p))))
    }

    // MARK: The serious-dishonesty list

    func dto(_ m: ListingModel) async throws -> Components.Schemas.Listing {
        let history = try await CreditEventModel.query(on: db).filter(\.$entity == "listing").filter(\.$entityID == m.id!).sort(\.$id).all()
        return .init(
            id: m.id!, ownerId: m.ownerID, regionCode: m.regionCode, penaltyId: m.penaltyID, reason: m.reason, state: .init(rawValue: m.state)!,
            proposedBy: m.proposedBy, proposedOn: m.proposedOn, notifiedOn: m.notifiedOn, objectionUntil: m.objectionUntil, objection: m.objection,
            decidedBy: m.decidedBy, decidedOn: m.decidedOn, decidedRegion: m.decidedRegion, consentBy: m.consentBy, consentOn: m.consentOn,
            consentNote: m.consentNote, publishedOn: m.publishedOn, repairEligibleOn: m.repairEligibleOn, removalOn: m.removalOn,
            repairAppliedOn: m.repairAppliedOn, endedOn: m.endedOn, endReason: ReasonText.words(m.endReason, PageStrings.strings(.en)),
            history: history.map { .init(action: $0.action, day: $0.day, actor: $0.actor, note: ReasonText.words($0.note, PageStrings.strings(.en))) })
    }

    func listListings(_ input: Operations.ListListings.Input) async throws -> Operations.ListListings.Output {
        let q = input.query
        let page = try await Listings.list(state: q.state?.rawValue, ownerID: q.ownerId, cursor: q.cursor, limit: q.limit, by: try caller(), on: db)
        var items: [Components.Schemas.Listing] = []
        for m in page.items { items.append(try await dto(m)) }
        return .ok(.init(body: .json(.init(items: items, nextCursor: page.nextCursor))))
    }

    func proposeListing(_ input: Operations.ProposeListing.Input) async throws -> Operations.ProposeListing.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        return .created(.init(body: .json(try await dto(try await Listings.propose(penaltyID: b.penaltyId, reason: b.reason, today: today, by: try caller(), on: db)))))
    }

    func getListing(_ input: Operations.GetListing.Input) async throws -> Operations.GetListing.Output {
        .ok(.init(body: .json(try await dto(try await Listings.listing(input.path.id, by: try caller(), on: db)))))
    }

    func takeListingStep(_ input: Operations.TakeListingStep.Input) async throws -> Operations.TakeListingStep.Output {
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let m = try await Listings.step(
            input.path.id, step: b.step, text: b.text, decision: b.decision, approve: b.approve, fulfilled: b.fulfilled ?? false, remedied: b.remedied ?? false,
            rules: credit, today: today, by: try caller(), on: db)
        return .ok(.init(body: .json(try await dto(m))))
    }

    // MARK: Public lists

    func listDemonstrationUnits(_ input: Operations.ListDemonstrationUnits.Input) async throws -> Operations.ListDemonstrationUnits.Output {
        let rows = try await Demonstration.units(search: input.query.q, today: today, on: db)
        return .ok(.init(body: .json(rows.map { a, o, r in
            .init(name: o.name, creditCode: o.creditCode, regionCode: o.regionCode, since: a.awardedOn ?? "", until: a.validUntil, title: r.title)
        })))
    }

    func listListedParties(_ input: Operations.ListListedParties.Input) async throws -> Operations.ListListedParties.Output {
        let rows = try await Listings.shown(ownerID: nil, search: input.query.q, today: today, on: db)
        return .ok(.init(body: .json(rows.map { m, o in
            .init(name: o.name, creditCode: o.creditCode, regionCode: o.regionCode, since: m.publishedOn ?? "", until: m.removalOn, title: m.reason)
        })))
    }
}
