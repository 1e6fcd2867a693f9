//! `kiln-bundle`: builds the browser half of Kiln as it ships, into the
//! site folder the server serves (`target/site`): the WebAssembly split into
//! the main module and the lazy pages' files, its JavaScript glue, the CSS
//! and the static assets.
//!
//! It does for `make run` and `make test` what `cargo leptos build --release
//! --split --frontend-only` did, step for step and with the same libraries
//! (wasm-bindgen's, and the wasm-split cargo-leptos 0.3.11 uses), so the
//! WebAssembly it writes is the same byte for byte. Installing cargo-leptos
//! took about 6 minutes of a fresh machine's first `make run` on 2 cores (17
//! minutes beside the server's build); this crate builds in 41 s (about
//! 100 s beside the server's build)
//! (docs/decisions/0010-browser-bundle-without-cargo-leptos.md). cargo-leptos
//! stays the tool for `cargo leptos watch` while developing; both read the
//! settings in the workspace's `[[workspace.metadata.leptos]]`.
//!
//! Run from the workspace root: `cargo run -p kiln-bundle -- [cargo args]`,
//! where the cargo arguments are added to the WebAssembly build (the Makefile
//! passes `-Zbuild-std=std,panic_abort` on the Debian toolchain). It needs
//! `wasm-opt`, `tailwindcss`, `lightningcss` and `esbuild` on PATH, which
//! the Makefile installs from npm.

use anyhow::{Context, Result, anyhow, bail};
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Instant;

/// The browser build's settings: the workspace's `[[workspace.metadata.leptos]]`
/// table, the one cargo-leptos reads too. A key this build does not know is
/// refused rather than skipped: cargo-leptos would honour it while developing,
/// and the shipped bundle would quietly differ.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Settings {
    /// The bundle's name: `<name>.wasm`, `<name>.js`, `<name>.css`.
    name: String,
    /// The crate compiled to WebAssembly.
    lib_package: String,
    /// Where the server serves the site from, relative to the workspace.
    site_root: PathBuf,
    /// The bundle's folder inside the site.
    site_pkg_dir: PathBuf,
    /// Tailwind's input stylesheet.
    tailwind_input_file: PathBuf,
    /// The browsers the stylesheet is lowered for, a browserslist query.
    browserquery: String,
    /// The static files copied into the site as they are.
    assets_dir: PathBuf,
    /// The cargo profile of the WebAssembly build.
    lib_profile_release: String,
    /// Features of `lib_package` to turn on.
    #[serde(default)]
    lib_features: Vec<String>,
    /// Whether `lib_package`'s default features stay on.
    #[serde(default = "default_features_on")]
    lib_default_features: bool,
    // The server's half and the development server's address: not this
    // build's business (the server is built by plain cargo).
    #[serde(default, rename = "bin-package")]
    _bin_package: IgnoredAny,
    #[serde(default, rename = "bin-features")]
    _bin_features: IgnoredAny,
    #[serde(default, rename = "bin-default-features")]
    _bin_default_features: IgnoredAny,
    #[serde(default, rename = "site-addr")]
    _site_addr: IgnoredAny,
    #[serde(default, rename = "reload-port")]
    _reload_port: IgnoredAny,
}

fn default_features_on() -> bool {
    true
}

#[derive(Deserialize)]
struct Manifest {
    workspace: Workspace,
}

#[derive(Deserialize)]
struct Workspace {
    metadata: Metadata,
}

#[derive(Deserialize)]
struct Metadata {
    leptos: Vec<Settings>,
}

/// The JavaScript module the lazy pages' files import their shared helpers
/// from. Leptos' loader and wasm-split agree on this name (it is what
/// cargo-leptos 0.3.11 passes).
const SPLIT_LINK_NAME: &str = "./__wasm_split.______________________.js";

/// What wasm-opt does to every WebAssembly file: optimize for size, with the
/// features Rust's wasm32 target emits.
const WASM_OPT_ARGS: [&str; 3] = [
    "-Oz",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
];

fn main() -> Result<()> {
    let cargo_args: Vec<String> = std::env::args().skip(1).collect();
    let settings = read_settings(Path::new("Cargo.toml"))?;
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    // The site is written into a folder of its own and put in place of the
    // last one only when every step has succeeded: a failed build leaves
    // the last good site as it was (never an unoptimized bundle), and no
    // file of the last build lingers (a lazy file no manifest names, a
    // picture taken out of the assets).
    let staging = settings.site_root.with_extension("building");
    remove_dir_if_present(&staging)?;
    let pkg_dir = staging.join(&settings.site_pkg_dir);
    std::fs::create_dir_all(&pkg_dir).with_context(|| format!("creating {}", pkg_dir.display()))?;

    let wasm = step("WebAssembly build", || {
        build_wasm(&settings, &target_dir.join("front"), &cargo_args)
    })?;
    let (main_module, lazy_files) = step(
        "split into the main module and the lazy pages' files",
        || split(&wasm, &pkg_dir, &settings.name),
    )?;
    let main_wasm = step("JavaScript glue (wasm-bindgen)", || {
        bindgen(&main_module, &pkg_dir, &settings.name)
    })?;
    step("JavaScript glue minified (esbuild)", || {
        minify_js(&pkg_dir.join(format!("{}.js", settings.name)))
    })?;
    let mut to_optimize = vec![main_wasm];
    to_optimize.extend(lazy_files);
    step("wasm-opt on every WebAssembly file", || {
        optimize_all(&to_optimize)
    })?;
    step("CSS (Tailwind, then Lightning CSS)", || {
        stylesheet(
            &settings,
            &target_dir.join("tmp"),
            &pkg_dir.join(format!("{}.css", settings.name)),
        )
    })?;
    step("static assets", || {
        copy_assets(&settings.assets_dir, &staging, &settings.site_pkg_dir)
    })?;
    remove_dir_if_present(&settings.site_root)?;
    std::fs::rename(&staging, &settings.site_root).with_context(|| {
        format!(
            "moving {} to {}",
            staging.display(),
            settings.site_root.display()
        )
    })?;
    Ok(())
}

/// Removes the folder `dir` and everything in it, if it is there.
fn remove_dir_if_present(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    Ok(())
}

/// Runs `work`, printing what it was and how long it took.
fn step<T>(what: &str, work: impl FnOnce() -> Result<T>) -> Result<T> {
    let started = Instant::now();
    let answer = work().with_context(|| what.to_owned())?;
    println!(
        "    bundle: {what}: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(answer)
}

fn read_settings(manifest: &Path) -> Result<Settings> {
    let text = std::fs::read_to_string(manifest).with_context(|| {
        format!(
            "reading {} (run from the workspace root)",
            manifest.display()
        )
    })?;
    let manifest: Manifest = toml::from_str(&text).with_context(|| {
        format!(
            "reading [[workspace.metadata.leptos]] in {}",
            manifest.display()
        )
    })?;
    manifest
        .workspace
        .metadata
        .leptos
        .into_iter()
        .next()
        .ok_or_else(|| anyhow!("[[workspace.metadata.leptos]] is empty"))
}

/// Compiles `lib_package` to WebAssembly; answers the module's path.
fn build_wasm(settings: &Settings, target_dir: &Path, cargo_args: &[String]) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .arg("build")
        .arg(format!("--package={}", settings.lib_package))
        .arg("--lib")
        .arg(format!("--target-dir={}", target_dir.display()))
        .arg("--target=wasm32-unknown-unknown");
    if !settings.lib_default_features {
        command.arg("--no-default-features");
    }
    if !settings.lib_features.is_empty() {
        command.arg(format!("--features={}", settings.lib_features.join(",")));
    }
    command
        .args(cargo_args)
        .arg(format!("--profile={}", settings.lib_profile_release));
    // wasm-split finds the calls between the main module and the lazy pages
    // through the linker's relocations, which are only kept when asked
    // for. RUSTFLAGS replaces the target's own flags rather than adding to
    // them, so those (set by the Makefile as an environment variable) are
    // passed on first: the string cargo-leptos makes from them, so the two
    // builds share their compiled crates. Flags from elsewhere would be
    // lost or would win, so they are refused.
    for overriding in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS"] {
        if std::env::var_os(overriding).is_some() {
            bail!(
                "{overriding} is set; the bundle's flags come from \
                 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS only"
            );
        }
    }
    let target_flags = match std::env::var("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS") {
        Ok(flags) => flags,
        Err(std::env::VarError::NotPresent) => String::new(),
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS is not UTF-8")
        }
    };
    command.env(
        "RUSTFLAGS",
        format!("{target_flags} -Clink-args=--emit-relocs").trim_start(),
    );
    run(&mut command)?;
    let crate_name = settings.lib_package.replace('-', "_");
    Ok(target_dir
        .join("wasm32-unknown-unknown")
        .join(&settings.lib_profile_release)
        .join(format!("{crate_name}.wasm")))
}

/// Splits `wasm` into its main module (written beside it, for wasm-bindgen
/// to read) and the lazy pages' files (written into `pkg_dir` with the
/// manifest Leptos' loader reads); answers both.
fn split(wasm: &Path, pkg_dir: &Path, name: &str) -> Result<(PathBuf, Vec<PathBuf>)> {
    let input = std::fs::read(wasm).with_context(|| format!("reading {}", wasm.display()))?;
    let stem = wasm
        .file_stem()
        .and_then(|stem| stem.to_str())
        .ok_or_else(|| anyhow!("{} has no file name", wasm.display()))?;
    let main_module = wasm.with_file_name(format!("{stem}_split.wasm"));
    let main_js = format!("./{name}.js");
    let split = wasm_split_cli_support::transform({
        let mut options = wasm_split_cli_support::Options::new(&input);
        options.output_dir = pkg_dir;
        options.main_out_path = &main_module;
        options.main_module = &main_js;
        options.link_name = SPLIT_LINK_NAME;
        options
    })
    .map_err(|error| anyhow!("{error:?}"))?;
    let manifest = serde_json::to_string_pretty(&split.prefetch_map)?;
    std::fs::write(pkg_dir.join("__wasm_split_manifest.json"), manifest)?;
    Ok((main_module, split.split_modules))
}

/// Writes the JavaScript glue and the main module into `pkg_dir`, with the
/// options `wasm-bindgen --target=web --keep-lld-exports --no-demangle`
/// gives (the lazy files call the main module's exports by their linker
/// names); answers the main module's path, `<name>.wasm`, the name Leptos'
/// hydration script loads.
fn bindgen(main_module: &Path, pkg_dir: &Path, name: &str) -> Result<PathBuf> {
    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen
        .web(true)?
        .input_path(main_module)
        .out_name(name)
        .keep_lld_exports(true)
        .demangle(false)
        // The rest as the command line leaves them, which differ from the
        // library's own defaults in places.
        .typescript(true)
        .omit_default_module_path(false);
    // The command line also turns externref off whatever
    // WASM_BINDGEN_EXTERNREF says; the library reads that variable.
    #[expect(deprecated, reason = "the command line still sets it explicitly")]
    bindgen.reference_types(false);
    bindgen.generate(pkg_dir)?;
    let generated = pkg_dir.join(format!("{name}_bg.wasm"));
    let main_wasm = pkg_dir.join(format!("{name}.wasm"));
    std::fs::rename(&generated, &main_wasm).with_context(|| {
        format!(
            "renaming {} to {}",
            generated.display(),
            main_wasm.display()
        )
    })?;
    Ok(main_wasm)
}

/// Runs wasm-opt on every file in place, as many at once as there are
/// cores. Most of the lazy files are under a kilobyte, so the time is
/// mostly wasm-opt starting (scripts/on-path/wasm-opt says why it is
/// started with node's quick compiler).
fn optimize_all(files: &[PathBuf]) -> Result<()> {
    let queue = Mutex::new(files.iter());
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    loop {
                        let next = queue
                            .lock()
                            .map_err(|_| anyhow!("another wasm-opt worker panicked"))?
                            .next();
                        let Some(file) = next else { return Ok(()) };
                        // Quiet unless it fails: binaryen warns about
                        // every lazy file's name section it does not know.
                        run_quietly(
                            Command::new("wasm-opt")
                                .args(WASM_OPT_ARGS)
                                .arg(file)
                                .arg("-o")
                                .arg(file),
                        )?;
                    }
                })
            })
            .collect();
        handles.into_iter().try_for_each(|handle| {
            handle
                .join()
                .map_err(|_| anyhow!("a wasm-opt worker panicked"))?
        })
    })
}

/// Minifies the JavaScript glue in place.
fn minify_js(js: &Path) -> Result<()> {
    run(Command::new("esbuild")
        .arg(js)
        .arg("--minify")
        .arg(format!("--outfile={}", js.display()))
        .arg("--allow-overwrite")
        // wasm-bindgen writes the split link module twice into one object
        // literal; JavaScript keeps the last, as esbuild says at length.
        .arg("--log-level=error"))
}

/// Builds the stylesheet: Tailwind writes it into `scratch`, then Lightning
/// CSS lowers it for the browsers of `browserquery` and minifies it into
/// `output` (vendor prefixes and fallbacks Tailwind's own output leaves to
/// such a pass).
fn stylesheet(settings: &Settings, scratch: &Path, output: &Path) -> Result<()> {
    std::fs::create_dir_all(scratch).with_context(|| format!("creating {}", scratch.display()))?;
    let tailwind = scratch.join("tailwind.css");
    run(Command::new("tailwindcss")
        .arg("--input")
        .arg(&settings.tailwind_input_file)
        .arg("--output")
        .arg(&tailwind)
        .arg("--minify"))?;
    run(Command::new("lightningcss")
        .arg("--minify")
        .arg("--targets")
        .arg(&settings.browserquery)
        .arg(&tailwind)
        .arg("-o")
        .arg(output))
}

/// Copies the static assets into the site, refusing a file or folder named
/// like the bundle's folder, which would overwrite the bundle.
fn copy_assets(assets: &Path, site: &Path, pkg_dir: &Path) -> Result<()> {
    if assets.join(pkg_dir).exists() {
        bail!(
            "{} has a {} of its own; that name is the bundle's folder",
            assets.display(),
            pkg_dir.display()
        );
    }
    copy_dir(assets, site)
}

/// Copies the files under `from` into `to`, folders and all.
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target).with_context(|| {
                format!("copying {} to {}", entry.path().display(), target.display())
            })?;
        }
    }
    Ok(())
}

/// Runs `command`, its output going where this program's goes; an error if
/// it cannot start or does not succeed.
fn run(command: &mut Command) -> Result<()> {
    let program = command.get_program().to_string_lossy().into_owned();
    let status = command
        .status()
        .with_context(|| format!("starting {program} (is it on PATH?)"))?;
    if !status.success() {
        bail!("{program} failed ({status})");
    }
    Ok(())
}

/// Runs `command` with its output kept, shown only if it fails.
fn run_quietly(command: &mut Command) -> Result<()> {
    let program = command.get_program().to_string_lossy().into_owned();
    let output = command
        .output()
        .with_context(|| format!("starting {program} (is it on PATH?)"))?;
    if !output.status.success() {
        bail!(
            "{program} failed ({}): {}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}
