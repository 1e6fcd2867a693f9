use crate::store::catalog::*;
use kiln_core::function::BusinessFunction;

#[test]
fn the_catalog_lists_product_introduced_with_its_documented_fields_and_table() {
    let catalog = event_catalog(&crate::functions::registry().expect("the registry"));
    let entry = catalog
        .event_types
        .iter()
        .find(|entry| entry.name == "ProductIntroduced")
        .expect("ProductIntroduced is catalogued");
    assert_eq!(entry.function, BusinessFunction::Category);
    assert_eq!(entry.schema_version, 1);
    // The tables of the projector that handles it (the catalog
    // projector also keeps the price history and market notes).
    assert_eq!(
        entry.tables,
        vec![
            "catalog_products",
            "base_price_changes",
            "market_price_notes"
        ]
    );
    assert!(
        entry
            .description
            .as_deref()
            .is_some_and(|text| text.contains("joined the catalog")),
        "{entry:?}"
    );
    let schema = entry.payload_schema.to_string();
    for field in ["sku", "name", "collection", "base_price", "image"] {
        assert!(schema.contains(field), "payload schema lacks {field}");
    }
}

#[test]
fn the_payload_fields_are_named_and_the_optional_ones_marked() {
    let catalog = event_catalog(&crate::functions::registry().expect("the registry"));
    let noted = catalog
        .event_types
        .iter()
        .find(|entry| entry.name == "MarketPriceNoted")
        .expect("MarketPriceNoted is catalogued");
    let mut fields = noted.payload_fields();
    fields.sort();
    assert_eq!(fields, ["note", "sku", "source", "their_price?"]);
}
