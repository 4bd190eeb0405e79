/// What an import (a file, its mapping, a profile, a row) may be refused for.
public indirect enum ImportRefusal: Sendable, Hashable, Codable {
    // MARK: The file as a whole

    case emptyFile
    /// A legacy Excel 97–2003 workbook (.xls), which is not read.
    case legacyExcelWorkbook
    /// A web page (HTML) saved under a spreadsheet's name, as some older systems export.
    case webPage
    case pdf
    /// A ZIP archive that is not an XLSX workbook.
    case zipNotWorkbook
    /// A ZIP that looks like a workbook but lacks its workbook part (`path`).
    case workbookPartMissing(path: String)
    /// A workbook whose ZIP structure is damaged.
    case damagedZip
    /// A workbook the ZIP reader refused; `detail` is the reader's own account.
    case unreadableWorkbook(detail: String)
    case noSheets
    /// The sheet asked for is not in the workbook; `sheets` are the ones it has.
    case noSheetNamed(String, sheets: [String])
    /// The workbook names a sheet whose part it does not hold.
    case sheetMissing(String)
    /// A part of the workbook that is no XML at all.
    case xmlNotXML
    case xmlMalformed(line: Int)
    /// A part that declares a document type (refused outright: no workbook part has one).
    case xmlDocumentType
    /// A part whose header claims more bytes than the whole file has.
    case partLargerThanFile(path: String)
    /// A part that cannot be inflated; `detail` is the ZIP reader's own account.
    case partNotInflatable(path: String, detail: String)
    /// A part that inflates past the limits (`WorkbookReader.Limits`): a possible zip bomb.
    case possibleZipBomb(path: String, maxMB: Int, maxRatio: Int)
    /// A cell far to the right of any roll's table (`column` is its number, from 1).
    case tooManyColumns(row: Int, column: Int, max: Int)
    case tooManyCells(max: Int)
    /// The C library cannot convert the encoding (`iconv`).
    case cannotConvert(encoding: String)
    /// A byte (at `offset`) that neither UTF-8 nor GB18030 decodes.
    case notUTF8OrGB18030(offset: Int)
    /// A CSV quoted field that is never closed (RFC 4180), from `line` on.
    case unterminatedQuote(line: Int)
    case characterAfterQuote(line: Int)
    /// More data rows than one import takes (`serve --import-max-rows`).
    case tooManyRows(max: Int)

    // MARK: The header and its mapping

    /// A mapping that gives a column a field no import has.
    case mappedToUnknownField(header: String, field: String)
    /// Two columns give one field; `mappable` when a mapping could settle it (an instrument roll).
    case columnsGiveOneField(first: String, second: String, field: String, mappable: Bool)
    /// The header lacks a required field; `accepted` are the headers that give it (canonical first).
    case noColumnFor(field: String, accepted: [String])
    /// The row that came closest to a header, and what it lacks.
    case headerRowIncomplete(row: Int, ImportRefusal)
    /// An instrument roll without a header in its first `searched` rows.
    case noHeaderRow(searched: Int)
    /// An owner or institution roll without a header in its first `searched` rows; `needs` are its
    /// required fields, each as its canonical name and first accepted header.
    case noRollHeaderRow(searched: Int, needs: [[String]])

    // MARK: Options and profiles

    case tooManyMappedColumns(max: Int)
    /// A `map` entry (its first 40 characters) that is not `header=field`.
    case notHeaderEqualsField(String)
    /// A `map` entry's field (its first 40 characters) that no import has.
    case notAnImportField(String)
    /// A mapped column's header that is empty or longer than 200 characters.
    case mappedHeaderLength
    /// A profile's mapping (header and field, their first 40 characters each) to a field no import has.
    case columnMappedToNonField(header: String, field: String)
    case noSuchProfile(String)
    /// A profile saved first by another region: only that region (or the province) replaces it.
    case profileOfAnotherRegion(String)
    /// Import profiles are for bureau staff and administrators.
    case mayNotUseProfiles
    /// Importing an owner roll needs `owners:manage`.
    case mayNotImportOwners
    /// Importing an institution roll needs `reference:manage`.
    case mayNotImportInstitutions

    // MARK: Rows

    /// A cell over Excel's own limit of characters.
    case cellTooLong(characters: Int, max: Int)
    /// A later row equal to the header (two exports joined into one file).
    case repeatsHeader
    case wrongFieldCount(Int, header: Int)
    /// An instrument in a region or of an owner outside what the importer may file.
    case instrumentOutsideScope(region: String, owner: String)
    /// An instrument roll's owner registered outside what the importer may file.
    case ownerOutsideFilingScope(creditCode: String)
    /// An owner roll's owner registered outside what the importer may register.
    case ownerOutsideRegisteringScope(creditCode: String)
    /// An owner roll's row in a region outside what the importer may register.
    case ownerRegionOutsideScope(region: String)
    /// An unregistered owner with no 使用单位/owner_name column to create it.
    case unknownOwner(creditCode: String)
    /// The same owner, catalogue sub-item and serial number as an earlier row.
    case repeatsRow(serialNo: String)
    /// A last verification after the import's day (both as `YYYY-MM-DD`).
    case verifiedAfterToday(day: String, today: String)
    /// A certificate number on an earlier row (a certificate belongs to one instrument).
    case certificateOnEarlierRow(String)
    case instrumentCodeOnEarlierRow(String)
    case creditCodeOnEarlierRow(String)
    /// An institution's name on an earlier row.
    case nameOnEarlierRow(String)
    case instrumentCodeTaken(String)
    /// A certificate number already recorded for another instrument.
    case certificateTaken(String)
    /// An authorisation item that is neither a sub-item number nor an instrument name.
    case notASubItem(String)

    // MARK: Running

    /// The database stayed busy with other writes through every attempt; nothing was stored.
    case databaseBusy(attempts: Int)
    /// The job's uploaded file is no longer kept whole (a part was removed by hand); nothing was
    /// stored.
    case uploadMissing
    /// Bulk writes run on SQLite or PostgreSQL only.
    case bulkWritesNeedSQLiteOrPostgreSQL
}
