//! The tray menu model: plain data, owned by the tray actor, validated before
//! it ever reaches the UI thread.

use std::collections::HashSet;

use crate::ids::{IdError, MenuId};

/// Why a menu or a change to it was refused.
///
/// ```
/// use traykit::menu::MenuError;
/// use traykit::prelude::*;
///
/// let menu = Menu::new().item("quit", "Quit").item("quit", "Exit");
/// assert_eq!(menu.validate(), Err(MenuError::Duplicate("quit".into())));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MenuError {
    /// An item id is malformed.
    #[error(transparent)]
    Id(#[from] IdError),
    /// Two items share an id, so a click could not be told apart.
    #[error("menu item id `{0}` is used twice")]
    Duplicate(String),
    /// No item has this id.
    #[error("no menu item `{0}`")]
    UnknownItem(String),
    /// Only check items can be checked.
    #[error("menu item `{0}` is not a check item")]
    NotCheckItem(String),
    /// Separators have no label.
    #[error("menu item `{0}` has no label to change")]
    NoLabel(String),
}

/// One entry of a [`Menu`].
///
/// ```
/// use traykit::menu::MenuItem;
/// use traykit::prelude::*;
///
/// let menu = Menu::new().check("pause", "Pause", true);
/// let Some(MenuItem::Check { checked, .. }) = menu.find("pause") else { unreachable!() };
/// assert!(*checked);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum MenuItem {
    /// A plain clickable entry.
    Normal {
        /// Reported in [`crate::tray::MenuClicked`].
        id: String,
        /// The visible text.
        label: String,
        /// Greyed out when false.
        enabled: bool,
    },
    /// An entry with a check mark that toggles on click.
    Check {
        /// Reported in [`crate::tray::MenuClicked`].
        id: String,
        /// The visible text.
        label: String,
        /// Current state.
        checked: bool,
        /// Greyed out when false.
        enabled: bool,
    },
    /// A line between groups of entries.
    Separator,
    /// A nested menu.
    Submenu {
        /// Lets the submenu be relabelled or disabled.
        id: String,
        /// The visible text.
        label: String,
        /// Greyed out when false.
        enabled: bool,
        /// The nested entries.
        items: Vec<MenuItem>,
    },
}

/// What to change on one menu item.
///
/// Apps usually change items through [`TrayHandle`](crate::tray::TrayHandle)
/// (`set_enabled`, `set_checked`, `set_label`); on a plain [`Menu`]:
///
/// ```
/// use traykit::menu::ItemChange;
/// use traykit::prelude::*;
///
/// let mut menu = Menu::new().item("sync", "Sync now");
/// menu.apply("sync", ItemChange::Label("Syncing…".into()))?;
/// menu.apply("sync", ItemChange::Enabled(false))?;
/// # Ok::<(), traykit::menu::MenuError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ItemChange {
    /// Enable or grey out.
    Enabled(bool),
    /// Check or uncheck (check items only).
    Checked(bool),
    /// Replace the visible text.
    Label(String),
}

/// A tray menu, built with chained calls:
///
/// ```
/// use traykit::prelude::*;
///
/// let menu = Menu::new()
///     .item("notify", "Notify me")
///     .check("pause", "Pause", false)
///     .submenu("format", "Format", Menu::new().check("seconds", "Seconds", true))
///     .separator()
///     .item("quit", "Quit");
/// assert!(menu.validate().is_ok());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Menu {
    items: Vec<MenuItem>,
}

impl Menu {
    /// An empty menu.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a clickable entry.
    pub fn item(self, id: impl Into<String>, label: impl Into<String>) -> Self {
        self.push(MenuItem::Normal {
            id: id.into(),
            label: label.into(),
            enabled: true,
        })
    }

    /// Appends an entry that starts greyed out.
    pub fn disabled_item(self, id: impl Into<String>, label: impl Into<String>) -> Self {
        self.push(MenuItem::Normal {
            id: id.into(),
            label: label.into(),
            enabled: false,
        })
    }

    /// Appends a check entry.
    pub fn check(self, id: impl Into<String>, label: impl Into<String>, checked: bool) -> Self {
        self.push(MenuItem::Check {
            id: id.into(),
            label: label.into(),
            checked,
            enabled: true,
        })
    }

    /// Appends a separator.
    pub fn separator(self) -> Self {
        self.push(MenuItem::Separator)
    }

    /// Appends a nested menu.
    pub fn submenu(self, id: impl Into<String>, label: impl Into<String>, menu: Menu) -> Self {
        self.push(MenuItem::Submenu {
            id: id.into(),
            label: label.into(),
            enabled: true,
            items: menu.items,
        })
    }

    /// Appends any item.
    pub fn push(mut self, item: MenuItem) -> Self {
        self.items.push(item);
        self
    }

    /// The entries, top to bottom.
    pub fn items(&self) -> &[MenuItem] {
        &self.items
    }

    /// Checks that every id is well formed and unique (across submenus too,
    /// since a click reports only the item id).
    pub fn validate(&self) -> Result<(), MenuError> {
        fn walk<'a>(items: &'a [MenuItem], seen: &mut HashSet<&'a str>) -> Result<(), MenuError> {
            for item in items {
                let id = match item {
                    MenuItem::Normal { id, .. } | MenuItem::Check { id, .. } => id,
                    MenuItem::Submenu { id, items, .. } => {
                        walk(items, seen)?;
                        id
                    }
                    MenuItem::Separator => continue,
                };
                MenuId::new(id.as_str())?;
                if !seen.insert(id) {
                    return Err(MenuError::Duplicate(id.clone()));
                }
            }
            Ok(())
        }
        walk(&self.items, &mut HashSet::new())
    }

    /// Finds an item by id, at any depth.
    pub fn find(&self, id: &str) -> Option<&MenuItem> {
        fn walk<'a>(items: &'a [MenuItem], id: &str) -> Option<&'a MenuItem> {
            items.iter().find_map(|item| match item {
                MenuItem::Normal { id: i, .. } | MenuItem::Check { id: i, .. } if i == id => {
                    Some(item)
                }
                MenuItem::Submenu { id: i, .. } if i == id => Some(item),
                MenuItem::Submenu { items, .. } => walk(items, id),
                _ => None,
            })
        }
        walk(&self.items, id)
    }

    fn find_mut(&mut self, id: &str) -> Option<&mut MenuItem> {
        fn walk<'a>(items: &'a mut [MenuItem], id: &str) -> Option<&'a mut MenuItem> {
            for item in items {
                let hit = match item {
                    MenuItem::Normal { id: i, .. }
                    | MenuItem::Check { id: i, .. }
                    | MenuItem::Submenu { id: i, .. } => i == id,
                    MenuItem::Separator => false,
                };
                if hit {
                    return Some(item);
                }
                if let MenuItem::Submenu { items, .. } = item {
                    if let Some(found) = walk(items, id) {
                        return Some(found);
                    }
                }
            }
            None
        }
        walk(&mut self.items, id)
    }

    /// Applies one change to one item, or explains why it cannot.
    pub fn apply(&mut self, id: &str, change: ItemChange) -> Result<(), MenuError> {
        let item = self
            .find_mut(id)
            .ok_or_else(|| MenuError::UnknownItem(id.to_owned()))?;
        match (item, change) {
            (
                MenuItem::Normal { enabled, .. }
                | MenuItem::Check { enabled, .. }
                | MenuItem::Submenu { enabled, .. },
                ItemChange::Enabled(value),
            ) => *enabled = value,
            (MenuItem::Check { checked, .. }, ItemChange::Checked(value)) => *checked = value,
            (_, ItemChange::Checked(_)) => return Err(MenuError::NotCheckItem(id.to_owned())),
            (
                MenuItem::Normal { label, .. }
                | MenuItem::Check { label, .. }
                | MenuItem::Submenu { label, .. },
                ItemChange::Label(value),
            ) => *label = value,
            (MenuItem::Separator, _) => return Err(MenuError::NoLabel(id.to_owned())),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Menu {
        Menu::new()
            .item("a", "A")
            .check("b", "B", false)
            .separator()
            .submenu("sub", "Sub", Menu::new().check("c", "C", true))
    }

    #[test]
    fn validation_table() {
        let cases: Vec<(Menu, Result<(), MenuError>)> = vec![
            (sample(), Ok(())),
            (
                sample().item("c", "again"),
                Err(MenuError::Duplicate("c".into())),
            ),
            (
                Menu::new().item("", "x"),
                Err(MenuError::Id(IdError::Empty { kind: "menu item" })),
            ),
            (
                Menu::new().item("a:b", "x"),
                Err(MenuError::Id(IdError::Invalid {
                    kind: "menu item",
                    id: "a:b".into(),
                })),
            ),
        ];
        for (menu, want) in cases {
            assert_eq!(menu.validate(), want, "{menu:?}");
        }
    }

    #[test]
    fn changes_table() {
        let cases: Vec<(&str, ItemChange, Result<(), MenuError>)> = vec![
            ("a", ItemChange::Enabled(false), Ok(())),
            ("a", ItemChange::Label("Z".into()), Ok(())),
            ("b", ItemChange::Checked(true), Ok(())),
            ("c", ItemChange::Checked(false), Ok(())),
            ("sub", ItemChange::Enabled(false), Ok(())),
            (
                "a",
                ItemChange::Checked(true),
                Err(MenuError::NotCheckItem("a".into())),
            ),
            (
                "nope",
                ItemChange::Enabled(true),
                Err(MenuError::UnknownItem("nope".into())),
            ),
        ];
        for (id, change, want) in cases {
            let mut menu = sample();
            assert_eq!(menu.apply(id, change.clone()), want, "{id} {change:?}");
        }
    }

    #[test]
    fn nested_items_change_in_place() {
        let mut menu = sample();
        menu.apply("c", ItemChange::Checked(false)).expect("apply");
        assert!(matches!(
            menu.find("c"),
            Some(MenuItem::Check { checked: false, .. })
        ));
        menu.apply("a", ItemChange::Label("New".into()))
            .expect("apply");
        assert!(matches!(menu.find("a"), Some(MenuItem::Normal { label, .. }) if label == "New"));
    }
}
