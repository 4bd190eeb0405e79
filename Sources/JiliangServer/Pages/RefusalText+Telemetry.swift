import JiliangCore

extension RefusalText {
    /// Telemetry ingest's refusals, line by line.
    static func telemetry(_ r: TelemetryRefusal, _ zh: Bool) -> String {
        switch r {
        case .notAJSONObject: zh ? "不是一个 JSON 对象" : "is not one JSON object"
        case .holdsNUL: zh ? "文本中含有空字符（NUL）" : "holds the NUL character"
        case .lineTooLong(let max): zh ? "行长度超过 \(max) 字节" : "the line is longer than \(max) bytes"
        case .tooManyLines(let max): zh ? "一批最多 \(max) 行，其余未读取" : "a batch takes at most \(max) lines; the rest was not read"
        case .unknownType(let type, let known):
            zh ? "未知的类型“\(type)”（可用：\(known.joined(separator: "、"))）" : "unknown type '\(type)' (types: \(known.joined(separator: ", ")))"
        case .clockAhead(let seconds, let allowed):
            zh ? "设备时钟比服务器快 \(seconds) 秒（允许 \(allowed) 秒），数据不予采信" : "the device's clock is \(seconds) s ahead of the server's (at most \(allowed) s); not trusted"
        case .dayRange(let max): zh ? "起始日期应不晚于截止日期，且相隔不超过 \(max) 天" : "must not be after the last day, nor more than \(max) days before it"
        case .endsBeforeStart: zh ? "结束时间早于开始时间" : "ends before it starts"
        case .notInRange(let from, let to, let got):
            zh ? "应为 \(from.formatted) 至 \(to.formatted) 之间的数值，收到“\(got)”" : "must be a number from \(from.formatted) to \(to.formatted), got '\(got)'"
        case .notADateTime(let got): zh ? "应为 RFC 3339 时间（如 2026-12-05T10:00:00+08:00），收到“\(got)”" : "must be an RFC 3339 date-time (2026-12-05T10:00:00+08:00), got '\(got)'"
        case .unknownDevice(let device): zh ? "未登记的设备“\(device)”" : "no registered device is named '\(device)'"
        case .tooManyDevices(let max): zh ? "一批最多涉及 \(max) 台设备" : "a batch may name at most \(max) devices"
        case .authorisedValuesStaffOnly:
            zh ? "软件标识、脉冲当量和网关以检定或初始化为准，由监管部门填写" : "the software ID, pulse equivalent and gateway come from the device's verification or initialisation: staff set them"
        case .kindDoesNotFit(let kind, let instrument): zh ? "“\(kind)”类设备不能绑定到\(instrument)" : "a \(kind) device cannot be bound to a \(instrument)"
        case .deviceNameTaken(let name): zh ? "该使用单位已登记名为“\(name)”的设备" : "this owner already has a device named '\(name)'"
        case .deviceNameAmbiguous(let name):
            zh ? "您可见的多台设备（属于不同使用单位）都名为“\(name)”：请用该设备绑定的网关凭证或其使用单位的账户报送"
                : "several devices you may see (of different owners) are named '\(name)': send with the gateway credential bound to it, or as its owner"
        case .notGzip: zh ? "声明为 gzip 压缩，但无法解压（不是 gzip、不完整或已损坏）" : "is said to be gzip but cannot be inflated (not gzip, truncated or corrupt)"
        case .capacityTableTooShort: zh ? "容积表至少要有两个点（液位 mm 与容量 L）" : "a capacity table needs at least two points (level in mm, litres)"
        case .capacityTableNotRising: zh ? "容积表中每一点的液位和容量都应高于前一点" : "each point of a capacity table must be higher and hold more than the one before"
        case .capacityTableOutOfRange: zh ? "液位应在 0–50000 mm、容量应在 0–10000000 L 之间" : "levels must be 0–50,000 mm and litres 0–10,000,000"
        case .tankTaken(let tank): zh ? "该液位仪的 \(tank) 号罐已登记" : "this gauge's tank \(tank) is already registered"
        case .nozzleTaken(let nozzle): zh ? "\(nozzle) 号枪已连接到一个油罐（一支枪只能从一个油罐付油）" : "nozzle \(nozzle) already draws from a tank (a nozzle draws from one)"
        case .notOfKind(let device, let kind): zh ? "设备“\(device)”不是“\(kind)”类设备" : "device '\(device)' is not a \(kind) device"
        case .notProtobuf:
            zh ? "不是有效的 protobuf 数据（见 proto/telemetry.proto 的 Batch 与 Reading）" : "is not valid protobuf (the Batch and Reading messages of proto/telemetry.proto)"
        case .notAGatewayToken(let id):
            zh ? "API 令牌 \(id) 不存在、已吊销或没有报送监测数据（telemetry:write）的权限" : "API token \(id) does not exist, is revoked or does not hold telemetry:write"
        case .alertAlreadyDecided(let state):
            zh ? "该告警已\(state == "confirmed" ? "确认" : "排除")，处理结论不再更改" : "this alert was already \(state); a decision is final"
        case .sequenceReused(let seq): zh ? "序号 \(seq) 在同一批中对应不同的数据" : "sequence number \(seq) is given twice with different contents"
        }
    }
}

private extension Double {
    /// A bound as a person writes it: 16, not 16.0.
    var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self) }
}
