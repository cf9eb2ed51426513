//! Every artifact is snapshotted, so each change to one shows in review.

use contact_schema::{Contact, Resource};

#[test]
fn every_artifact_is_snapshotted() {
    let artifacts = codegen::artifacts(&[Contact::model()]).unwrap();
    assert_eq!(artifacts.len(), 11);
    for a in artifacts {
        let name = a.path.display().to_string().replace('/', "__");
        insta::assert_snapshot!(name, a.contents);
    }
}
