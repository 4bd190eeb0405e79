/// Where each table's rows would live if one deployment's database were split across nodes
/// (issue #22, item 7; docs/scaling.md). Jiliang's first split is by province — each province its
/// own deployment — so this is the plan for the one after it: a province (or a multi-province
/// deployment) whose primary is outgrown, distributed Citus-style by region. A test reads the
/// schema and holds every table to its line here: a new table must say where it goes.
public enum TableDistribution: Sendable, Equatable {
    /// Carries its region (a county or city code) in this column: distributed by it. A row that
    /// belongs to another (a record to its instrument, a reading to its device) carries a copy of
    /// its parent's (`RegionCopies`, M041), so that it is placed with it.
    case byRegion(String)
    /// Carries its owner (使用单位) in this column; the owner carries its region.
    case byOwner(String)
    /// Small and read everywhere (regions, the catalogue, rules, the calendar): copied to every node.
    case reference
    /// The deployment's own machinery (accounts, sessions, jobs, the ledger, the audit log):
    /// one copy on the coordinator, never split.
    case deployment

    /// Every table of the schema, by name.
    public static let tables: [String: TableDistribution] = [
        // Registry and lifecycle
        "instruments": .byRegion("region_code"), "owners": .byRegion("region_code"), "institutions": .byRegion("region_code"),
        "institution_scopes": .byRegion("region_code"), "filings": .byRegion("region_code"), "warnings": .byRegion("region_code"),
        "verification_requests": .byRegion("region_code"),
        "verification_records": .byRegion("region_code"),
        "schedules": .byRegion("region_code"),
        "status_changes": .byRegion("region_code"),
        // Statistics (kept counts)
        "metric_counts": .byRegion("region_code"), "utility_counts": .byRegion("region_code"), "utility_offences": .byRegion("region_code"),
        "report_runs": .byRegion("region_code"),
        // Surveys (摸排) and imports
        "surveys": .byRegion("region_code"), "survey_invitations": .byRegion("region_code"), "survey_join_requests": .byRegion("region_code"),
        "survey_instruments": .byRegion("region_code"),
        // A saved column mapping, of a region or the whole province (no region): small, read by all.
        "import_profiles": .reference,
        // Public service
        "complaints": .byRegion("region_code"),
        "complaint_events": .byRegion("region_code"),
        "complaint_photos": .byRegion("region_code"),
        "check_slots": .byRegion("region_code"),
        "free_checks": .byRegion("region_code"),
        "campaigns": .reference, "quiz_questions": .reference,
        // Citizens' anonymous quiz scores, per campaign: counted on the coordinator.
        "quiz_attempts": .deployment,
        // Honest metrology and credit
        "penalties": .byRegion("region_code"), "listings": .byRegion("region_code"), "demo_rounds": .byRegion("region_code"),
        "penalty_attachments": .byRegion("region_code"),
        "commitments": .byOwner("owner_id"), "credit_events": .byOwner("owner_id"), "credit_list_changes": .byOwner("owner_id"),
        "credit_scores": .byOwner("owner_id"), "demo_applications": .byOwner("owner_id"),
        "demo_scores": .byOwner("owner_id"),
        "credit_reminders": .deployment,
        // Social public measurement standards (社会公用计量标准)
        "measurement_standards": .byRegion("region_code"),
        "standard_items": .byRegion("region_code"),
        "standard_regions": .byRegion("region_code"), "standard_targets": .reference,
        // Telemetry
        "telemetry_devices": .byRegion("region_code"),
        "telemetry_readings": .byRegion("region_code"),
        "telemetry_daily": .byRegion("region_code"),
        "telemetry_findings": .byRegion("region_code"),
        "telemetry_tanks": .byRegion("region_code"),
        "telemetry_tank_nozzles": .byRegion("region_code"),
        "telemetry_thresholds": .byRegion("region_code"), "telemetry_minute_counts": .byRegion("region_code"), "inspection_tasks": .byRegion("region_code"),
        "telemetry_retention_runs": .deployment, "telemetry_partition_rollups": .deployment,
        // Messages: the recipient names an owner or a region ("owner:12", "region:350102").
        "inbox_messages": .deployment, "outbox_messages": .deployment,
        // Reference data
        "regions": .reference, "catalogue_entries": .reference, "verification_rules": .reference, "calendar_days": .reference,
        "instrument_names": .reference, "commitment_templates": .reference, "demo_checklists": .reference, "reference_loads": .reference,
        "derived_versions": .reference, "metric_count_settings": .reference,
        // The deployment's machinery
        "_fluent_migrations": .deployment, "users": .deployment, "api_tokens": .deployment, "sessions": .deployment, "audit_log": .deployment,
        "jobs": .deployment, "job_uploads": .deployment, "warning_runs": .deployment,
        "ledger_state": .deployment, "ledger_tiles": .deployment, "ledger_checkpoints": .deployment, "ledger_witnesses": .deployment,
    ]
}
