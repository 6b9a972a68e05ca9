//! Identifiers as newtypes, validated once at construction.

use std::fmt;

/// Why an id was refused.
///
/// ```
/// use traykit::ids::{IdError, TrayId};
///
/// assert!(matches!(TrayId::new(""), Err(IdError::Empty { .. })));
/// assert!(matches!(TrayId::new("my tray"), Err(IdError::Invalid { .. })));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// Ids must not be empty.
    #[error("{kind} id must not be empty")]
    Empty {
        /// "tray" or "menu item".
        kind: &'static str,
    },
    /// Ids are limited to ASCII letters, digits, `-`, `_` and `.`.
    #[error("{kind} id `{id}` may only contain ASCII letters, digits, '-', '_' and '.'")]
    Invalid {
        /// "tray" or "menu item".
        kind: &'static str,
        /// The refused id.
        id: String,
    },
}

fn validate(kind: &'static str, id: &str) -> Result<(), IdError> {
    if id.is_empty() {
        return Err(IdError::Empty { kind });
    }
    // The character set is narrow on purpose: ids travel inside D-Bus object
    // names and muda menu ids (`tray:item`), and appear in logs.
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        return Err(IdError::Invalid {
            kind,
            id: id.to_owned(),
        });
    }
    Ok(())
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        // Deserialising validates, like `new`.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::new(s).map_err(serde::de::Error::custom)
            }
        }

        impl $name {
            /// Validates and wraps an id.
            pub fn new(id: impl Into<String>) -> Result<Self, IdError> {
                let id = id.into();
                validate($kind, &id)?;
                Ok(Self(id))
            }

            /// The id as a string.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;
            fn try_from(id: &str) -> Result<Self, IdError> {
                Self::new(id)
            }
        }

        // Lets maps keyed by the id be queried with a plain `&str`.
        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

id_type!(
    /// Names one tray icon of the app, e.g. `TrayId::new("main")`.
    ///
    /// ```
    /// use traykit::ids::TrayId;
    ///
    /// let id = TrayId::new("main")?;
    /// assert_eq!(id, "main");
    /// assert!(TrayId::new("no spaces").is_err());
    /// # Ok::<(), traykit::ids::IdError>(())
    /// ```
    TrayId,
    "tray"
);
id_type!(
    /// Names one menu item within a tray's menu, e.g. `MenuId::new("quit")`.
    ///
    /// ```
    /// use traykit::ids::MenuId;
    ///
    /// let id = MenuId::new("file.quit")?;
    /// assert_eq!(id.as_str(), "file.quit");
    /// # Ok::<(), traykit::ids::IdError>(())
    /// ```
    MenuId,
    "menu item"
);
id_type!(
    /// Names one window, e.g. `WindowLabel::new("settings")`.
    ///
    /// ```
    /// use traykit::ids::WindowLabel;
    ///
    /// let label: WindowLabel = "settings".try_into()?;
    /// assert_eq!(label.to_string(), "settings");
    /// # Ok::<(), traykit::ids::IdError>(())
    /// ```
    WindowLabel,
    "window"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_validated() {
        let cases: &[(&str, bool)] = &[
            ("main", true),
            ("a-b_c.d9", true),
            ("", false),
            ("a:b", false),
            ("with space", false),
            ("ü", false),
            ("a/b", false),
        ];
        for (id, ok) in cases {
            assert_eq!(TrayId::new(*id).is_ok(), *ok, "{id:?}");
            assert_eq!(MenuId::new(*id).is_ok(), *ok, "{id:?}");
        }
    }

    #[test]
    fn errors_name_the_id() {
        let err = MenuId::new("a b").unwrap_err();
        assert_eq!(
            err.to_string(),
            "menu item id `a b` may only contain ASCII letters, digits, '-', '_' and '.'"
        );
    }
}
