//! The closed sets of values stored as text: kinds, platforms, roles, settings.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $( #[serde(rename = $text)] $variant ),*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(&self) -> &'static str {
                match self { $( $name::$variant => $text ),* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s.trim().to_ascii_lowercase().as_str() {
                    $( $text => Ok($name::$variant), )*
                    other => Err(format!(
                        "\"{}\" is not one of: {}",
                        other.chars().take(32).collect::<String>(),
                        [$($text),*].join(", ")
                    )),
                }
            }
        }
    };
}

text_enum!(
    /// Which way money moved.
    TransactionKind { Expense = "expense", Income = "income" }
);

text_enum!(
    /// Where a message came from. An identity is unique per platform.
    Platform { Telegram = "telegram", Discord = "discord", Console = "console", Web = "web" }
);

impl Platform {
    /// How the platform is named in a sentence.
    pub fn title(self) -> &'static str {
        match self {
            Platform::Telegram => "Telegram",
            Platform::Discord => "Discord",
            Platform::Console => "the console",
            Platform::Web => "the app",
        }
    }
}

text_enum!(
    /// A member's standing in a ledger. Only owners and admins manage budgets in groups.
    Role { Owner = "owner", Admin = "admin", Member = "member" }
);

text_enum!(
    /// A personal ledger belongs to one account; a group ledger to a group chat or channel.
    LedgerKind { Personal = "personal", Group = "group" }
);

text_enum!(
    /// How to read `3/11`: month first (`mdy`, the default) or day first (`dmy`).
    DateOrder { Mdy = "mdy", Dmy = "dmy" }
);

text_enum!(
    /// A one-to-one chat with the bot, or a shared group chat / channel.
    ChatKind { Private = "private", Group = "group" }
);

impl Role {
    pub fn can_manage(&self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

/// An IANA time zone such as `Europe/Berlin`; the user's "today" is computed in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timezone(chrono_tz::Tz);

impl Timezone {
    pub const UTC: Timezone = Timezone(chrono_tz::UTC);

    pub fn parse(name: &str) -> Result<Timezone, String> {
        name.trim().parse::<chrono_tz::Tz>().map(Timezone).map_err(|_| {
            format!(
                "\"{}\" is not a time zone I know; use a name like Europe/Berlin or America/New_York",
                name.chars().take(48).collect::<String>()
            )
        })
    }

    pub fn tz(&self) -> chrono_tz::Tz {
        self.0
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    /// The calendar date at instant `at` in this zone.
    pub fn today(&self, at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        at.with_timezone(&self.0).date_naive()
    }
}

impl fmt::Display for Timezone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Timezone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Timezone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Timezone::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        for k in TransactionKind::ALL {
            assert_eq!(k.as_str().parse::<TransactionKind>(), Ok(*k));
        }
        for p in Platform::ALL {
            assert_eq!(p.as_str().parse::<Platform>(), Ok(*p));
        }
        assert!("bogus".parse::<Role>().is_err());
    }

    #[test]
    fn timezone_decides_today() {
        let at = "2026-11-24T02:00:00Z".parse().expect("instant");
        assert_eq!(Timezone::UTC.today(at).to_string(), "2026-11-24");
        let ny = Timezone::parse("America/New_York").expect("known");
        assert_eq!(ny.today(at).to_string(), "2026-11-23");
        assert!(Timezone::parse("Mars/Olympus").is_err());
    }
}
