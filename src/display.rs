//! Opening the display, as tao will, but with an error instead of tao's
//! panic ("Failed to initialize gtk backend!") when it cannot be opened:
//! a bad `WAYLAND_DISPLAY`, a dead X server, a forced `GDK_BACKEND` with no
//! such display.

use crate::error::Error;

/// Initialises GTK on this (the main) thread; tao's own `gtk::init` then
/// finds it done. `Error::NoDisplay` when no display is named,
/// `Error::DisplayUnavailable` (naming what was set) when GTK cannot open
/// the one named.
pub(crate) fn open() -> Result<(), Error> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let (x11, wayland) = (var("DISPLAY"), var("WAYLAND_DISPLAY"));
    if x11.is_none() && wayland.is_none() {
        return Err(Error::NoDisplay);
    }
    if gtk::init().is_err() {
        let named = [
            ("DISPLAY", x11),
            ("WAYLAND_DISPLAY", wayland),
            ("GDK_BACKEND", var("GDK_BACKEND")),
        ]
        .into_iter()
        .filter_map(|(name, value)| Some(format!("{name}={}", value?)))
        .collect::<Vec<_>>()
        .join(", ");
        return Err(Error::DisplayUnavailable(named));
    }
    Ok(())
}
