//! `/portal/materials`: the marketing materials library dealers download
//! from — the workshop's logo, in-store cards, and a picture of every
//! product on sale. The files are the site's own (under `public/`); the
//! page lists them with their sizes as they are on disk.

use super::{SiteFooter, SiteHeader};
use crate::error::KilnError;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// The brand and in-store files: (title, what it is for, kind, path).
#[cfg(feature = "ssr")]
const LIBRARY: &[(&str, &str, &str, &str)] = &[
    (
        "Fenwick Clayworks logo",
        "For your website, newsletter or shop window (SVG, scales to any size).",
        "Brand",
        "/materials/fenwick-logo.svg",
    ),
    (
        "Shelf talker: thrown by hand in York",
        "A card to stand beside our pieces on your shelf (print at A6 or larger).",
        "In store",
        "/materials/shelf-talker.svg",
    ),
    (
        "Care card",
        "Care instructions to hand over with every piece sold.",
        "In store",
        "/materials/care-card.svg",
    ),
];

/// One file of the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    /// What it is.
    pub title: String,
    /// What it is for.
    pub description: String,
    /// `Brand`, `In store` or `Product picture`.
    pub kind: String,
    /// Its path on this site, e.g. `/materials/care-card.svg`.
    pub path: String,
    /// Its size in bytes, or `None` when the file is missing from the site.
    pub bytes: Option<u64>,
}

impl Material {
    /// The size as people read it, e.g. "1.2 KB".
    pub fn size(&self) -> String {
        match self.bytes {
            None => "missing".to_owned(),
            Some(bytes) if bytes < 1024 => format!("{bytes} bytes"),
            Some(bytes) => format!("{:.1} KB", bytes as f64 / 1024.0),
        }
    }
}

/// The library: the brand and in-store files, then a picture of every
/// product on sale. Dealers only. `POST /api/portal/materials`.
#[server(prefix = "/api", endpoint = "portal/materials")]
pub async fn marketing_materials() -> Result<Vec<Material>, KilnError> {
    use crate::functions::category::{service as catalog, view::StorefrontQuery};

    let state = crate::state::AppState::from_context()?;
    super::dealer_principal().await?;
    let products = catalog::storefront_products(state.store(), StorefrontQuery::default())
        .await
        .map_err(|error| super::internal("reading the catalog for the materials", &error))?;
    let root = std::path::PathBuf::from(state.leptos_options().site_root.as_ref());
    let mut materials: Vec<Material> = LIBRARY
        .iter()
        .map(|(title, description, kind, path)| Material {
            title: (*title).to_owned(),
            description: (*description).to_owned(),
            kind: (*kind).to_owned(),
            path: (*path).to_owned(),
            bytes: None,
        })
        .chain(products.into_iter().map(|product| Material {
            title: product.title(),
            description: format!("Product picture of {} (SVG).", product.sku),
            kind: "Product picture".to_owned(),
            path: product.image,
            bytes: None,
        }))
        .collect();
    for material in &mut materials {
        // Paths come from this file and the catalog (which only accepts
        // paths on this site); a missing file shows as missing.
        let relative = material.path.trim_start_matches('/');
        if !relative.split('/').any(|part| part == "..") {
            material.bytes = tokio::fs::metadata(root.join(relative))
                .await
                .ok()
                .filter(|metadata| metadata.is_file())
                .map(|metadata| metadata.len());
        }
    }
    Ok(materials)
}

/// The materials library page.
#[component]
pub fn MaterialsPage() -> impl IntoView {
    let materials = Resource::new(|| (), |()| marketing_materials());
    view! {
        <Title text="Marketing materials" />
        <SiteHeader />
        <main class="mx-auto max-w-5xl px-6 py-16">
            <p class="text-sm font-semibold uppercase tracking-widest text-amber-800">"Trade portal"</p>
            <h1 class="mt-3 font-serif text-4xl text-stone-900">"Marketing materials"</h1>
            <p class="mt-3 max-w-2xl text-stone-600">
                "Our logo, cards for your shelves and a picture of every piece we sell, free to use wherever you sell our work."
            </p>
            <Suspense fallback=|| view! { <p class="mt-6 text-stone-600">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match materials.await {
                        Ok(materials) => view! { <Library materials /> }.into_any(),
                        Err(error) => view! { <p role="alert" class="mt-6 text-red-800">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
        <SiteFooter />
    }
}

#[component]
fn Library(materials: Vec<Material>) -> impl IntoView {
    view! {
        <ul class="mt-10 grid gap-6 sm:grid-cols-2 lg:grid-cols-3" data-testid="materials">
            {materials
                .into_iter()
                .map(|material| {
                    let size = material.size();
                    let available = material.bytes.is_some();
                    let (href, preview, marker) = (material.path.clone(), material.path.clone(), material.path.clone());
                    let file_name = material.path.rsplit('/').next().unwrap_or_default().to_owned();
                    view! {
                        <li class="flex flex-col rounded-2xl border border-stone-200 bg-white p-4" data-material=marker>
                            <div class="flex aspect-[4/3] items-center justify-center overflow-hidden rounded-xl bg-stone-100">
                                <img src=preview alt="" loading="lazy" class="max-h-full max-w-full object-contain" />
                            </div>
                            <p class="mt-3 text-xs font-semibold uppercase tracking-widest text-amber-800">{material.kind}</p>
                            <h2 class="mt-1 font-medium text-stone-900">{material.title}</h2>
                            <p class="mt-1 flex-1 text-sm text-stone-600">{material.description}</p>
                            {if available {
                                view! {
                                    <a href=href download=file_name class="mt-4 self-start rounded-full bg-stone-900 px-4 py-2 text-sm font-medium text-stone-50 hover:bg-stone-700">
                                        {format!("Download ({size})")}
                                    </a>
                                }
                                    .into_any()
                            } else {
                                view! { <p class="mt-4 text-sm text-red-800">"This file is missing from the site."</p> }.into_any()
                            }}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
