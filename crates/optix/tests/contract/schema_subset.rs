//! `proto/optix/schema.graphql` (what the queries are compiled against) must be a true subset
//! of the public Optix schema (`proto/optix/vendor/`, verbatim): same types, fields, arguments
//! and field types. Then a query that compiles here is valid against Optix.

use graphql_parser::schema::{
    Definition, Document, EnumType, ObjectType, TypeDefinition, parse_schema,
};
use std::collections::HashMap;
use std::path::PathBuf;

fn read(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../proto/optix")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The schema's type definitions that `pick` keeps (those of one kind), by name.
fn definitions<'a, T>(
    doc: &'a Document<'a, String>,
    pick: impl Fn(&'a TypeDefinition<'a, String>) -> Option<(&'a String, &'a T)>,
) -> HashMap<String, &'a T> {
    doc.definitions
        .iter()
        .filter_map(|d| match d {
            Definition::TypeDefinition(t) => pick(t),
            _ => None,
        })
        .map(|(name, t)| (name.clone(), t))
        .collect()
}

fn objects<'a>(doc: &'a Document<'a, String>) -> HashMap<String, &'a ObjectType<'a, String>> {
    definitions(doc, |t| match t {
        TypeDefinition::Object(o) => Some((&o.name, o)),
        _ => None,
    })
}

fn enums<'a>(doc: &'a Document<'a, String>) -> HashMap<String, &'a EnumType<'a, String>> {
    definitions(doc, |t| match t {
        TypeDefinition::Enum(e) => Some((&e.name, e)),
        _ => None,
    })
}

#[test]
fn the_schema_subset_is_a_true_subset_of_the_optix_schema() {
    let subset_text = read("schema.graphql");
    let full_text = read("vendor/optix-schema.full.graphql");
    let subset = parse_schema::<String>(&subset_text).expect("subset parses");
    let full = parse_schema::<String>(&full_text).expect("full schema parses");
    let full_objects = objects(&full);
    let mut checked = 0;
    for (name, object) in objects(&subset) {
        let real = full_objects
            .get(&name)
            .unwrap_or_else(|| panic!("type {name} is not in the Optix schema"));
        for field in &object.fields {
            let real_field = real
                .fields
                .iter()
                .find(|f| f.name == field.name)
                .unwrap_or_else(|| panic!("{name}.{} is not in the Optix schema", field.name));
            assert_eq!(
                field.field_type.to_string(),
                real_field.field_type.to_string(),
                "{name}.{} has another type in Optix",
                field.name
            );
            for arg in &field.arguments {
                let real_arg = real_field
                    .arguments
                    .iter()
                    .find(|a| a.name == arg.name)
                    .unwrap_or_else(|| {
                        panic!(
                            "{name}.{}({}) is not an Optix argument",
                            field.name, arg.name
                        )
                    });
                assert_eq!(
                    arg.value_type.to_string(),
                    real_arg.value_type.to_string(),
                    "{name}.{}({})",
                    field.name,
                    arg.name
                );
            }
            checked += 1;
        }
    }
    let full_enums = enums(&full);
    for (name, e) in enums(&subset) {
        let real = full_enums
            .get(&name)
            .unwrap_or_else(|| panic!("enum {name} is not in the Optix schema"));
        for value in &e.values {
            assert!(
                real.values.iter().any(|v| v.name == value.name),
                "{name}.{} is not an Optix value",
                value.name
            );
        }
    }
    assert!(checked > 40, "checked {checked} fields");
}
