//! GitHub Releases as the source, against a fake releases API served over
//! real HTTP on 127.0.0.1 (the API root is configurable, as for GitHub
//! Enterprise).

#[path = "../../tests/updater/server.rs"]
mod server;

use std::path::{Path, PathBuf};

use serde_json::json;
use traykit_updater::download::{Http, NetOptions};
use traykit_updater::github::{latest_offer, GithubSource};
use traykit_updater::release;
use traykit_updater::signature::{Binding, TrustedKey};
use traykit_updater::UpdateError;

struct Dir(PathBuf);

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn keys() -> (release::SecretKey, TrustedKey) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/updater/keys");
    let stored = std::fs::read_to_string(dir.join("updater.key")).expect("key");
    let password = std::fs::read_to_string(dir.join("password")).expect("pw");
    let sk = release::unlock_secret_key(&stored, password.trim()).expect("unlock");
    let pk = TrustedKey::parse(&std::fs::read_to_string(dir.join("updater.pub")).expect("pub"))
        .expect("pub");
    (sk, pk)
}

#[test]
fn the_latest_release_maps_to_a_verified_offer_with_patches() {
    let dir = Dir(std::env::temp_dir().join(format!("tk-gh-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    let d = &dir.0;
    std::fs::create_dir_all(d.join("repos/acme/tray/releases")).expect("dirs");
    std::fs::create_dir_all(d.join("dl")).expect("dirs");
    let server = server::FeedServer::start(d.clone());
    let (sk, pk) = keys();
    let name = format!(
        "tray-{}-{}",
        traykit_updater::feed::current_os(),
        std::env::consts::ARCH
    );
    let v1 = vec![7u8; 100_000];
    let mut v2 = v1.clone();
    v2[500] = 8;
    let patch = traykit_updater::delta::make_patch(&v1, &v2).expect("diff");
    let patch_name = format!("{name}.from-1.0.0.bsdiff");
    let binding = Binding {
        app: "tray".into(),
        version: traykit_updater::semver::Version::new(2, 0, 0),
        target: traykit_updater::feed::current_platform(),
        from: None,
    };
    let patch_binding = Binding {
        from: Some("1.0.0".into()),
        ..binding.clone()
    };
    for (file, bytes, b) in [
        (&name, &v2, &binding),
        (&patch_name, &patch, &patch_binding),
    ] {
        let path = d.join("dl").join(file);
        std::fs::write(&path, bytes).expect("asset");
        release::sign_file(&sk, &path, Some(b)).expect("sign");
    }
    let asset = |n: &str| {
        let size = std::fs::metadata(d.join("dl").join(n)).map_or(0, |m| m.len());
        json!({"name": n, "size": size, "browser_download_url": format!("{}/dl/{n}", server.url())})
    };
    let release = json!({
        "tag_name": "v2.0.0", "body": "Release notes", "published_at": "2026-11-25T10:00:00Z",
        "draft": false, "prerelease": false,
        "assets": [asset(&name), asset(&format!("{name}.sig")), asset(&patch_name),
                   asset(&format!("{patch_name}.sig")), asset("unrelated.zip")]
    });
    let beta = json!({"tag_name": "v2.1.0-beta.1", "draft": false, "prerelease": true,
        "assets": [asset(&name), asset(&format!("{name}.sig"))]});
    std::fs::write(
        d.join("repos/acme/tray/releases/latest"),
        release.to_string(),
    )
    .expect("api");

    let http = Http::new(NetOptions {
        allow_insecure_loopback: true,
        ..NetOptions::default()
    });
    let source =
        GithubSource::new("acme", "tray", "tray-{{target}}-{{arch}}").api_url(&server.url());
    let offer = latest_offer(&http, &source, "stable")
        .expect("api answers")
        .expect("a release");
    assert_eq!(offer.version.to_string(), "2.0.0");
    assert_eq!(offer.notes.as_deref(), Some("Release notes"));
    assert_eq!(offer.artifact.size, Some(v2.len() as u64));
    assert_eq!(offer.artifact.patches.len(), 1);
    assert_eq!(offer.artifact.patches[0].from, "1.0.0");

    // The same pipeline as a feed: download, verify; patch, verify result.
    let part = d.join("got");
    http.download(
        &offer.artifact.url,
        &part,
        offer.artifact.size,
        &mut |_, _| {},
    )
    .expect("download");
    let got = std::fs::read(&part).expect("got");
    let comment = pk
        .verify("artifact", &got, &offer.artifact.signature)
        .expect("verifies");
    // The tag is the version: the signature must say the same.
    binding
        .check("artifact", &comment, false)
        .expect("bound to the tag's version");
    let p = &offer.artifact.patches[0];
    std::fs::remove_file(&part).expect("rm");
    http.download(&p.url, &part, p.size, &mut |_, _| {})
        .expect("patch");
    let patch_bytes = std::fs::read(&part).expect("patch");
    pk.verify("patch", &patch_bytes, &p.signature)
        .expect("patch verifies");
    let rebuilt =
        traykit_updater::delta::apply_patch("1.0.0", &v1, &patch_bytes, 1 << 20).expect("apply");
    pk.verify("rebuilt", &rebuilt, &offer.artifact.signature)
        .expect("rebuilt verifies");

    // The beta channel reads the release list (`/releases`), prereleases
    // included; the static server needs a file where the directory was.
    std::fs::remove_dir_all(d.join("repos/acme/tray/releases")).expect("rm");
    std::fs::write(
        d.join("repos/acme/tray/releases"),
        json!([beta, release]).to_string(),
    )
    .expect("list");
    let beta_offer = latest_offer(&http, &source, "beta")
        .expect("api")
        .expect("release");
    assert_eq!(beta_offer.version.to_string(), "2.1.0-beta.1");

    // No such repository: nothing to offer. An asset missing its .sig: refused.
    let none = GithubSource::new("acme", "nothing", "x").api_url(&server.url());
    assert_eq!(
        latest_offer(&http, &none, "stable").expect("404 = none"),
        None
    );
    std::fs::remove_file(d.join(format!("dl/{name}.sig"))).expect("rm");
    let unsigned = json!([{"tag_name": "v3.0.0", "assets": [asset(&name)]}]);
    std::fs::write(d.join("repos/acme/tray/releases"), unsigned.to_string()).expect("list");
    let err = latest_offer(&http, &source, "beta").expect_err("no signature asset");
    assert!(matches!(err, UpdateError::BadSignature { .. }), "{err}");
}

/// The beta channel reads the release list; GitHub's default page of 30
/// releases with long notes passes the 1 MiB feed limit. Fewer are asked
/// for, the listing alone gets a larger (bounded) limit, and beyond it the
/// answer is refused as too large.
#[test]
fn a_long_release_listing_is_read_within_its_own_bound() {
    let dir = Dir(std::env::temp_dir().join(format!("tk-gh-list-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    let d = &dir.0;
    std::fs::create_dir_all(d.join("repos/acme/tray")).expect("dirs");
    let server = server::FeedServer::start(d.clone());
    let (sk, _) = keys();
    let name = format!(
        "tray-{}-{}",
        traykit_updater::feed::current_os(),
        std::env::consts::ARCH
    );
    std::fs::write(d.join(&name), b"v3").expect("asset");
    release::sign_file(&sk, &d.join(&name), None).expect("sign");
    let asset =
        |n: &str| json!({"name": n, "browser_download_url": format!("{}/{n}", server.url())});
    let listing = |releases: usize, notes: usize| {
        let all: Vec<_> = (0..releases)
            .map(|i| {
                json!({"tag_name": format!("v3.0.{}", releases - i), "prerelease": true,
                       "body": "n".repeat(notes),
                       "assets": [asset(&name), asset(&format!("{name}.sig"))]})
            })
            .collect();
        serde_json::to_vec(&all).expect("json")
    };
    let http = Http::new(NetOptions {
        allow_insecure_loopback: true,
        ..NetOptions::default()
    });
    let source =
        GithubSource::new("acme", "tray", "tray-{{target}}-{{arch}}").api_url(&server.url());
    // 30 releases with 60 KB notes: 1.8 MB (the fake server ignores paging).
    let big = listing(30, 60_000);
    assert!(big.len() > 1024 * 1024, "{}", big.len());
    std::fs::write(d.join("repos/acme/tray/releases"), &big).expect("list");
    let offer = latest_offer(&http, &source, "beta")
        .expect("a listing over 1 MiB is read")
        .expect("a release");
    assert_eq!(offer.version.to_string(), "3.0.30");
    let asked = server
        .log()
        .into_iter()
        .find(|r| r.path == "/repos/acme/tray/releases")
        .expect("listing requested");
    assert_eq!(asked.query, "per_page=10");
    // Over the listing's own bound (4 × the feed limit): refused, clearly.
    std::fs::write(d.join("repos/acme/tray/releases"), listing(80, 60_000)).expect("list");
    let err = latest_offer(&http, &source, "beta").expect_err("too large");
    assert!(
        matches!(err, UpdateError::TooLarge { limit, .. } if limit == 4 * 1024 * 1024),
        "{err}"
    );
}
