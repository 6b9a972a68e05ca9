//! Memory of a process tree, as /proc reports it.

/// (RSS, PSS) in KiB of one process, from smaps_rollup.
pub fn rss_pss_kib(pid: u32) -> (u64, u64) {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("Rss:"), field("Pss:"))
}

/// The pid and all its descendants.
pub fn tree(pid: u32) -> Vec<u32> {
    let mut all = vec![pid];
    let mut i = 0;
    while i < all.len() {
        all.extend(super::children_of(all[i]));
        i += 1;
    }
    all
}

/// (RSS, PSS) in MiB summed over the process and its descendants.
pub fn tree_mib(pid: u32) -> (f64, f64) {
    let (mut rss, mut pss) = (0, 0);
    for p in tree(pid) {
        let (r, s) = rss_pss_kib(p);
        rss += r;
        pss += s;
    }
    (rss as f64 / 1024.0, pss as f64 / 1024.0)
}

/// Threads of one process.
pub fn threads(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}
