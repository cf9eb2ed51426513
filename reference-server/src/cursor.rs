//! Opaque, tamper-proof list cursors: the position after the last item of a
//! page, signed with HMAC-SHA256 under a key held by the server.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Signs and checks cursors.
#[derive(Clone)]
pub struct CursorKey(Vec<u8>);

/// A position in the list order: after (`created_at`, `id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The canonical created-at text of the last item.
    pub created_at: String,
    /// The id of the last item.
    pub id: String,
}

impl CursorKey {
    /// A key; random per process unless given (cursors then outlive restarts).
    pub fn new(key: Option<&[u8]>) -> Self {
        CursorKey(key.map_or_else(|| rand::random::<[u8; 32]>().to_vec(), <[u8]>::to_vec))
    }

    fn mac(&self, payload: &[u8]) -> Vec<u8> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(payload);
        mac.finalize().into_bytes().to_vec()
    }

    /// The cursor naming `pos`.
    pub fn encode(&self, pos: &Position) -> String {
        let payload = format!("{}\n{}", pos.created_at, pos.id);
        let sig = self.mac(payload.as_bytes());
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(sig)
        )
    }

    /// The position a cursor names, or `None` when it is malformed or was not signed by this key.
    pub fn decode(&self, cursor: &str) -> Option<Position> {
        let (payload, sig) = cursor.split_once('.')?;
        let payload = URL_SAFE_NO_PAD.decode(payload).ok()?;
        let sig = URL_SAFE_NO_PAD.decode(sig).ok()?;
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).ok()?;
        mac.update(&payload);
        mac.verify_slice(&sig).ok()?;
        let text = String::from_utf8(payload).ok()?;
        let (created_at, id) = text.split_once('\n')?;
        Some(Position {
            created_at: created_at.to_owned(),
            id: id.to_owned(),
        })
    }
}
