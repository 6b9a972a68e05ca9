//! GitHub Releases (or GitHub Enterprise, or anything serving the same API)
//! as the update source, for teams that already publish there: the release's
//! tag is the version, its body the notes, and its assets the artifact, the
//! artifact's `.sig` (as `traykit-release sign` or `tauri signer sign` write
//! it) and optional `.from-<version>.bsdiff` patches with their `.sig`s.
//! Everything then goes through the same verified download pipeline.

use serde::Deserialize;

use crate::download::Http;
use crate::error::UpdateError;
use crate::feed::{self, Artifact, Offer, Patch};

/// Where the releases are: GitHub Releases as the update source, given with
/// [`UpdaterConfig::github`](crate::UpdaterConfig::github).
///
/// ```
/// use traykit_updater::{GithubSource, UpdaterConfig};
///
/// let config = UpdaterConfig::new(env!("CARGO_PKG_VERSION"), [] as [&str; 0], "RWQ…")
///     .github(GithubSource::new("me", "notes", "notes-{{target}}-{{arch}}"));
/// # let _ = config;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubSource {
    pub(crate) api_url: String,
    pub(crate) owner: String,
    pub(crate) repo: String,
    pub(crate) asset: String,
}

impl GithubSource {
    /// Releases of `owner/repo` on github.com. `asset` names the artifact,
    /// with `{{target}}` (OS) and `{{arch}}` filled in, e.g.
    /// `"myapp-{{target}}-{{arch}}"`.
    pub fn new(owner: &str, repo: &str, asset: &str) -> GithubSource {
        GithubSource {
            api_url: "https://api.github.com".into(),
            owner: owner.into(),
            repo: repo.into(),
            asset: asset.into(),
        }
    }

    /// Another API root: GitHub Enterprise (`https://ghe.example.com/api/v3`)
    /// or a mirror.
    pub fn api_url(mut self, url: &str) -> GithubSource {
        self.api_url = url.trim_end_matches('/').to_owned();
        self
    }

    fn asset_name(&self) -> String {
        self.asset
            .replace("{{target}}", feed::current_os())
            .replace("{{arch}}", std::env::consts::ARCH)
    }
}

#[derive(Deserialize)]
struct Release {
    tag_name: String,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    published_at: Option<String>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    prerelease: bool,
    #[serde(default)]
    assets: Vec<Asset>,
}

#[derive(Deserialize)]
struct Asset {
    name: String,
    browser_download_url: String,
    #[serde(default)]
    size: Option<u64>,
}

/// Releases asked for per page of the listing (the beta channel). The
/// newest non-draft is all we need; GitHub's default of 30, each with its
/// notes (up to 125,000 characters) and asset list, can pass a megabyte.
pub const LISTING_PER_PAGE: u32 = 10;

/// The listing's size limit: the feed limit × this. Ten releases at
/// GitHub's maximum notes and a hundred assets each stay under it; beyond
/// it the answer is refused as `too_large`.
pub const LISTING_LIMIT_FACTOR: u64 = 4;

fn text(http: &Http, url: &str) -> Result<String, UpdateError> {
    let body = http.fetch_feed(url)?.unwrap_or_default();
    String::from_utf8(body).map_err(|e| UpdateError::InvalidFeed {
        url: url.to_owned(),
        reason: e.to_string(),
    })
}

/// The newest release for `channel` (`stable`: the latest non-prerelease;
/// any other channel: the newest release, prereleases included). `Ok(None)`
/// when the repository has none.
pub fn latest_offer(
    http: &Http,
    source: &GithubSource,
    channel: &str,
) -> Result<Option<Offer>, UpdateError> {
    let Some((release, url)) = newest_release(http, source, channel)? else {
        return Ok(None);
    };
    let invalid = |reason: String| UpdateError::InvalidFeed {
        url: url.clone(),
        reason,
    };
    let version = feed::parse_version(&release.tag_name)
        .map_err(|e| invalid(format!("tag `{}` is not semver: {e}", release.tag_name)))?;
    let name = source.asset_name();
    let find = |n: &str| release.assets.iter().find(|a| a.name == n);
    let asset =
        find(&name).ok_or_else(|| UpdateError::NoPlatform(format!("{name} (GitHub asset)")))?;
    let sig = find(&format!("{name}.sig")).ok_or_else(|| UpdateError::BadSignature {
        what: asset.browser_download_url.clone(),
        reason: format!("the release has no `{name}.sig` asset"),
    })?;
    let signature = text(http, &sig.browser_download_url)?;
    let patches = signed_patches(http, &release, &name)?;
    Ok(Some(Offer {
        version,
        notes: release.body,
        pub_date: release.published_at,
        artifact: Artifact {
            url: asset.browser_download_url.clone(),
            signature,
            size: asset.size,
            patches,
        },
        channel: channel.to_owned(),
        rollout: None,
    }))
}

/// The release `latest_offer` looks at, with the URL it came from; `None`
/// when there is none for `channel` (none at all, only drafts, or a
/// prerelease on `stable`).
fn newest_release(
    http: &Http,
    source: &GithubSource,
    channel: &str,
) -> Result<Option<(Release, String)>, UpdateError> {
    let base = format!(
        "{}/repos/{}/{}/releases",
        source.api_url, source.owner, source.repo
    );
    let (url, stable) = if channel == "stable" {
        (format!("{base}/latest"), true)
    } else {
        (format!("{base}?per_page={LISTING_PER_PAGE}"), false)
    };
    let invalid = |reason: String| UpdateError::InvalidFeed {
        url: url.clone(),
        reason,
    };
    let limit = if stable {
        http.options().max_feed_bytes
    } else {
        http.options()
            .max_feed_bytes
            .saturating_mul(LISTING_LIMIT_FACTOR)
    };
    let body = match http.fetch_limited(&url, limit) {
        Ok(Some(body)) => body,
        Ok(None) | Err(UpdateError::Http { status: 404, .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let release: Release = if stable {
        serde_json::from_slice(&body).map_err(|e| invalid(e.to_string()))?
    } else {
        let all: Vec<Release> =
            serde_json::from_slice(&body).map_err(|e| invalid(e.to_string()))?;
        match all.into_iter().find(|r| !r.draft) {
            Some(r) => r,
            None => return Ok(None),
        }
    };
    if release.draft || (stable && release.prerelease) {
        return Ok(None);
    }
    Ok(Some((release, url)))
}

/// The release's delta patches to asset `name`
/// (`<name>.from-<version>.bsdiff`) that have their signature beside them.
fn signed_patches(http: &Http, release: &Release, name: &str) -> Result<Vec<Patch>, UpdateError> {
    let find = |n: &str| release.assets.iter().find(|a| a.name == n);
    let prefix = format!("{name}.from-");
    let mut patches = Vec::new();
    for patch in release
        .assets
        .iter()
        .filter(|a| a.name.starts_with(&prefix) && a.name.ends_with(".bsdiff"))
    {
        let from = &patch.name[prefix.len()..patch.name.len() - ".bsdiff".len()];
        // A patch without its signature is ignored; the full artifact remains.
        if let Some(psig) = find(&format!("{}.sig", patch.name)) {
            patches.push(Patch {
                from: from.to_owned(),
                url: patch.browser_download_url.clone(),
                signature: text(http, &psig.browser_download_url)?,
                size: patch.size,
            });
        }
    }
    Ok(patches)
}
