import Foundation
import Hummingbird
import JiliangLedger
import Logging

/// The HTTP face of a witness (C2SP tlog-witness): `POST /add-checkpoint`, and `GET /` with the
/// witness's verifier key. Run by `jiliang witness` as its own process with its own key.
public func buildWitnessApplication(
    witness: Witness, host: String, port: Int, logger: Logger = Logger(label: "jiliang.witness")
) -> some ApplicationProtocol {
    let router = Router(context: AppRequestContext.self)
    router.get("/") { _, _ in
        let key = await witness.key.verifier
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: "Jiliang ledger witness\n\(key)\n")))
    }
    router.post("/add-checkpoint") { request, context in
        // Checkpoints are a few hundred bytes; 63 proof lines add 3 KiB.
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        let answer = await witness.addCheckpoint(body: String(buffer: buffer))
        if answer.status != 200 {
            context.logger.notice("add-checkpoint refused with \(answer.status): \(answer.body.trimmingCharacters(in: .newlines))")
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: [.contentType: answer.contentType],
            body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }
    return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "Jiliang witness"),
                       logger: logger)
}
