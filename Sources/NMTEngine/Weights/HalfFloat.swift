/// IEEE 754 binary16 <-> binary32, bit-exact (Float16 is not available on every Swift platform).
public enum HalfFloat {
    /// Widens one half-precision bit pattern to Float.
    @inline(__always)
    public static func toFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exp = Int32((h >> 10) & 0x1f)
        var mant = UInt32(h & 0x3ff)
        if exp == 0x1f { return Float(bitPattern: sign | 0x7f80_0000 | (mant << 13)) }   // inf / nan
        if exp == 0 {
            if mant == 0 { return Float(bitPattern: sign) }                                // ±0
            var e: Int32 = -14                                                             // subnormal: normalise
            while mant & 0x400 == 0 { mant <<= 1; e -= 1 }
            mant &= 0x3ff
            return Float(bitPattern: sign | UInt32(e + 127) << 23 | (mant << 13))
        }
        return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (mant << 13))
    }

    /// Narrows a Float to half precision, rounding to nearest even; overflow gives ±inf.
    public static func fromFloat(_ f: Float) -> UInt16 {
        let bits = f.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exp = Int32((bits >> 23) & 0xff)
        let mant = bits & 0x7f_ffff
        if exp == 0xff { return sign | 0x7c00 | (mant != 0 ? 0x200 : 0) }
        let e = exp - 127 + 15
        if e >= 0x1f { return sign | 0x7c00 }
        if e <= 0 {
            if e < -10 { return sign }
            let m = mant | 0x80_0000                       // implicit bit
            let shift = UInt32(14 - e)
            var half = m >> shift
            let rem = m & ((1 << shift) - 1), halfway = UInt32(1) << (shift - 1)
            if rem > halfway || (rem == halfway && half & 1 == 1) { half += 1 }
            return sign | UInt16(half)
        }
        var half = UInt32(e) << 10 | (mant >> 13)
        let rem = mant & 0x1fff
        if rem > 0x1000 || (rem == 0x1000 && half & 1 == 1) { half += 1 }   // may carry into the exponent: correct
        return sign | UInt16(half)
    }
}
