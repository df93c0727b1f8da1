import ArgumentParser
import Foundation
import NMTEngine

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a model's config, parameter count, compute type and the kernels in use.")

    @OptionGroup var options: ModelOptions

    func run() throws {
        let model = try options.load()
        let c = model.config
        let blas = model.blasLibrary
        let kernel = blas.kernelSelection
        print("""
            model:        \(model.directory.path)
            direction:    \(c.sourceLanguage) -> \(c.targetLanguage)
            architecture: \(c.numEncoderLayers)-\(c.numDecoderLayers)-\(c.hiddenSize) (encoder-decoder-hidden), \
            \(c.numSemanticEncoderLayers) semantic layers, filter \(c.filterSize), \(c.numHeads) heads, \
            \(c.isPreNorm ? "pre-norm" : "post-norm"), max_relative_dis \(c.maxRelativeDis)
            vocab:        src \(c.srcVocabSize), trg \(c.trgVocabSize) (shared embedding)
            parameters:   \(model.parameterCount)
            decoding:     beam \(c.decoding.beamSize), length penalty \(c.decoding.lengthPenalty), \
            max length \(c.decoding.maxLength); max source length \(c.maxSourceLength)
            weights:      \(c.weights)
            tokenizer:    src_vocab \(c.tokenizer.srcVocab ?? "-"), trg_vocab \(c.tokenizer.trgVocab ?? "-"), \
            src_bpe \(c.tokenizer.srcBPE ?? "-"), trg_bpe \(c.tokenizer.trgBPE ?? "-")
            blas:         \(blas.config) (\(blas.libraryPath))
            blas kernel:  \(blas.coreName) (OPENBLAS_CORETYPE=\(kernel.coretype ?? "unset"), chosen by \(kernel.source)), \
            \(blas.threads) thread(s)
            compute:      \(model.computeDescription)
            """)
    }
}
