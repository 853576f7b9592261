//! Copying sensitive values to the system clipboard from the Rust side.
//!
//! The value is marked for clipboard managers as not to be kept in history (where the platform
//! has such a mark), and wiped after a delay if the clipboard still holds it; anything the user
//! copied since is left alone. On X11 the content lives in the process that set it, so one
//! `arboard::Clipboard` is kept for the app's lifetime, and our value is wiped before exit so
//! that no clipboard manager inherits it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sesame_core::secret::{ExposeSecret, SecretString, secret_from};
use sha2::{Digest, Sha256};

#[derive(Default)]
struct Inner {
    clipboard: Option<arboard::Clipboard>,
    /// The digest of the value we put there, never the value itself.
    ours: Option<[u8; 32]>,
    /// Bumped by every copy, so an older timer never wipes a newer copy early.
    generation: u64,
}

#[derive(Clone, Default)]
pub struct SensitiveClipboard {
    inner: Arc<Mutex<Inner>>,
}

impl std::fmt::Debug for SensitiveClipboard {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("SensitiveClipboard")
    }
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

fn set_text(clipboard: &mut arboard::Clipboard, value: &str) -> Result<(), arboard::Error> {
    #[cfg(target_os = "linux")]
    {
        use arboard::SetExtLinux;
        clipboard.set().exclude_from_history().text(value)
    }
    #[cfg(not(target_os = "linux"))]
    {
        clipboard.set().exclude_from_history().text(value)
    }
}

impl SensitiveClipboard {
    /// Puts `value` on the clipboard and wipes it after `clear_after` if it is still there.
    pub fn copy(&self, value: &SecretString, clear_after: Duration) -> Result<(), String> {
        let generation = {
            let mut inner = self
                .inner
                .lock()
                .map_err(|_| "clipboard lock poisoned".to_owned())?;
            if inner.clipboard.is_none() {
                inner.clipboard = Some(arboard::Clipboard::new().map_err(|e| e.to_string())?);
            }
            let Some(clipboard) = inner.clipboard.as_mut() else {
                return Err("no clipboard".into());
            };
            set_text(clipboard, value.expose_secret()).map_err(|e| e.to_string())?;
            inner.ours = Some(digest(value.expose_secret()));
            inner.generation += 1;
            inner.generation
        };
        let inner = Arc::clone(&self.inner);
        std::thread::spawn(move || {
            std::thread::sleep(clear_after);
            if let Ok(mut inner) = inner.lock()
                && inner.generation == generation
            {
                wipe_if_ours(&mut inner);
            }
        });
        Ok(())
    }

    /// Wipes our value now if the clipboard still holds it (at exit and on lock).
    pub fn wipe_now(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            wipe_if_ours(&mut inner);
        }
    }
}

fn wipe_if_ours(inner: &mut Inner) {
    let Some(ours) = inner.ours.take() else {
        return;
    };
    let Some(clipboard) = inner.clipboard.as_mut() else {
        return;
    };
    let current = clipboard.get_text().map(secret_from);
    if let Ok(current) = current
        && digest(current.expose_secret()) == ours
    {
        let _ = clipboard.clear();
    }
}
