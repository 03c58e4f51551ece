//! The European Central Bank's euro reference-rate XML (`eurofxref-daily.xml`,
//! `eurofxref-hist.xml`, `eurofxref-hist-90d.xml`).
//!
//! The format is a fixed, flat shape: `<Cube time='YYYY-MM-DD'>` holding
//! `<Cube currency='USD' rate='1.0565'/>` elements. Reading just that shape keeps the crate free
//! of an XML dependency; anything else in the file (the envelope, the sender) is skipped.

use chrono::NaiveDate;
use thiserror::Error;

use crate::money::{Currency, Decimal};

/// One day's rates: units of each currency per euro.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub date: NaiveDate,
    pub rates: Vec<(Currency, Decimal)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EcbError {
    #[error("the rates file holds no dated rates")]
    Empty,
    #[error("the rates file has a malformed date: {0}")]
    BadDate(String),
    #[error("the rates file has a malformed rate for {currency}: {rate}")]
    BadRate { currency: String, rate: String },
    #[error("the rates file has a rate outside any dated group")]
    Undated,
}

/// Reads every publication in an ECB rates file, newest first as the files list them.
///
/// Currencies Tally does not know are skipped, so a new currency at the ECB breaks nothing;
/// a rate that is not a positive decimal is an error, because a mangled file must not be stored.
pub fn parse_ecb_xml(xml: &str) -> Result<Vec<Publication>, EcbError> {
    let mut out: Vec<Publication> = Vec::new();
    let mut rest = xml;
    while let Some(open) = rest.find("<Cube") {
        let after = &rest[open + 5..];
        let Some(close) = after.find('>') else { break };
        let tag = &after[..close];
        rest = &after[close + 1..];
        if let Some(time) = attribute(tag, "time") {
            let date = NaiveDate::parse_from_str(time, "%Y-%m-%d")
                .map_err(|_| EcbError::BadDate(time.to_string()))?;
            out.push(Publication {
                date,
                rates: Vec::new(),
            });
        } else if let (Some(code), Some(rate)) =
            (attribute(tag, "currency"), attribute(tag, "rate"))
        {
            let bad = || EcbError::BadRate {
                currency: code.to_string(),
                rate: rate.to_string(),
            };
            let value: Decimal = rate.trim().parse().map_err(|_| bad())?;
            if value.is_zero() || value.is_negative() {
                return Err(bad());
            }
            let publication = out.last_mut().ok_or(EcbError::Undated)?;
            if let Ok(currency) = Currency::parse(code)
                && currency != Currency::EUR
            {
                publication.rates.push((currency, value));
            }
        }
    }
    if out.is_empty() {
        return Err(EcbError::Empty);
    }
    Ok(out)
}

/// The value of `name='…'` or `name="…"` in a tag's text.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut search = tag;
    loop {
        let at = search.find(name)?;
        let before_ok = at == 0 || search[..at].ends_with(|c: char| c.is_whitespace());
        let after = search[at + name.len()..].trim_start();
        if before_ok && let Some(value) = after.strip_prefix('=') {
            let value = value.trim_start();
            let quote = value.chars().next()?;
            if quote != '\'' && quote != '"' {
                return None;
            }
            let inner = &value[1..];
            return inner.find(quote).map(|end| &inner[..end]);
        }
        search = &search[at + name.len()..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAILY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
	<gesmes:subject>Reference rates</gesmes:subject>
	<gesmes:Sender>
		<gesmes:name>European Central Bank</gesmes:name>
	</gesmes:Sender>
	<Cube>
		<Cube time='2026-11-27'>
			<Cube currency='USD' rate='1.0565'/>
			<Cube currency='JPY' rate='161.48'/>
			<Cube currency='XXZ' rate='3.5'/>
			<Cube currency='GBP' rate='0.83255'/>
		</Cube>
	</Cube>
</gesmes:Envelope>"#;

    #[test]
    fn reads_the_daily_file() {
        let p = parse_ecb_xml(DAILY).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].date, NaiveDate::from_ymd_opt(2026, 11, 27).unwrap());
        let codes: Vec<&str> = p[0].rates.iter().map(|(c, _)| c.code()).collect();
        assert_eq!(
            codes,
            ["USD", "JPY", "GBP"],
            "unknown currencies are skipped"
        );
        assert_eq!(p[0].rates[0].1.to_string(), "1.0565");
    }

    #[test]
    fn reads_many_days_with_either_quote() {
        let xml = r#"<Cube><Cube time="2026-11-27"><Cube currency="USD" rate="1.05"/></Cube>
            <Cube time="2026-11-26"><Cube currency="USD" rate="1.04"/></Cube></Cube>"#;
        let p = parse_ecb_xml(xml).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].rates[0].1.to_string(), "1.04");
    }

    #[test]
    fn refuses_mangled_files() {
        assert_eq!(
            parse_ecb_xml("<html>502 Bad Gateway</html>"),
            Err(EcbError::Empty)
        );
        assert_eq!(
            parse_ecb_xml("<Cube time='2026-13-01'>"),
            Err(EcbError::BadDate("2026-13-01".into()))
        );
        assert!(matches!(
            parse_ecb_xml("<Cube time='2026-11-27'><Cube currency='USD' rate='-1'/>"),
            Err(EcbError::BadRate { .. })
        ));
        assert!(matches!(
            parse_ecb_xml("<Cube time='2026-11-27'><Cube currency='USD' rate='1,05'/>"),
            Err(EcbError::BadRate { .. })
        ));
        assert_eq!(
            parse_ecb_xml("<Cube currency='USD' rate='1.05'/>"),
            Err(EcbError::Undated)
        );
    }
}
