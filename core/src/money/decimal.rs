//! An exact base-10 number, so amounts never pass through a float.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// The most fractional digits a written number may carry. Real currencies use at most 4.
pub const MAX_SCALE: u32 = 18;

/// An exact decimal: `mantissa × 10^-scale`.
///
/// Parsing keeps the digits as written (`"12.50"` has scale 2), so a number the user typed can be
/// echoed back unchanged; equality and ordering compare values (`12.5 == 12.50`).
#[derive(Debug, Clone, Copy)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecimalError {
    #[error("that is not a number")]
    Malformed,
    #[error("that number has too many digits")]
    TooLarge,
}

impl Decimal {
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    pub fn new(mantissa: i128, scale: u32) -> Result<Self, DecimalError> {
        if scale > MAX_SCALE {
            return Err(DecimalError::TooLarge);
        }
        Ok(Decimal { mantissa, scale })
    }

    pub fn from_int(value: i64) -> Self {
        Decimal {
            mantissa: i128::from(value),
            scale: 0,
        }
    }

    pub fn mantissa(&self) -> i128 {
        self.mantissa
    }

    pub fn scale(&self) -> u32 {
        self.scale
    }

    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    pub fn is_negative(&self) -> bool {
        self.mantissa < 0
    }

    /// The same value with trailing fractional zeros removed (`12.50` → `12.5`, `3.00` → `3`).
    pub fn normalized(&self) -> Self {
        let mut d = *self;
        while d.scale > 0 && d.mantissa % 10 == 0 {
            d.mantissa /= 10;
            d.scale -= 1;
        }
        d
    }

    /// The value as an integer count of `10^-scale` units, if that is exact and fits.
    ///
    /// `Decimal("12.5").to_scale_exact(2) == Some(1250)`; `Decimal("12.345").to_scale_exact(2) == None`.
    pub fn to_scale_exact(&self, scale: u32) -> Option<i128> {
        match self.scale.cmp(&scale) {
            Ordering::Equal => Some(self.mantissa),
            Ordering::Less => self.mantissa.checked_mul(pow10(scale - self.scale)?),
            Ordering::Greater => {
                let div = pow10(self.scale - scale)?;
                (self.mantissa % div == 0).then_some(self.mantissa / div)
            }
        }
    }

    /// The value at `scale`, rounding half away from zero when digits must go.
    pub fn round_half_up(&self, scale: u32) -> Option<i128> {
        if self.scale <= scale {
            return self.to_scale_exact(scale);
        }
        let div = pow10(self.scale - scale)?;
        let q = self.mantissa / div;
        let r = (self.mantissa % div).abs();
        let up = r * 2 >= div;
        Some(if !up {
            q
        } else if self.mantissa < 0 {
            q - 1
        } else {
            q + 1
        })
    }

    /// Multiplies by a power of ten, exactly (`1.2` × 10³ = `1200`, for "1.2k").
    pub fn scale_up(&self, power: u32) -> Option<Self> {
        if self.scale >= power {
            return Some(Decimal {
                mantissa: self.mantissa,
                scale: self.scale - power,
            });
        }
        let m = self.mantissa.checked_mul(pow10(power - self.scale)?)?;
        Some(Decimal {
            mantissa: m,
            scale: 0,
        })
    }

    pub fn checked_add(&self, other: &Decimal) -> Option<Decimal> {
        let scale = self.scale.max(other.scale);
        let a = self.to_scale_exact(scale)?;
        let b = other.to_scale_exact(scale)?;
        Some(Decimal {
            mantissa: a.checked_add(b)?,
            scale,
        })
    }

    pub fn checked_mul_int(&self, factor: i128) -> Option<Decimal> {
        Some(Decimal {
            mantissa: self.mantissa.checked_mul(factor)?,
            scale: self.scale,
        })
    }
}

/// `10^exp` when it fits in an `i128`.
pub(crate) fn pow10(exp: u32) -> Option<i128> {
    10i128.checked_pow(exp)
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Decimal {}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        let a = self.normalized();
        let b = other.normalized();
        let scale = a.scale.max(b.scale);
        match (a.to_scale_exact(scale), b.to_scale_exact(scale)) {
            (Some(x), Some(y)) => x.cmp(&y),
            // Only reachable for values near i128's limits: compare the integer parts instead.
            _ => {
                let ia = a.mantissa / pow10(a.scale).unwrap_or(1);
                let ib = b.mantissa / pow10(b.scale).unwrap_or(1);
                ia.cmp(&ib)
            }
        }
    }
}

impl FromStr for Decimal {
    type Err = DecimalError;

    /// Reads `-?digits[.digits]` (a leading `+` is allowed); no exponent, no separators.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (negative, digits) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (int_part, frac_part) = match digits.split_once('.') {
            Some((i, f)) => (i, f),
            None => (digits, ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(DecimalError::Malformed);
        }
        if !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
            || (digits.contains('.') && frac_part.is_empty())
        {
            return Err(DecimalError::Malformed);
        }
        let scale = u32::try_from(frac_part.len()).map_err(|_| DecimalError::TooLarge)?;
        if scale > MAX_SCALE {
            return Err(DecimalError::TooLarge);
        }
        let mut mantissa: i128 = 0;
        for b in int_part.bytes().chain(frac_part.bytes()) {
            mantissa = mantissa
                .checked_mul(10)
                .and_then(|m| m.checked_add(i128::from(b - b'0')))
                .ok_or(DecimalError::TooLarge)?;
        }
        if negative {
            mantissa = -mantissa;
        }
        Ok(Decimal { mantissa, scale })
    }
}

impl fmt::Display for Decimal {
    /// Plain digits with a `.` and exactly `scale` fractional digits: `12.50`, `-3`, `0.05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let abs = self.mantissa.unsigned_abs();
        if self.scale == 0 {
            return write!(f, "{sign}{abs}");
        }
        let div = 10u128.pow(self.scale);
        write!(
            f,
            "{sign}{}.{:0width$}",
            abs / div,
            abs % div,
            width = self.scale as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().expect("valid decimal")
    }

    #[test]
    fn parses_and_prints_as_written() {
        for s in ["0", "12", "12.50", "0.05", "-3.10", "1200.00"] {
            assert_eq!(d(s).to_string(), s);
        }
        assert_eq!(d("+7").to_string(), "7");
        assert_eq!(d(".5").to_string(), "0.5");
    }

    #[test]
    fn rejects_malformed() {
        for s in ["", "-", "1.", "1.2.3", "1e5", "12,50", "abc", "1 2", "--1"] {
            assert!(s.parse::<Decimal>().is_err(), "{s} should be rejected");
        }
        assert_eq!(
            "9".repeat(60).parse::<Decimal>(),
            Err(DecimalError::TooLarge)
        );
    }

    #[test]
    fn compares_by_value() {
        assert_eq!(d("12.5"), d("12.50"));
        assert!(d("12.49") < d("12.5"));
        assert!(d("-1") < d("0.001"));
    }

    #[test]
    fn rescales_exactly_or_not_at_all() {
        assert_eq!(d("12.5").to_scale_exact(2), Some(1250));
        assert_eq!(d("12.345").to_scale_exact(2), None);
        assert_eq!(d("12.340").to_scale_exact(2), Some(1234));
        assert_eq!(d("1200").to_scale_exact(0), Some(1200));
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(d("12.345").round_half_up(2), Some(1235));
        assert_eq!(d("12.344").round_half_up(2), Some(1234));
        assert_eq!(d("-12.345").round_half_up(2), Some(-1235));
        assert_eq!(d("0.5").round_half_up(0), Some(1));
    }

    #[test]
    fn scales_up_for_thousands() {
        assert_eq!(d("1.2").scale_up(3), Some(d("1200")));
        assert_eq!(d("5").scale_up(3), Some(d("5000")));
        assert_eq!(d("1.2345").scale_up(3), Some(d("1234.5")));
    }
}
