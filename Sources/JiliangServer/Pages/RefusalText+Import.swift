import Foundation
import JiliangCore
import JiliangStore

extension RefusalText {
    /// What an import (a file, its mapping, a profile, a row) was refused for.
    static func importing(_ r: ImportRefusal, _ zh: Bool) -> String {
        switch r {
        // The file as a whole
        case .emptyFile: zh ? "文件为空" : "the file is empty"
        case .legacyExcelWorkbook:
            zh ? "这是旧版 Excel 97–2003 工作簿（.xls），系统不读取；请用 Excel 或 WPS 打开，另存为 Excel 工作簿（.xlsx）或 CSV UTF-8"
                : "this is a legacy Excel 97–2003 workbook (.xls), which is not read; open it in Excel or WPS and save it as an Excel workbook (.xlsx) or as CSV UTF-8 (另存为 .xlsx 或 CSV UTF-8)"
        case .webPage:
            zh ? "该文件是以表格文件名保存的网页（HTML，部分旧系统如此导出）；请用 Excel 或 WPS 打开，另存为 .xlsx 或 CSV UTF-8"
                : "this file is a web page (HTML) saved under a spreadsheet name, as some older systems export; open it in Excel or WPS and save it as .xlsx or CSV UTF-8"
        case .pdf: zh ? "该文件是 PDF，不是表格；请从原系统导出为 .xlsx 或 CSV" : "this file is a PDF, not a table; export the roll from its system as .xlsx or CSV"
        case .zipNotWorkbook: zh ? "该文件是 ZIP 压缩包，但不是 XLSX 工作簿" : "the file is a ZIP archive but not an XLSX workbook"
        case .workbookPartMissing(let path): zh ? "该文件是 ZIP，但不是 XLSX 工作簿（缺少 \(path)）" : "the file is a ZIP but not an XLSX workbook (no \(path))"
        case .damagedZip: zh ? "无法读取该 XLSX 工作簿（ZIP 结构已损坏）" : "the file is not a readable XLSX workbook (its ZIP structure is damaged)"
        case .unreadableWorkbook(let detail): zh ? "无法读取该 XLSX 工作簿（\(detail)）" : "the file is not a readable XLSX workbook (\(detail))"
        case .noSheets: zh ? "工作簿中没有工作表" : "the workbook has no sheets"
        case .noSheetNamed(let name, let sheets):
            zh ? "工作簿中没有名为“\(name)”的工作表；现有工作表：\(sheets.joined(separator: "、"))"
                : "the workbook has no sheet named \(name); its sheets are \(sheets.joined(separator: ", "))"
        case .sheetMissing(let name): zh ? "工作簿中缺少工作表 \(name) 的内容" : "the sheet \(name) is missing from the workbook"
        case .xmlNotXML: zh ? "工作簿的 XML 已损坏：不是 XML" : "the workbook's XML is damaged: not XML"
        case .xmlMalformed(let line): zh ? "工作簿的 XML 已损坏：第 \(line) 行附近格式错误" : "the workbook's XML is damaged: the XML is malformed near line \(line)"
        case .xmlDocumentType:
            zh ? "工作簿的 XML 已损坏：其中声明了文档类型（DOCTYPE），工作簿的部件都不会有" : "the workbook's XML is damaged: it declares a document type, which no workbook part has"
        case .partLargerThanFile(let path):
            zh ? "工作簿的部件 \(path) 声明的大小超过文件本身；文件已损坏" : "the workbook's part \(path) claims to be larger than the file; the file is damaged"
        case .partNotInflatable(let path, let detail): zh ? "无法解压工作簿的部件 \(path)（\(detail)）" : "the workbook's part \(path) cannot be inflated (\(detail))"
        case .possibleZipBomb(let path, let mb, let ratio):
            zh ? "工作簿的部件 \(path) 解压后超过上限（\(mb) MB，或压缩大小的 \(ratio) 倍），疑为压缩炸弹，已拒绝——请用 Excel 重新保存该工作表，或拆分文件"
                : "the workbook's part \(path) inflates to more than the limit (\(mb) MB, or \(ratio)× its compressed size); it is refused as a possible zip bomb — save the sheet again from Excel, or split it"
        case .tooManyColumns(let row, let column, let max):
            zh ? "第 \(row) 行第 \(column) 列有内容；名册最多 \(max) 列——请删除表格右侧的内容"
                : "row \(row) has a cell in column \(column); a roll may have at most \(max) columns — delete what is to the right of the table"
        case .tooManyCells(let max): zh ? "工作表超过 \(max) 个单元格；请拆分为多个文件" : "the sheet holds more than \(max) cells; split it into several files"
        case .cannotConvert(let encoding): zh ? "本系统无法转换 \(encoding) 编码" : "this system cannot convert \(encoding)"
        case .notUTF8OrGB18030(let offset):
            zh ? "文件既不是 UTF-8 也不是 GB18030 编码（偏移 \(offset) 处的字节无法解码）；请另存为 CSV UTF-8"
                : "the file is neither UTF-8 nor GB18030 (undecodable byte at offset \(offset)); save it as CSV UTF-8"
        case .unterminatedQuote(let line): zh ? "第 \(line) 行：引号内的字段没有结束引号" : "line \(line): a quoted field is never closed"
        case .characterAfterQuote(let line): zh ? "第 \(line) 行：结束引号后有多余字符" : "line \(line): unexpected character after a closing quote"
        case .tooManyRows(let max):
            zh ? "文件超过 \(max) 行数据，即单次导入的上限（serve --import-max-rows）；请拆分为多个文件"
                : "the file has more than \(max) data rows, the most one import takes (serve --import-max-rows); split it into several files"
        // The header and its mapping
        case .mappedToUnknownField(let header, let field):
            zh ? "列映射将“\(header)”列对应到 \(field)，但导入没有该字段（可用字段：\(importFields(zh))）"
                : "the mapping gives column \(header) the field \(field), which is not a field of an import (fields: \(importFields(zh)))"
        case .columnsGiveOneField(let first, let second, let field, let mappable):
            if mappable {
                zh ? "“\(first)”和“\(second)”两列都对应 \(field)；请删除其中一列，或将其中一列映射到其他字段或不导入"
                    : "the columns \(first) and \(second) both give \(field); delete one, or map one of them to another field or to nothing"
            } else {
                zh ? "“\(first)”和“\(second)”两列都对应 \(field)；请删除其中一列" : "the columns \(first) and \(second) both give \(field); delete one"
            }
        case .noColumnFor(let field, let accepted):
            zh ? "表头缺少 \(field) 列（可用列名：\(accepted.joined(separator: " / "))）" : "the header has no column for \(field) (accepted: \(accepted.joined(separator: " / ")))"
        case .headerRowIncomplete(let row, let problem):
            zh ? "第 \(row) 行像是表头，但\(importing(problem, zh))" : "row \(row) looks like the header but \(importing(problem, zh))"
        case .noHeaderRow(let searched):
            zh ? "前 \(searched) 行中没有表头：表头须有 器具名称/name、出厂编号/serial_no、用途/purpose、所属区县/region_code、安装地点/address 和 统一社会信用代码/owner_credit_code 列"
                : "no header row in the first \(searched) rows: the header needs columns for 器具名称/name, 出厂编号/serial_no, 用途/purpose, 所属区县/region_code, 安装地点/address and 统一社会信用代码/owner_credit_code"
        case .noRollHeaderRow(let searched, let needs):
            zh ? "前 \(searched) 行中没有表头：表头须有 \(needs.map { $0.joined(separator: "/") }.joined(separator: "、")) 列"
                : "no header row in the first \(searched) rows: the header needs \(needs.map { $0.joined(separator: "/") }.joined(separator: ", "))"
        // Options and profiles
        case .tooManyMappedColumns(let max): zh ? "最多可映射 \(max) 列" : "at most \(max) columns may be mapped"
        case .notHeaderEqualsField(let entry): zh ? "“\(entry)”应写作 表头=字段" : "'\(entry)' must be header=field"
        case .notAnImportField(let field):
            zh ? "\(field) 不是导入字段（可用字段：\(importFields(zh))）" : "\(field) is not a field of an import (fields: \(importFields(zh)))"
        case .mappedHeaderLength: zh ? "列的表头应为 1 至 200 个字符" : "a column's header must be 1 to 200 characters"
        case .columnMappedToNonField(let header, let field): zh ? "“\(header)”列：\(field) 不是导入字段" : "column \(header): \(field) is not a field of an import"
        case .noSuchProfile(let name): zh ? "没有名为“\(name)”的导入配置" : "no import profile is named \(name)"
        case .profileOfAnotherRegion(let name):
            zh ? "导入配置“\(name)”属于其他地区；请另取名称保存" : "the profile \(name) belongs to another region; save yours under another name"
        case .mayNotUseProfiles: zh ? "您的角色无权使用导入配置" : "your role does not allow import profiles"
        case .mayNotImportOwners: zh ? "您的角色无权导入使用单位" : "your role does not allow importing owners"
        case .mayNotImportInstitutions: zh ? "您的角色无权导入检定机构" : "your role does not allow importing institutions"
        // Rows
        case .cellTooLong(let characters, let max):
            zh ? "单元格有 \(characters) 个字符；单元格最多 \(max) 个字符（Excel 自身的上限）"
                : "the cell holds \(characters) characters; a cell may hold at most \(max) (Excel's own limit)"
        case .repeatsHeader: zh ? "与表头行重复（是否两份导出文件拼在了一起？）；请删除此行" : "repeats the header row (two exports joined into one file?); delete it"
        case .wrongFieldCount(let n, let header): zh ? "有 \(n) 列，表头有 \(header) 列" : "has \(n) fields, the header has \(header)"
        case .instrumentOutsideScope(let region, let owner):
            zh ? "使用单位 \(owner) 在 \(region) 的器具超出您的登记范围" : "instrument in \(region) of owner \(owner) is outside what you may file"
        case .ownerOutsideFilingScope(let code):
            zh ? "统一社会信用代码为 \(code) 的使用单位登记在您的登记范围之外" : "the owner with credit code \(code) is registered outside what you may file"
        case .ownerOutsideRegisteringScope(let code):
            zh ? "统一社会信用代码为 \(code) 的使用单位登记在您可登记的范围之外" : "the owner with credit code \(code) is registered outside what you may register"
        case .ownerRegionOutsideScope(let region): zh ? "位于 \(region) 的使用单位超出您可登记的范围" : "an owner in \(region) is outside what you may register"
        case .unknownOwner(let code):
            zh ? "统一社会信用代码为 \(code) 的使用单位尚未登记；请增加“使用单位”列以便新建"
                : "no owner with credit code \(code) is registered; add a 使用单位/owner_name column to create it"
        case .repeatsRow(let serial):
            zh ? "与前面的行重复（使用单位、目录种别和出厂编号 \(serial) 均相同）" : "repeats an earlier row (same owner, catalogue sub-item and serial number \(serial))"
        case .verifiedAfterToday(let day, let today): zh ? "\(day) 晚于今天（\(today)）" : "\(day) is after today (\(today))"
        case .certificateOnEarlierRow(let cert):
            zh ? "证书编号 \(cert) 已在前面的行出现（一份证书只对应一台器具）" : "certificate number \(cert) appears on an earlier row (a certificate belongs to one instrument)"
        case .instrumentCodeOnEarlierRow(let code): zh ? "器具唯一识别码 \(code) 已在前面的行出现" : "instrument code \(code) appears on an earlier row"
        case .creditCodeOnEarlierRow(let code): zh ? "统一社会信用代码 \(code) 已在前面的行出现" : "credit code \(code) appears on an earlier row"
        case .nameOnEarlierRow(let name): zh ? "\(name) 已在前面的行出现" : "\(name) appears on an earlier row"
        case .instrumentCodeTaken(let code): zh ? "器具唯一识别码 \(code) 已属于另一台器具" : "instrument code \(code) already belongs to another instrument"
        case .certificateTaken(let cert): zh ? "证书编号 \(cert) 已登记在另一台器具名下" : "certificate number \(cert) is already recorded for another instrument"
        case .notASubItem(let token): zh ? "“\(token)”既不是目录种别序号，也不是器具名称" : "'\(token)' is neither a catalogue sub-item number nor an instrument name"
        // Running
        case .databaseBusy(let attempts):
            zh ? "数据库在 \(attempts) 次尝试中一直忙于其他写入；本文件未保存任何内容——请重新上传"
                : "the database stayed busy with other writes through \(attempts) attempts; nothing of this file was stored — upload it again"
        case .uploadMissing:
            zh ? "本任务上传的文件在数据库中已不完整或已被删除；未保存任何内容——请重新上传"
                : "this job's uploaded file is no longer whole in the database (part of it was removed); nothing was stored — upload it again"
        case .bulkWritesNeedSQLiteOrPostgreSQL: zh ? "批量写入需要 SQLite 或 PostgreSQL 数据库" : "bulk writes need SQLite or PostgreSQL"
        }
    }

    /// The fields an import has (`RawInstrument.columns`), as refusals list them.
    fileprivate static func importFields(_ zh: Bool) -> String {
        RawInstrument.columns.map(\.name).joined(separator: zh ? "、" : ", ")
    }

    /// A line of an import report's summary: "column: reason — 300 (2, 3, 4, 5, 6, …)", as the
    /// import page and the CLI show it.
    static func summaryLine(_ l: InstrumentImport.Report.SummaryLine, _ zh: Bool) -> String {
        let rows = l.firstRows.map(String.init).joined(separator: zh ? "、" : ", ") + (l.rows > l.firstRows.count ? (zh ? "、…" : ", …") : "")
        let reason = words(l.reason, zh ? .zh : .en)
        if zh { return "\(l.column.isEmpty ? "" : l.column + "：")\(reason) — \(l.rows) 行（\(rows)）" }
        return "\(l.column.isEmpty ? "" : l.column + ": ")\(reason) — \(l.rows) (\(rows))"
    }

    /// An import's row errors as CSV (UTF-8 with BOM, so Excel opens the Chinese correctly): row,
    /// column and the reason in words.
    static func errorsCSV(_ errors: [InstrumentImport.RowError], _ zh: Bool) -> String {
        let lang: Language = zh ? .zh : .en
        return "\u{FEFF}" + (zh ? "行号,列,问题\n" : "row,column,message\n")
            + errors.map { "\($0.row),\($0.column.csvEscaped),\(words($0.reason, lang).csvEscaped)" }.joined(separator: "\n") + "\n"
    }

    /// A job's stored report as the API gives it: as stored, with each reason as its English words
    /// under `message` (the shape the API has always answered with). Anything else as it is.
    static func apiResult(_ result: String?) -> String? {
        guard let result else { return nil }
        let data = Data(result.utf8)
        let encoder = JSONEncoder()
        let english: InstrumentImport.Wording = { words($0, .en) }
        encoder.userInfo[InstrumentImport.wording] = english
        if let r = try? JSONDecoder().decode(InstrumentImport.Report.self, from: data), let out = try? encoder.encode(r) {
            return String(decoding: out, as: UTF8.self)
        }
        if let r = try? JSONDecoder().decode(PartyImport.Report.self, from: data), let out = try? encoder.encode(r) {
            return String(decoding: out, as: UTF8.self)
        }
        return result
    }

    /// Why a job failed, in words (its kept reason, or the text it kept); nil when it did not fail.
    static func jobFailure(_ job: JobModel, _ lang: Language) -> String? {
        JobQueue.failure(of: job).map { words($0, lang) }
    }
}
