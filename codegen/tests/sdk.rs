//! The SDK emitters follow the model: names the languages cannot express are
//! refused with a message naming the field, and the namespace chain, keywords
//! and enums come out as each language needs them. (The generated SDKs are
//! compiled and run against the reference server by the `sdk-tests` crate.)

use codegen::Error;
use contact_schema::{Contact, Resource};
use resource_model::{ApiModel, FieldType, ModelError, ResourceModel, ValidApi};

/// An API of the one `model`, named `contacts` (its packages `contacts-sdk`, `contacts_sdk`).
fn api(model: ResourceModel) -> Result<ValidApi, Vec<ModelError>> {
    ValidApi::new(ApiModel::new("contacts", "Contacts", "Contacts.").with_model(model))
}

fn cmds() -> codegen::Commands {
    codegen::Commands::build_script()
}

fn file(model: &ResourceModel, path: &str) -> String {
    codegen::artifacts(&api(model.clone()).unwrap(), &cmds())
        .unwrap()
        .into_iter()
        .find(|a| a.path.to_str() == Some(path))
        .unwrap_or_else(|| panic!("no artifact {path}"))
        .contents
}

fn renamed(from: &str, to: &str) -> ResourceModel {
    let mut m = Contact::model();
    m.fields.iter_mut().find(|f| f.name == from).unwrap().name = to.to_owned();
    m
}

fn sdk_error(model: ResourceModel) -> String {
    match codegen::artifacts(&api(model).unwrap(), &cmds()) {
        Err(e @ Error::Sdk { .. }) => e.to_string(),
        other => panic!("expected an SDK error, got {other:?}"),
    }
}

#[test]
fn a_python_keyword_field_is_refused_naming_it() {
    let message = sdk_error(renamed("job_title", "class"));
    assert!(message.contains("Python"), "{message}");
    assert!(message.contains("`class`"), "{message}");
}

#[test]
fn a_rust_keyword_field_becomes_a_raw_identifier() {
    let m = renamed("job_title", "type");
    let models = file(&m, "sdk/rust/src/models.rs");
    assert!(models.contains("pub r#type: Option<String>,"), "{models}");
    let ts = file(&m, "sdk/typescript/src/index.ts");
    assert!(ts.contains("  type?: string | null;"));
}

#[test]
fn a_namespace_that_is_not_snake_case_is_refused() {
    let mut m = Contact::model();
    m.sdk_namespace = "Customer.contacts".into();
    // Validation refuses it before any emitter runs.
    let errors = api(m).unwrap_err();
    let message = errors[0].to_string();
    assert!(message.contains("Customer.contacts"), "{message}");
}

#[test]
fn an_enum_value_that_cannot_name_a_constant_is_refused() {
    let mut m = Contact::model();
    let field = m
        .fields
        .iter_mut()
        .find(|f| f.name == "source_type")
        .unwrap();
    field.ty = FieldType::Enum {
        values: vec!["api".into(), "3rd-party".into()],
    };
    let message = sdk_error(m);
    assert!(message.contains("\"3rd-party\""), "{message}");
    assert!(message.contains("source_type"), "{message}");
}

#[test]
fn a_one_level_namespace_hangs_the_collection_on_the_client() {
    let mut m = Contact::model();
    m.sdk_namespace = "contacts".into();
    let ts = file(&m, "sdk/typescript/src/index.ts");
    assert!(ts.contains("readonly contacts: Contacts;"));
    assert!(!ts.contains("Namespace"));
    let py = file(&m, "sdk/python/contacts_sdk/client.py");
    assert!(py.contains("transport = _Transport(base_url, token, timeout)"));
    assert!(py.contains("self.contacts = Contacts(transport)"));
    let rs = file(&m, "sdk/rust/src/client.rs");
    assert!(rs.contains("pub contacts: Contacts,"));
}

#[test]
fn a_deeper_namespace_chains_one_class_per_level() {
    let mut m = Contact::model();
    m.sdk_namespace = "crm.customer.contacts".into();
    let ts = file(&m, "sdk/typescript/src/index.ts");
    assert!(ts.contains("readonly crm: CrmNamespace;"));
    // Named by its whole path, so same-named levels under different parents stay apart.
    assert!(ts.contains("readonly customer: CrmCustomerNamespace;"));
    assert!(ts.contains("readonly contacts: Contacts;"));
}

#[test]
fn server_fields_are_not_in_the_request_bodies() {
    let m = Contact::model();
    let rs = file(&m, "sdk/rust/src/models.rs");
    let create = rs
        .split("pub struct ContactCreate {")
        .nth(1)
        .unwrap()
        .split("\n}")
        .next()
        .unwrap();
    for server in m.server_fields() {
        assert!(
            !create.contains(&format!("pub {}:", server.name)),
            "{} in ContactCreate",
            server.name
        );
    }
    for client in m.client_fields() {
        assert!(create.contains(&format!("pub {}: Option<", client.name)));
    }
}
