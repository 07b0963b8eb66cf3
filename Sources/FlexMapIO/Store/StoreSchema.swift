/// The store's schema as a list of migrations: migration N brings a store from version
/// N-1 to N. Never edit a released migration; add the next one.
enum StoreSchema {
    static let migrations: [String] = [
        // 1: organisations, keys, mappings, contacts, runs.
        """
        CREATE TABLE orgs (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY,
            org_id TEXT NOT NULL REFERENCES orgs(id),
            prefix TEXT NOT NULL,
            salt BLOB NOT NULL,
            hash BLOB NOT NULL,
            created_at TEXT NOT NULL,
            last_used_at TEXT,
            revoked_at TEXT
        );
        CREATE INDEX api_keys_org ON api_keys(org_id);
        CREATE TABLE mappings (
            id TEXT PRIMARY KEY,
            org_id TEXT NOT NULL REFERENCES orgs(id),
            name TEXT NOT NULL,
            definition TEXT NOT NULL,
            active INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX mappings_org ON mappings(org_id);
        CREATE TABLE contacts (
            id INTEGER PRIMARY KEY,
            org_id TEXT NOT NULL,
            phone TEXT NOT NULL,
            first_name TEXT,
            last_name TEXT,
            email TEXT,
            company TEXT,
            crm_id TEXT,
            crm_source TEXT,
            backup_contact_name TEXT,
            backup_contact_phone TEXT,
            country_code TEXT,
            country TEXT,
            contact_tags TEXT NOT NULL DEFAULT '[]',
            contact_variables TEXT NOT NULL DEFAULT '{}',
            mapping_id TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (org_id, phone)
        );
        CREATE INDEX contacts_mapping ON contacts(mapping_id);
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            command TEXT NOT NULL,
            input TEXT NOT NULL,
            input_fingerprint TEXT NOT NULL,
            format TEXT NOT NULL,
            org_id TEXT NOT NULL,
            mapping_id TEXT NOT NULL,
            mapping_fingerprint TEXT NOT NULL,
            report_dir TEXT NOT NULL,
            status TEXT NOT NULL,
            input_offset INTEGER NOT NULL DEFAULT 0,
            records_read INTEGER NOT NULL DEFAULT 0,
            lines_read INTEGER NOT NULL DEFAULT 0,
            counts TEXT NOT NULL DEFAULT '{}',
            report_checkpoint TEXT NOT NULL DEFAULT '{}',
            started_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            finished_at TEXT
        );
        """
    ]

    static var currentVersion: Int { migrations.count }
}
