import JiliangCore

extension RefusalText {
    /// Telemetry ingest's refusals, line by line.
    static func telemetry(_ r: TelemetryRefusal, _ zh: Bool) -> String {
        switch r {
        case .notAJSONObject: zh ? "不是一个 JSON 对象" : "is not one JSON object"
        case .lineTooLong(let max): zh ? "行长度超过 \(max) 字节" : "the line is longer than \(max) bytes"
        case .tooManyLines(let max): zh ? "一批最多 \(max) 行，其余未读取" : "a batch takes at most \(max) lines; the rest was not read"
        case .unknownType(let type, let known):
            zh ? "未知的类型“\(type)”（可用：\(known.joined(separator: "、"))）" : "unknown type '\(type)' (types: \(known.joined(separator: ", ")))"
        case .clockAhead(let seconds, let allowed):
            zh ? "设备时钟比服务器快 \(seconds) 秒（允许 \(allowed) 秒），数据不予采信" : "the device's clock is \(seconds) s ahead of the server's (at most \(allowed) s); not trusted"
        case .endsBeforeStart: zh ? "结束时间早于开始时间" : "ends before it starts"
        case .notInRange(let from, let to, let got):
            zh ? "应为 \(from.formatted) 至 \(to.formatted) 之间的数值，收到“\(got)”" : "must be a number from \(from.formatted) to \(to.formatted), got '\(got)'"
        case .notADateTime(let got): zh ? "应为 RFC 3339 时间（如 2026-12-05T10:00:00+08:00），收到“\(got)”" : "must be an RFC 3339 date-time (2026-12-05T10:00:00+08:00), got '\(got)'"
        case .unknownDevice(let device): zh ? "未登记的设备“\(device)”" : "no registered device is named '\(device)'"
        case .tooManyDevices(let max): zh ? "一批最多涉及 \(max) 台设备" : "a batch may name at most \(max) devices"
        case .authorisedValuesStaffOnly:
            zh ? "软件标识、脉冲当量和网关以检定或初始化为准，由监管部门填写" : "the software ID, pulse equivalent and gateway come from the device's verification or initialisation: staff set them"
        case .kindDoesNotFit(let kind, let instrument): zh ? "“\(kind)”类设备不能绑定到\(instrument)" : "a \(kind) device cannot be bound to a \(instrument)"
        case .deviceNameTaken(let name): zh ? "设备名“\(name)”已登记" : "a device named '\(name)' is already registered"
        case .notGzip: zh ? "声明为 gzip 压缩，但无法解压（不是 gzip、不完整或已损坏）" : "is said to be gzip but cannot be inflated (not gzip, truncated or corrupt)"
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
