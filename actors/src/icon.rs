//! Tray icons as validated RGBA pixels.

use std::io::Cursor;

/// The largest icon side accepted. Panels draw 16–64 px icons; anything much
/// larger is almost certainly a mistake and costs D-Bus bandwidth on every
/// property read.
pub const MAX_ICON_SIDE: u32 = 1024;

/// Why an icon was refused.
///
/// ```
/// use traykit::icon::{Icon, IconError};
///
/// let err = Icon::from_rgba(vec![0; 10], 2, 2).unwrap_err();
/// assert!(matches!(err, IconError::BadLength { expected: 16, actual: 10, .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IconError {
    /// The bytes are not a PNG image this decoder understands.
    #[error("icon is not a valid PNG: {0}")]
    Png(String),
    /// The RGBA buffer does not match width × height × 4.
    #[error("RGBA icon of {width}x{height} needs {expected} bytes, got {actual}")]
    BadLength {
        /// Declared width.
        width: u32,
        /// Declared height.
        height: u32,
        /// width × height × 4.
        expected: usize,
        /// Bytes given.
        actual: usize,
    },
    /// Zero-sized or larger than [`MAX_ICON_SIDE`].
    #[error("icon size {width}x{height} is out of range (1..={max} per side)", max = MAX_ICON_SIDE)]
    BadSize {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
    },
}

/// An icon: straight (non-premultiplied) RGBA8 pixels, row by row.
///
/// ```
/// use traykit::prelude::*;
///
/// // 2×1 pixels: one red, one transparent.
/// let icon = Icon::from_rgba(vec![255, 0, 0, 255, 0, 0, 0, 0], 2, 1)?;
/// assert_eq!((icon.width(), icon.height()), (2, 1));
/// // Usually: Icon::from_png(include_bytes!("../icon.png"))?
/// let tray = Tray::new("main").icon(icon);
/// # let _ = tray;
/// # Ok::<(), traykit::icon::IconError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Icon {
    rgba: Vec<u8>,
    width: u32,
    height: u32,
}

impl std::fmt::Debug for Icon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Icon({}x{})", self.width, self.height)
    }
}

impl Icon {
    /// An icon from raw RGBA8 pixels.
    pub fn from_rgba(rgba: Vec<u8>, width: u32, height: u32) -> Result<Self, IconError> {
        check_size(width, height)?;
        let expected = width as usize * height as usize * 4;
        if rgba.len() != expected {
            return Err(IconError::BadLength {
                width,
                height,
                expected,
                actual: rgba.len(),
            });
        }
        Ok(Self {
            rgba,
            width,
            height,
        })
    }

    /// An icon decoded from PNG bytes, typically `include_bytes!("icon.png")`.
    /// Any PNG colour type and bit depth is accepted and converted to RGBA8.
    pub fn from_png(bytes: &[u8]) -> Result<Self, IconError> {
        let png_err = |e: png::DecodingError| IconError::Png(e.to_string());
        let mut decoder = png::Decoder::new_with_limits(
            Cursor::new(bytes),
            png::Limits {
                bytes: (MAX_ICON_SIDE as usize).pow(2) * 8,
            },
        );
        decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
        let mut reader = decoder.read_info().map_err(png_err)?;
        let (width, height) = {
            let info = reader.info();
            (info.width, info.height)
        };
        check_size(width, height)?;
        let size = reader
            .output_buffer_size()
            .ok_or_else(|| IconError::Png("image too large".into()))?;
        let mut buf = vec![0; size];
        let frame = reader.next_frame(&mut buf).map_err(png_err)?;
        buf.truncate(frame.buffer_size());
        let pixels = (width * height) as usize;
        let rgba = match frame.color_type {
            png::ColorType::Rgba => buf,
            png::ColorType::Rgb => buf
                .chunks_exact(3)
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .collect(),
            png::ColorType::GrayscaleAlpha => buf
                .chunks_exact(2)
                .flat_map(|p| [p[0], p[0], p[0], p[1]])
                .collect(),
            png::ColorType::Grayscale => buf.iter().flat_map(|&g| [g, g, g, 255]).collect(),
            // EXPAND turns palettes into RGB(A); reaching this is a decoder change.
            png::ColorType::Indexed => {
                return Err(IconError::Png("indexed PNG was not expanded".into()))
            }
        };
        if rgba.len() != pixels * 4 {
            return Err(IconError::Png("decoded pixel count does not match".into()));
        }
        Self::from_rgba(rgba, width, height)
    }

    /// A square icon of one colour; handy in tests and as a placeholder.
    pub fn solid(side: u32, rgba: [u8; 4]) -> Result<Self, IconError> {
        check_size(side, side)?;
        Self::from_rgba(rgba.repeat((side * side) as usize), side, side)
    }

    /// The pixels, RGBA8.
    pub fn rgba(&self) -> &[u8] {
        &self.rgba
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }
}

fn check_size(width: u32, height: u32) -> Result<(), IconError> {
    if width == 0 || height == 0 || width > MAX_ICON_SIDE || height > MAX_ICON_SIDE {
        return Err(IconError::BadSize { width, height });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(width: u32, height: u32, color: png::ColorType, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, width, height);
        enc.set_color(color);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().expect("header");
        w.write_image_data(data).expect("data");
        drop(w);
        out
    }

    #[test]
    fn decodes_every_colour_type_to_rgba() {
        let cases: Vec<(png::ColorType, Vec<u8>, [u8; 4])> = vec![
            (png::ColorType::Rgba, vec![1, 2, 3, 4], [1, 2, 3, 4]),
            (png::ColorType::Rgb, vec![1, 2, 3], [1, 2, 3, 255]),
            (png::ColorType::Grayscale, vec![9], [9, 9, 9, 255]),
            (png::ColorType::GrayscaleAlpha, vec![9, 7], [9, 9, 9, 7]),
        ];
        for (color, px, want) in cases {
            let icon = Icon::from_png(&encode(1, 1, color, &px)).expect("decodes");
            assert_eq!(icon.rgba(), want, "{color:?}");
            assert_eq!((icon.width(), icon.height()), (1, 1));
        }
    }

    #[test]
    fn truncated_or_garbage_png_is_an_error_not_a_panic() {
        let good = encode(4, 4, png::ColorType::Rgba, &[7; 64]);
        for cut in 0..good.len() {
            // A cut inside the trailing chunks may still decode; then the
            // pixels must be the real ones. Anything earlier must be an error.
            if let Ok(icon) = Icon::from_png(&good[..cut]) {
                assert_eq!(icon.rgba(), &[7; 64][..], "cut at {cut}");
            }
        }
        assert!(Icon::from_png(&good[..good.len() / 2]).is_err());
        assert!(matches!(
            Icon::from_png(b"not a png"),
            Err(IconError::Png(_))
        ));
    }

    #[test]
    fn rgba_is_checked() {
        assert_eq!(
            Icon::from_rgba(vec![0; 15], 2, 2),
            Err(IconError::BadLength {
                width: 2,
                height: 2,
                expected: 16,
                actual: 15
            })
        );
        assert!(matches!(
            Icon::from_rgba(vec![], 0, 0),
            Err(IconError::BadSize { .. })
        ));
        assert!(Icon::solid(MAX_ICON_SIDE + 1, [0; 4]).is_err());
        assert!(Icon::solid(16, [0; 4]).is_ok());
    }
}
