//! Prints the Contact model as JSON.
use contact_schema::{Contact, Resource};
fn main() {
    println!(
        "{}",
        serde_json::to_string_pretty(&Contact::model()).unwrap()
    );
}
