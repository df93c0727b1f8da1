import Foundation

/// THUMT/ModelScope sinusoidal positions (`add_timing_signal`, csanmt-spec §1.2): the sin half first, then the
/// cos half (not interleaved), computed in float32 as TF does.
struct PositionalEncoding {
    let table: [Float]   // [positions, dim]
    let dim: Int
    let positions: Int

    init(positions: Int, dim: Int) {
        let n = dim / 2
        // TF: math.log(1e4 / 1) / (to_float(n) - 1), a Python double converted to float32, then float32 ops.
        let increment = Float(log(1.0e4)) / (Float(n) - 1)
        let inverse = (0..<n).map { expf(Float($0) * -increment) }
        var t = [Float](repeating: 0, count: positions * dim)
        for p in 0..<positions {
            for i in 0..<n {
                let angle = Float(p) * inverse[i]
                t[p * dim + i] = sinf(angle)
                t[p * dim + n + i] = cosf(angle)
            }   // an odd dim leaves the last column 0 (TF pads with zeros)
        }
        table = t
        self.dim = dim
        self.positions = positions
    }
}
