import ArgumentParser

@main
struct CSANMT: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "csanmt",
        abstract: "CSANMT neural machine translation (zh↔en) in pure Swift.",
        discussion: """
            Models are folders made by `convert-weights` from a ModelScope checkpoint (see docs/model-format.md).

            Examples:
              csanmt inspect --model Weights/csanmt-zh2en
              echo '[5, 17, 42]' | csanmt translate-ids --model Weights/csanmt-zh2en --beam 4
            """,
        subcommands: [Translate.self, Tokenize.self, Detokenize.self, TranslateIDs.self, Inspect.self, VocabularyMapCommand.self, Serve.self,
                      TenantCommand.self, KeyCommand.self, OperatorCommand.self, DatabaseCommand.self, AuditCommand.self])
}
