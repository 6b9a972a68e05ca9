//! The shell's part: reading a StatusNotifierItem and its dbusmenu, clicking.

use std::collections::HashMap;

use serde::Deserialize;
use zbus::zvariant::{OwnedObjectPath, OwnedValue, Type, Value};

use super::watcher::Registered;

const ITEM_IFACE: &str = "org.kde.StatusNotifierItem";
const MENU_IFACE: &str = "com.canonical.dbusmenu";

/// One node of a dbusmenu layout, with the properties a shell renders.
#[derive(Debug, Clone, PartialEq)]
pub struct MenuNode {
    pub id: i32,
    pub label: String,
    pub enabled: bool,
    pub visible: bool,
    pub separator: bool,
    /// "checkmark", "radio" or "".
    pub toggle_type: String,
    /// 1 checked, 0 unchecked, -1 none.
    pub toggle_state: i32,
    pub children: Vec<MenuNode>,
}

impl MenuNode {
    /// Depth-first search by label.
    pub fn find(&self, label: &str) -> Option<&MenuNode> {
        if self.label == label {
            return Some(self);
        }
        self.children.iter().find_map(|c| c.find(label))
    }

    /// The labels of the direct children ("---" for separators).
    pub fn labels(&self) -> Vec<String> {
        self.children
            .iter()
            .map(|c| {
                if c.separator {
                    "---".to_owned()
                } else {
                    c.label.clone()
                }
            })
            .collect()
    }
}

#[derive(Debug, Deserialize, Type)]
struct RawLayout(i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);

fn parse(layout: &RawLayout) -> MenuNode {
    let props = &layout.1;
    let string = |k: &str| {
        props
            .get(k)
            .and_then(|v| String::try_from(v.try_clone().ok()?).ok())
            .unwrap_or_default()
    };
    let boolean = |k: &str, default: bool| {
        props
            .get(k)
            .and_then(|v| bool::try_from(v).ok())
            .unwrap_or(default)
    };
    let children = layout
        .2
        .iter()
        .map(|child| {
            let value: &Value<'_> = child;
            let value = match value {
                Value::Value(inner) => inner.as_ref(),
                other => other,
            };
            let Value::Structure(s) = value else {
                panic!("dbusmenu child is not a structure: {value:?}")
            };
            let f = s.fields();
            let id = i32::try_from(&f[0]).expect("child id");
            let props: HashMap<String, OwnedValue> = match &f[1] {
                Value::Dict(d) => d
                    .iter()
                    .map(|(k, v)| {
                        let key = match k {
                            Value::Str(s) => s.to_string(),
                            other => panic!("property key {other:?}"),
                        };
                        let v = match v {
                            Value::Value(inner) => inner.as_ref(),
                            other => other,
                        };
                        (key, v.try_to_owned().expect("owned"))
                    })
                    .collect(),
                other => panic!("child props {other:?}"),
            };
            let grandchildren: Vec<OwnedValue> = match &f[2] {
                Value::Array(a) => a.iter().map(|v| v.try_to_owned().expect("owned")).collect(),
                other => panic!("child children {other:?}"),
            };
            parse(&RawLayout(id, props, grandchildren))
        })
        .collect();
    MenuNode {
        id: layout.0,
        label: string("label")
            .replace("__", "\u{0}")
            .replace('_', "")
            .replace('\u{0}', "_"),
        enabled: boolean("enabled", true),
        visible: boolean("visible", true),
        separator: string("type") == "separator",
        toggle_type: string("toggle-type"),
        toggle_state: props
            .get("toggle-state")
            .and_then(|v| i32::try_from(v).ok())
            .unwrap_or(-1),
        children,
    }
}

/// SNI `ToolTip`: (icon name, icon pixmaps, title, description).
type ToolTip = (String, Vec<(i32, i32, Vec<u8>)>, String, String);

/// A tray item as a shell sees it.
pub struct Item {
    conn: zbus::blocking::Connection,
    pub registered: Registered,
}

impl Item {
    pub fn new(bus: &super::bus::Bus, registered: Registered) -> Item {
        Item {
            conn: bus.connect(),
            registered,
        }
    }

    fn prop<T>(&self, name: &str) -> zbus::Result<T>
    where
        T: TryFrom<OwnedValue>,
        T::Error: Into<zbus::Error>,
    {
        let proxy = zbus::blocking::fdo::PropertiesProxy::builder(&self.conn)
            .destination(self.registered.service.as_str())?
            .path(self.registered.path.as_str())?
            .build()?;
        let value = proxy.get(ITEM_IFACE.try_into()?, name)?;
        T::try_from(value).map_err(Into::into)
    }

    pub fn string_prop(&self, name: &str) -> String {
        self.prop::<String>(name)
            .unwrap_or_else(|e| panic!("property {name}: {e}"))
    }

    /// (width, height, ARGB bytes) of each icon pixmap.
    pub fn icon_pixmaps(&self) -> Vec<(i32, i32, Vec<u8>)> {
        self.prop("IconPixmap").expect("IconPixmap")
    }

    /// The tooltip's (title, description).
    pub fn tooltip(&self) -> (String, String) {
        let (_, _, title, description): ToolTip = self.prop("ToolTip").expect("ToolTip");
        (title, description)
    }

    fn menu_path(&self) -> OwnedObjectPath {
        self.prop("Menu").expect("Menu property")
    }

    /// The whole menu, read with `GetLayout(0, -1, [])`.
    pub fn menu(&self) -> MenuNode {
        let reply = self
            .conn
            .call_method(
                Some(self.registered.service.as_str()),
                self.menu_path().as_str(),
                Some(MENU_IFACE),
                "GetLayout",
                &(0i32, -1i32, Vec::<String>::new()),
            )
            .expect("GetLayout");
        let (_revision, layout): (u32, RawLayout) = reply.body().deserialize().expect("layout");
        parse(&layout)
    }

    /// Clicks the entry with this label (searched at any depth), as a shell
    /// does: `AboutToShow` on the root, then `Event(id, "clicked")`.
    pub fn click(&self, label: &str) {
        let menu = self.menu();
        let node = menu
            .find(label)
            .unwrap_or_else(|| panic!("no menu entry {label:?} in {:?}", menu.labels()));
        let path = self.menu_path();
        let _ = self.conn.call_method(
            Some(self.registered.service.as_str()),
            path.as_str(),
            Some(MENU_IFACE),
            "AboutToShow",
            &(0i32),
        );
        // Shells ignore the reply of Event, and the app may already be gone
        // (after "Quit"), so a missing reply is not an error here.
        let _ = self.conn.call_method(
            Some(self.registered.service.as_str()),
            path.as_str(),
            Some(MENU_IFACE),
            "Event",
            &(node.id, "clicked", Value::from(0i32), 0u32),
        );
    }

    /// Opens the menu without clicking anything, as a shell does when the
    /// user opens it: `AboutToShow(0)`, then `Event(0, "opened")`.
    pub fn open_menu(&self) {
        let path = self.menu_path();
        self.conn
            .call_method(
                Some(self.registered.service.as_str()),
                path.as_str(),
                Some(MENU_IFACE),
                "AboutToShow",
                &(0i32),
            )
            .expect("AboutToShow");
        let _ = self.conn.call_method(
            Some(self.registered.service.as_str()),
            path.as_str(),
            Some(MENU_IFACE),
            "Event",
            &(0i32, "opened", Value::from(0i32), 0u32),
        );
    }

    /// Activates the icon itself (a left click).
    pub fn activate(&self, x: i32, y: i32) {
        self.conn
            .call_method(
                Some(self.registered.service.as_str()),
                self.registered.path.as_str(),
                Some(ITEM_IFACE),
                "Activate",
                &(x, y),
            )
            .expect("Activate");
    }
}
