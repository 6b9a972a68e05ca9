//! Screenshots of the test X server (`xwd -root`), decoded enough to tell a
//! rendered page from a blank window.

use std::process::Command;

/// An RGB screenshot.
pub struct Shot {
    pub width: usize,
    pub height: usize,
    pub rgb: Vec<[u8; 3]>,
}

impl Shot {
    /// The whole screen of `$DISPLAY`.
    pub fn take() -> Shot {
        let out = Command::new("xwd")
            .args(["-root", "-silent"])
            .output()
            .expect("xwd (apt install x11-apps)");
        assert!(out.status.success(), "xwd failed");
        parse_xwd(&out.stdout)
    }

    /// Pixels of exactly this colour.
    pub fn count(&self, rgb: [u8; 3]) -> usize {
        self.rgb.iter().filter(|p| **p == rgb).count()
    }

    /// How many different colours appear.
    pub fn distinct_colours(&self) -> usize {
        let mut set = std::collections::HashSet::new();
        for p in &self.rgb {
            set.insert(*p);
        }
        set.len()
    }

    /// Writes a binary PPM (viewable, convertible), for humans debugging.
    pub fn save_ppm(&self, path: &std::path::Path) {
        let mut data = format!("P6\n{} {}\n255\n", self.width, self.height).into_bytes();
        for p in &self.rgb {
            data.extend_from_slice(p);
        }
        std::fs::write(path, data).expect("write ppm");
    }
}

fn be32(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([b[i * 4], b[i * 4 + 1], b[i * 4 + 2], b[i * 4 + 3]])
}

/// XWD (X Window Dump) version 7, ZPixmap, 24/32 bits per pixel.
fn parse_xwd(b: &[u8]) -> Shot {
    let header_size = be32(b, 0) as usize;
    assert_eq!(be32(b, 1), 7, "XWD version");
    assert_eq!(be32(b, 2), 2, "ZPixmap");
    let (width, height) = (be32(b, 4) as usize, be32(b, 5) as usize);
    let byte_order = be32(b, 7); // 0 = LSB first
    let bits_per_pixel = be32(b, 11) as usize;
    let bytes_per_line = be32(b, 12) as usize;
    let (rmask, gmask, bmask) = (be32(b, 14), be32(b, 15), be32(b, 16));
    let ncolors = be32(b, 19) as usize;
    assert!(
        bits_per_pixel == 32 || bits_per_pixel == 24,
        "bpp {bits_per_pixel}"
    );
    let data = &b[header_size + ncolors * 12..];
    let channel = |px: u32, mask: u32| ((px & mask) >> mask.trailing_zeros()) as u8;
    let step = bits_per_pixel / 8;
    let mut rgb = Vec::with_capacity(width * height);
    for y in 0..height {
        let row = &data[y * bytes_per_line..];
        for x in 0..width {
            let p = &row[x * step..x * step + step];
            let mut bytes = [0u8; 4];
            bytes[..step].copy_from_slice(p);
            let px = if byte_order == 0 {
                u32::from_le_bytes(bytes)
            } else {
                u32::from_be_bytes(bytes) >> (8 * (4 - step))
            };
            rgb.push([channel(px, rmask), channel(px, gmask), channel(px, bmask)]);
        }
    }
    Shot { width, height, rgb }
}
