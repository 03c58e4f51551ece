//! Category names: short lowercase slugs such as `food` or `personal_care`.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A category's stable name. Users may type `Personal care` or `personal-care`; both become
/// `personal_care`, which is what is stored and matched.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CategoryName(String);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CategoryNameError {
    #[error("a category name can't be empty")]
    Empty,
    #[error("a category name can be at most 32 characters")]
    TooLong,
    #[error("a category name may use letters, digits, spaces, '-' and '_' only")]
    BadCharacter,
}

impl CategoryName {
    pub const MAX_LEN: usize = 32;

    pub fn parse(raw: &str) -> Result<CategoryName, CategoryNameError> {
        let mut slug = String::with_capacity(raw.len());
        let mut pending_sep = false;
        for ch in raw.trim().chars() {
            if ch.is_alphanumeric() {
                if pending_sep && !slug.is_empty() {
                    slug.push('_');
                }
                pending_sep = false;
                slug.extend(ch.to_lowercase());
            } else if ch == ' ' || ch == '_' || ch == '-' {
                pending_sep = true;
            } else {
                return Err(CategoryNameError::BadCharacter);
            }
        }
        if slug.is_empty() {
            return Err(CategoryNameError::Empty);
        }
        if slug.chars().count() > Self::MAX_LEN {
            return Err(CategoryNameError::TooLong);
        }
        Ok(CategoryName(slug))
    }

    /// The catch-all category every ledger has, for both kinds.
    pub fn other() -> CategoryName {
        CategoryName("other".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_other(&self) -> bool {
        self.0 == "other"
    }

    /// The name in words: `personal_care` → `Personal care`.
    pub fn label(&self) -> String {
        let spaced = self.0.replace('_', " ");
        let mut chars = spaced.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }
}

impl fmt::Display for CategoryName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for CategoryName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for CategoryName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CategoryName::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_to_a_slug() {
        assert_eq!(CategoryName::parse("Food").expect("ok").as_str(), "food");
        assert_eq!(
            CategoryName::parse(" Personal care ").expect("ok").as_str(),
            "personal_care"
        );
        assert_eq!(
            CategoryName::parse("personal-care").expect("ok").as_str(),
            "personal_care"
        );
        assert_eq!(CategoryName::parse("Café").expect("ok").as_str(), "café");
    }

    #[test]
    fn rejects_bad_names() {
        assert_eq!(CategoryName::parse("  "), Err(CategoryNameError::Empty));
        assert_eq!(
            CategoryName::parse("a;drop"),
            Err(CategoryNameError::BadCharacter)
        );
        assert_eq!(
            CategoryName::parse(&"x".repeat(33)),
            Err(CategoryNameError::TooLong)
        );
    }

    #[test]
    fn labels_in_words() {
        assert_eq!(
            CategoryName::parse("personal_care").expect("ok").label(),
            "Personal care"
        );
    }
}
