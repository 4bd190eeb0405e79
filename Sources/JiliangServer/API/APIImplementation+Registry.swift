import FluentKit
import Foundation
import JiliangAPI
import JiliangCore
import JiliangStore
import OpenAPIRuntime

extension APIImplementation {
    // MARK: Regions

    func listRegions(_ input: Operations.ListRegions.Input) async throws -> Operations.ListRegions.Output {
        _ = try scope  // signed-in callers only
        return .ok(.init(body: .json(try await Registry.regions(parent: input.query.parent, on: db).map(dto))))
    }

    func getRegion(_ input: Operations.GetRegion.Input) async throws -> Operations.GetRegion.Output {
        _ = try scope  // signed-in callers only
        return .ok(.init(body: .json(dto(try await Registry.region(input.path.code, on: db)))))
    }

    func putRegion(_ input: Operations.PutRegion.Input) async throws -> Operations.PutRegion.Output {
        _ = try caller(may: .manageReference)
        guard case .json(let body) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let r = try await Registry.saveRegion(code: input.path.code, name: body.name, operational: body.operational, on: db)
        return .ok(.init(body: .json(dto(r))))
    }

    // MARK: Catalogue

    func listCatalogue(_ input: Operations.ListCatalogue.Input) async throws -> Operations.ListCatalogue.Output {
        _ = try scope  // signed-in callers only
        return .ok(.init(body: .json(try await Registry.catalogue(on: db).map(dto))))
    }

    func getCatalogueEntry(_ input: Operations.GetCatalogueEntry.Input) async throws -> Operations.GetCatalogueEntry.Output {
        _ = try scope  // signed-in callers only
        return .ok(.init(body: .json(dto(try await Registry.catalogueEntry(input.path.subNo, on: db)))))
    }

    func putCatalogueEntry(_ input: Operations.PutCatalogueEntry.Input) async throws -> Operations.PutCatalogueEntry.Output {
        _ = try caller(may: .manageReference)
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let e = CatalogueEntry(
            itemNo: b.itemNo, itemName: b.itemName, subNo: input.path.subNo, subName: b.subName,
            mode: b.mode.flatMap { SupervisionMode(rawValue: $0.rawValue) }, form: b.form.flatMap { VerificationForm(rawValue: $0.rawValue) },
            scopeNote: b.scopeNote ?? "", regulation: b.regulation ?? "", source: b.source ?? "",
            confidence: Confidence(rawValue: b.confidence.rawValue)!)
        return .ok(.init(body: .json(dto(try await Registry.saveCatalogueEntry(e, on: db)))))
    }

    func listRules(_ input: Operations.ListRules.Input) async throws -> Operations.ListRules.Output {
        _ = try scope  // signed-in callers only
        return .ok(.init(body: .json(try await Registry.rules(subNo: input.path.subNo, on: db).map(dto))))
    }

    func createRule(_ input: Operations.CreateRule.Input) async throws -> Operations.CreateRule.Output {
        _ = try caller(may: .manageReference)
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        guard let from = CalendarDay(b.effectiveFrom) else { throw RegistryError.invalid("effective_from", .notADate(got: b.effectiveFrom)) }
        var until: CalendarDay?
        if let u = b.effectiveUntil {
            guard let day = CalendarDay(u) else { throw RegistryError.invalid("effective_until", .notADate(got: u)) }
            until = day
        }
        var meterType: MeterType?
        if let t = b.condition?.meterType {
            guard let m = MeterType(rawValue: t) else {
                throw RegistryError.invalid("condition.meter_type", .notOneOf(MeterType.allCases.map(\.rawValue), got: t))
            }
            meterType = m
        }
        let rule = VerificationRule(
            id: 0, subNo: input.path.subNo, effectiveFrom: from, effectiveUntil: until,
            condition: MeterCondition(
                meterType: meterType, dnAbove: b.condition?.dnAbove, dnMax: b.condition?.dnMax, q3Max: b.condition?.q3Max,
                medium: b.condition?.medium.flatMap { GasMedium(rawValue: $0.rawValue) }),
            form: VerificationForm(rawValue: b.form.rawValue)!, cycleMonths: b.cycleMonths, serviceLifeMonths: b.serviceLifeMonths,
            source: b.source ?? "", confidence: Confidence(rawValue: b.confidence.rawValue)!)
        return .created(.init(body: .json(dto(try await Registry.addRule(rule, on: db)))))
    }

    // MARK: Owners

    func listOwners(_ input: Operations.ListOwners.Input) async throws -> Operations.ListOwners.Output {
        let q = input.query
        let page = try await Registry.owners(
            .init(region: try parseRegion(q.region), industry: q.industry, search: q.q, parentID: q.parentId), cursor: q.cursor,
            limit: q.limit, scope: scope, on: db)
        return .ok(.init(body: .json(.init(items: page.items.map(dto), nextCursor: page.nextCursor))))
    }

    func ownerDraft(_ b: Components.Schemas.OwnerInput) async throws -> OwnerDraft {
        try OwnerDraft.parse(
            name: b.name, creditCode: b.creditCode, address: b.address, regionCode: b.regionCode, industry: b.industry,
            contactName: b.contactName, contactPhone: b.contactPhone, parentID: b.parentId, context: try await Registry.context(on: db))
    }

    func createOwner(_ input: Operations.CreateOwner.Input) async throws -> Operations.CreateOwner.Output {
        let p = try caller(may: .manageOwners)
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        return .created(.init(body: .json(dto(try await Registry.createOwner(try await ownerDraft(b), scope: p.scope, on: db)))))
    }

    func getOwner(_ input: Operations.GetOwner.Input) async throws -> Operations.GetOwner.Output {
        .ok(.init(body: .json(dto(try await Registry.owner(input.path.id, scope: scope, on: db)))))
    }

    func updateOwner(_ input: Operations.UpdateOwner.Input) async throws -> Operations.UpdateOwner.Output {
        _ = try caller(may: .manageOwners)
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let m = try await Registry.updateOwner(input.path.id, try await ownerDraft(b), scope: scope, on: db)
        return .ok(.init(body: .json(dto(m))))
    }

    // MARK: Institutions

    func listInstitutions(_ input: Operations.ListInstitutions.Input) async throws -> Operations.ListInstitutions.Output {
        _ = try scope  // signed-in callers only
        let q = input.query
        let page = try await Registry.institutions(
            region: try parseRegion(q.region), subNo: q.subNo, cursor: q.cursor, limit: q.limit, on: db)
        var items: [Components.Schemas.Institution] = []
        for m in page.items { items.append(dto(m, scopes: try await Registry.scopes(of: m.id!, on: db))) }
        return .ok(.init(body: .json(.init(items: items, nextCursor: page.nextCursor))))
    }

    func institutionDraft(_ b: Components.Schemas.InstitutionInput) async throws -> InstitutionDraft {
        try InstitutionDraft.parse(
            name: b.name, kind: b.kind?.rawValue, creditCode: b.creditCode, regionCode: b.regionCode, address: b.address,
            scopes: (b.scopes ?? []).map { .init(subNo: $0.subNo, regionCode: $0.regionCode, validFrom: $0.validFrom, validUntil: $0.validUntil) },
            context: try await Registry.context(on: db))
    }

    func createInstitution(_ input: Operations.CreateInstitution.Input) async throws -> Operations.CreateInstitution.Output {
        _ = try caller(may: .manageReference)
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let d = try await institutionDraft(b)
        let m = try await Registry.createInstitution(d, on: db)
        return .created(.init(body: .json(dto(m, scopes: d.scopes))))
    }

    func getInstitution(_ input: Operations.GetInstitution.Input) async throws -> Operations.GetInstitution.Output {
        _ = try scope  // signed-in callers only
        let m = try await Registry.institution(input.path.id, on: db)
        return .ok(.init(body: .json(dto(m, scopes: try await Registry.scopes(of: m.id!, on: db)))))
    }

    func updateInstitution(_ input: Operations.UpdateInstitution.Input) async throws -> Operations.UpdateInstitution.Output {
        _ = try caller(may: .manageReference)
        guard case .json(let b) = input.body else { throw RegistryError.invalid("body", .request(.mustBeJSON)) }
        let d = try await institutionDraft(b)
        let m = try await Registry.updateInstitution(input.path.id, d, on: db)
        return .ok(.init(body: .json(dto(m, scopes: d.scopes))))
    }
}
