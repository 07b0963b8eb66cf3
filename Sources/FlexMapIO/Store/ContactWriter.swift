import FlexMapCore

/// Applies contacts to the store one by one, in input order, and says what became of
/// each: created, a duplicate (skipped), or merged into the existing contact. In a dry
/// run it writes nothing to the store: it remembers the run's phones in a scratch
/// database and still sees the contacts already stored.
public final class ContactWriter {
    /// A contact's JSON columns, encoded off the writer thread.
    public struct Encoded: Sendable {
        public var tags: String
        public var variables: String

        public init(_ contact: Contact) {
            tags = contact.tagsJSON
            variables = contact.variablesJSON
        }
    }

    public enum Result: Sendable, Equatable {
        case created
        case duplicate
        case updated
    }

    let store: Store
    let dryRun: Bool
    private let insert: SQLiteStatement?
    private let select: SQLiteStatement
    private let update: SQLiteStatement?
    private let exists: SQLiteStatement
    private let remember: SQLiteStatement?

    static let columns =
        "org_id, phone, first_name, last_name, email, company, crm_id, crm_source, backup_contact_name, backup_contact_phone, country_code, country, contact_tags, contact_variables, mapping_id, created_at, updated_at"

    public init(store: Store, dryRun: Bool) throws(SQLiteError) {
        self.store = store
        self.dryRun = dryRun
        let database = store.database
        select = try database.prepare(
            "SELECT id, \(Self.columns) FROM main.contacts WHERE org_id = ?1 AND phone = ?2")
        exists = try database.prepare("SELECT 1 FROM main.contacts WHERE org_id = ?1 AND phone = ?2")
        if dryRun {
            // An anonymous temporary database: on disk past its cache, gone when closed.
            try database.execute("ATTACH DATABASE '' AS scratch", context: "preparing the dry run")
            try database.execute(
                "CREATE TABLE scratch.seen (org_id TEXT NOT NULL, phone TEXT NOT NULL, PRIMARY KEY (org_id, phone)) WITHOUT ROWID",
                context: "preparing the dry run")
            remember = try database.prepare("INSERT OR IGNORE INTO scratch.seen (org_id, phone) VALUES (?1, ?2)")
            insert = nil
            update = nil
        } else {
            insert = try database.prepare(
                "INSERT INTO main.contacts (\(Self.columns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16) ON CONFLICT (org_id, phone) DO NOTHING"
            )
            update = try database.prepare(
                "UPDATE main.contacts SET first_name = ?2, last_name = ?3, email = ?4, company = ?5, crm_id = ?6, crm_source = ?7, backup_contact_name = ?8, backup_contact_phone = ?9, country_code = ?10, country = ?11, contact_tags = ?12, contact_variables = ?13, updated_at = ?14 WHERE id = ?1"
            )
            remember = nil
        }
    }

    deinit {
        if dryRun { try? store.database.execute("DETACH DATABASE scratch") }
    }

    /// Applies one contact under `policy`, at time `now`.
    public func apply(
        _ contact: Contact, policy: Mapping.DuplicatePolicy, now: String, encoded: Encoded? = nil
    ) throws(SQLiteError) -> Result {
        if dryRun {
            let stored = try !exists.query([.text(contact.orgId), .text(contact.phone)]) { _ in true }.isEmpty
            try remember!.run([.text(contact.orgId), .text(contact.phone)])
            let firstInRun = store.database.changes == 1
            if !stored && firstInRun { return .created }
            return policy == .update ? .updated : .duplicate
        }
        try Self.bindInsert(insert!, contact, encoded: encoded ?? Encoded(contact), now: now)
        if store.database.changes == 1 { return .created }
        guard policy == .update else { return .duplicate }
        let rows = try select.query([.text(contact.orgId), .text(contact.phone)]) { row in
            (row.int(0), Self.contact(from: row, offset: 1))
        }
        guard let (id, existing) = rows.first else { return .duplicate }
        var merged = existing
        merged.merge(contact)
        if merged != existing {
            try update!.run(
                [.integer(id)] + Contact.textFields.map { SQLiteValue.optional(merged[keyPath: $0.keyPath]) }
                    + [.text(merged.tagsJSON), .text(merged.variablesJSON), .text(now)])
        }
        return .updated
    }

    /// Binds the insert's parameters one by one (no array of values per row) and runs it.
    static func bindInsert(_ statement: SQLiteStatement, _ contact: Contact, encoded: Encoded, now: String)
        throws(SQLiteError)
    {
        defer { statement.reset() }
        try statement.bind(text: contact.orgId, at: 1)
        try statement.bind(text: contact.phone, at: 2)
        var index: Int32 = 3
        for field in Contact.textFieldOrder {
            try statement.bind(text: contact.value(of: field), at: index)
            index += 1
        }
        try statement.bind(text: encoded.tags, at: 13)
        try statement.bind(text: encoded.variables, at: 14)
        try statement.bind(text: contact.mappingId, at: 15)
        try statement.bind(text: now, at: 16)
        while try statement.step() {}
    }

    /// Reads a contact from a row whose columns follow `columns`, starting at `offset`.
    static func contact(from row: SQLiteStatement, offset: Int32) -> Contact {
        var contact = Contact(
            orgId: row.text(offset) ?? "", mappingId: row.text(offset + 14) ?? "", phone: row.text(offset + 1) ?? "")
        for (index, field) in Contact.textFields.enumerated() {
            contact[keyPath: field.keyPath] = row.text(offset + 2 + Int32(index))
        }
        let parser = JSONParser()
        if let text = row.text(offset + 12), case .array(let items)? = try? parser.parse(text) {
            contact.tags = items.compactMap(\.scalarText)
        }
        if let text = row.text(offset + 13), case .object(let object)? = try? parser.parse(text) {
            for member in object.members { contact.variables[member.key] = member.value.scalarText ?? "" }
        }
        return contact
    }
}
