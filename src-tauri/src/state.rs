//! What the app holds between commands: the open store, the signed-in operator (only ever on
//! the Rust side) and whether the app is locked, the one-time secret while its dialog is open,
//! the clipboard, and where the signing key lives.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard};

use sesame_core::pool::{Handle, Pool};
use std::time::{Duration, Instant, SystemTime};

use sesame_core::secret::SecretString;
use sesame_core::signing_key::{LoadedSigningKey, SigningKeyRequest};
use sesame_core::{InstallationKey, KeyringNamespace, Lang, Sesame, Session};
use zeroize::Zeroizing;

use crate::clipboard::SensitiveClipboard;
use crate::error::{UiError, UiResult};
use crate::views::SigningKeyView;

/// The parts of a freshly issued key, kept only while the one-time dialog is open, so its Copy
/// buttons can copy from here rather than from the page.
#[derive(Debug)]
pub struct OneTime {
    pub identifier: String,
    pub secret: SecretString,
    pub token: SecretString,
}

/// An access token issued by hand, kept only while its dialog is open, for its Copy button.
#[derive(Debug)]
pub struct HeldToken {
    pub identifier: String,
    pub token: SecretString,
}

/// The signed-in operator. A locked app keeps who it was (to ask for the same password) but
/// lets no command act until the password is given again.
#[derive(Debug)]
pub struct SignedIn {
    pub session: Session,
    pub locked: bool,
    pub last_activity: Moment,
}

/// A moment of the operator's activity, read on two clocks: the monotonic clock, which stops
/// while the computer sleeps, and the wall clock, which does not. The time since is the larger
/// of the two, so a laptop closed in the evening and opened the next morning has been idle all
/// night; a wall clock set back does not make it younger than the time awake.
#[derive(Debug, Clone, Copy)]
pub struct Moment {
    awake: Instant,
    wall: SystemTime,
}

impl Moment {
    pub fn now() -> Moment {
        Moment {
            awake: Instant::now(),
            wall: SystemTime::now(),
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.elapsed_at(Instant::now(), SystemTime::now())
    }

    fn elapsed_at(&self, awake: Instant, wall: SystemTime) -> Duration {
        let asleep_or_awake = wall.duration_since(self.wall).unwrap_or_default();
        awake
            .saturating_duration_since(self.awake)
            .max(asleep_or_awake)
    }
}

#[derive(Debug)]
pub struct AppState {
    /// A few handles on the store: an import hashing its secrets, a sign-in's argon2id or a
    /// slow keyring hold one, and the key list goes on with another.
    pub stores: Pool,
    pub signed_in: Mutex<Option<SignedIn>>,
    pub one_time: Mutex<Option<OneTime>>,
    pub access_token: Mutex<Option<HeldToken>>,
    /// The import file between its preview and the operator's confirmation (it may hold
    /// secrets: wiped when dropped).
    pub pending_import: Mutex<Option<Zeroizing<Vec<u8>>>>,
    /// Set by « Annuler » while an import hashes its secrets: it stops before writing.
    pub import_cancelled: AtomicBool,
    pub lang: Mutex<Lang>,
    /// Idle time after which the app locks (the store's setting, cached).
    pub lock_after: Mutex<Duration>,
    pub clipboard: SensitiveClipboard,
    /// Filled in by a background task at start: the keyring may take a moment to answer.
    pub signing_key: Mutex<Option<SigningKeyView>>,
    /// The installation's signing key once loaded: tokens by hand and signed exports reuse it
    /// instead of asking the keyring over D-Bus (with the store locked) each time.
    pub installation_key: Mutex<Option<Arc<InstallationKey>>>,
}

/// Locks a mutex; a poisoned one (a panic while held) becomes an error, not a second panic.
pub fn lock<'a, T>(mutex: &'a Mutex<T>, lang: Lang) -> UiResult<MutexGuard<'a, T>> {
    mutex
        .lock()
        .map_err(|_| UiError::internal("state lock poisoned", lang))
}

fn minutes(count: u32) -> Duration {
    Duration::from_secs(u64::from(count) * 60)
}

/// How many handles on the store the app keeps: one for long work (an import, an export), one
/// for a sign-in or a key's argon2id, one for the lists meanwhile.
pub const STORE_HANDLES: usize = 3;

impl AppState {
    pub fn new(stores: Pool) -> AppState {
        let settings = stores.get().ok().and_then(|sesame| sesame.settings().ok());
        AppState {
            stores,
            signed_in: Mutex::new(None),
            one_time: Mutex::new(None),
            access_token: Mutex::new(None),
            pending_import: Mutex::new(None),
            import_cancelled: AtomicBool::new(false),
            lang: Mutex::new(settings.map(|s| s.language).unwrap_or_default()),
            lock_after: Mutex::new(minutes(
                settings
                    .map(|s| s.lock_minutes)
                    .unwrap_or(sesame_core::settings::LOCK_MINUTES_DEFAULT),
            )),
            clipboard: SensitiveClipboard::default(),
            signing_key: Mutex::new(None),
            installation_key: Mutex::new(None),
        }
    }

    /// The installation's signing key, loaded once (kept for tokens by hand and signed exports).
    /// The store's lock is held only for the two instants the store is read and written, never
    /// while the OS keyring answers over D-Bus; a second caller waits for the first load rather
    /// than make a second key. The caller must not hold the store's lock.
    pub fn installation_key(&self) -> sesame_core::Result<Arc<InstallationKey>> {
        self.installation_key_loaded_by(&KeyringNamespace::for_this_build(), |request| {
            request.load()
        })
    }

    /// [`AppState::installation_key`], with the keyring's part given (tests look at the
    /// store's lock while it runs).
    fn installation_key_loaded_by(
        &self,
        namespace: &KeyringNamespace,
        load: impl FnOnce(SigningKeyRequest) -> sesame_core::Result<LoadedSigningKey>,
    ) -> sesame_core::Result<Arc<InstallationKey>> {
        let poisoned = || sesame_core::Error::Internal("lock poisoned".into());
        let mut slot = self.installation_key.lock().map_err(|_| poisoned())?;
        if let Some(key) = slot.as_ref() {
            return Ok(Arc::clone(key));
        }
        let request = self.stores.get()?.signing_key_request(namespace, None)?;
        let loaded = load(request)?;
        let key = Arc::new(self.stores.get()?.note_signing_key(loaded)?);
        *slot = Some(Arc::clone(&key));
        Ok(key)
    }

    pub fn lang(&self) -> Lang {
        self.lang.lock().map(|lang| *lang).unwrap_or_default()
    }

    pub fn set_lock_minutes(&self, count: u32) {
        if let Ok(mut lock_after) = self.lock_after.lock() {
            *lock_after = minutes(count);
        }
    }

    /// The signed-in operator, for a command the operator just asked for (which counts as
    /// activity); « sign in first » or « locked » otherwise.
    pub fn session(&self) -> UiResult<Session> {
        let lang = self.lang();
        let mut signed_in = lock(&self.signed_in, lang)?;
        let Some(current) = signed_in.as_mut() else {
            return Err(UiError::from_core(
                &sesame_core::Error::SignInRequired,
                lang,
            ));
        };
        if current.locked || current.last_activity.elapsed() >= self.lock_delay() {
            drop(signed_in);
            self.lock_now();
            return Err(UiError::locked(lang));
        }
        current.last_activity = Moment::now();
        Ok(current.session.clone())
    }

    /// The signed-in operator for work the app does by itself (a reminder): not activity, and
    /// nothing while the app is locked or idle past its delay.
    pub fn quiet_session(&self) -> Option<Session> {
        let signed_in = self.signed_in.lock().ok()?;
        let current = signed_in.as_ref()?;
        let idle = current.last_activity.elapsed() >= self.lock_delay();
        (!current.locked && !idle).then(|| current.session.clone())
    }

    /// [`AppState::with_store`] for what the window asks by itself (the badge on « Clés » after
    /// a reminder): not the operator's activity, and « locked » once the app is locked or idle.
    pub fn with_store_quietly<T>(
        &self,
        work: impl FnOnce(&mut Sesame, &Session) -> sesame_core::Result<T>,
    ) -> UiResult<T> {
        let session = self
            .quiet_session()
            .ok_or_else(|| UiError::locked(self.lang()))?;
        self.on_store(&session, work)
    }

    /// Runs `work` on the store for the signed-in operator and converts its error.
    pub fn with_store<T>(
        &self,
        work: impl FnOnce(&mut Sesame, &Session) -> sesame_core::Result<T>,
    ) -> UiResult<T> {
        let session = self.session()?;
        self.on_store(&session, work)
    }

    fn on_store<T>(
        &self,
        session: &Session,
        work: impl FnOnce(&mut Sesame, &Session) -> sesame_core::Result<T>,
    ) -> UiResult<T> {
        let lang = self.lang();
        let mut sesame = self.store()?;
        work(&mut sesame, session).map_err(|error| UiError::from_core(&error, lang))
    }

    /// A free handle on the store (waiting for one when all are taken).
    pub fn store(&self) -> UiResult<Handle<'_>> {
        self.stores
            .get()
            .map_err(|error| UiError::from_core(&error, self.lang()))
    }

    fn lock_delay(&self) -> Duration {
        self.lock_after
            .lock()
            .map(|delay| *delay)
            .unwrap_or(minutes(sesame_core::settings::LOCK_MINUTES_DEFAULT))
    }

    /// Input in the window: the operator is still there.
    pub fn note_activity(&self) {
        if let Ok(mut signed_in) = self.signed_in.lock()
            && let Some(current) = signed_in.as_mut()
            && !current.locked
        {
            current.last_activity = Moment::now();
        }
    }

    /// Locks if the operator has been idle for the lock delay; says whether it just did.
    pub fn lock_if_idle(&self) -> bool {
        let idle = match self.signed_in.lock() {
            Ok(signed_in) => signed_in
                .as_ref()
                .is_some_and(|s| !s.locked && s.last_activity.elapsed() >= self.lock_delay()),
            Err(_) => false,
        };
        if idle {
            self.lock_now();
        }
        idle
    }

    /// Locks the app: the one-time secret and anything copied are destroyed, and every command
    /// waits for the password.
    pub fn lock_now(&self) {
        if let Ok(mut signed_in) = self.signed_in.lock()
            && let Some(current) = signed_in.as_mut()
        {
            current.locked = true;
        }
        self.discard_one_time();
        self.clipboard.wipe_now();
    }

    /// Forgets the one-time secret, a token issued by hand and a file waiting to be imported:
    /// dialog closed, page reloaded, signed out, locked.
    pub fn discard_one_time(&self) {
        if let Ok(mut one_time) = self.one_time.lock() {
            *one_time = None;
        }
        if let Ok(mut token) = self.access_token.lock() {
            *token = None;
        }
        if let Ok(mut pending) = self.pending_import.lock() {
            *pending = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The store stays free while the keyring is asked (D-Bus may take seconds), and the key is
    /// asked for once (issue 13).
    #[test]
    fn the_store_is_not_locked_while_the_keyring_answers() {
        let folder = tempfile::tempdir().expect("folder");
        let namespace = KeyringNamespace::named("sesame-app-unit-test");
        let sesame =
            Sesame::open_with_keyring(&folder.path().join("sesame.db"), &namespace).expect("store");
        let state = AppState::new(Pool::new(sesame, STORE_HANDLES).expect("handles"));
        let mut loads = 0;
        let key = state
            .installation_key_loaded_by(&namespace, |request| {
                loads += 1;
                assert_eq!(state.stores.busy(), 0, "a store is held during the load");
                request.load()
            })
            .expect("key");
        let again = state
            .installation_key_loaded_by(&namespace, |_| panic!("loaded twice"))
            .expect("key");
        assert_eq!(key.fingerprint(), again.fingerprint());
        assert_eq!(loads, 1);
    }

    /// Idle time counts the night a laptop spent asleep (the monotonic clock stood still, the
    /// wall clock did not), and a wall clock set back does not shorten the time awake.
    #[test]
    fn idle_time_counts_time_asleep() {
        let then = Moment::now();
        let minute = Duration::from_secs(60);
        let night = Duration::from_secs(10 * 60 * 60);
        assert_eq!(
            then.elapsed_at(then.awake + minute, then.wall + night),
            night
        );
        assert_eq!(
            then.elapsed_at(then.awake + minute, then.wall - night),
            minute
        );
    }

    /// A new store in `folder` with its first administrator signed in.
    fn store_with_an_administrator(folder: &std::path::Path) -> (Sesame, Session) {
        let namespace = KeyringNamespace::named("sesame-app-unit-test");
        let mut sesame =
            Sesame::open_with_keyring(&folder.join("sesame.db"), &namespace).expect("store");
        let password =
            sesame_core::secret::secret_from("Un mot de passe très long 2026 !".to_owned());
        let session = sesame.initialise("Camille", &password).expect("initialise");
        (sesame, session)
    }

    /// What the window asks by itself after a reminder (the badge) does not keep the app
    /// unlocked: it leaves the idle time as it was, where a command of the operator's resets it.
    #[test]
    fn the_badge_after_a_reminder_is_not_activity() {
        let folder = tempfile::tempdir().expect("folder");
        let (sesame, session) = store_with_an_administrator(folder.path());
        let state = AppState::new(Pool::new(sesame, STORE_HANDLES).expect("handles"));
        state.set_lock_minutes(5);
        let four_minutes_ago = SystemTime::now() - Duration::from_secs(4 * 60);
        *state.signed_in.lock().expect("lock") = Some(SignedIn {
            session,
            locked: false,
            last_activity: Moment {
                awake: Instant::now(),
                wall: four_minutes_ago,
            },
        });
        let idle_since = |state: &AppState| {
            state
                .signed_in
                .lock()
                .expect("lock")
                .as_ref()
                .map(|signed_in| signed_in.last_activity.wall)
        };
        state
            .with_store_quietly(|sesame, session| sesame.expiry_reminder(session))
            .expect("the badge");
        assert_eq!(idle_since(&state), Some(four_minutes_ago), "not activity");
        state
            .with_store(|sesame, session| sesame.expiry_reminder(session))
            .expect("a command");
        assert!(idle_since(&state) > Some(four_minutes_ago), "activity");
    }

    /// An import hashing its secrets holds one handle on the store: the key list, asked while
    /// the import is provably under way (it waits in its first progress step until the list has
    /// answered), is answered from another (issue 22). With one lock for the whole store, the
    /// list would wait for the import, and the import for the list: the test would fail at its
    /// deadlock guard instead of hanging.
    #[test]
    fn the_key_list_answers_while_an_import_hashes() {
        use std::sync::mpsc;
        let folder = tempfile::tempdir().expect("folder");
        let (mut sesame, session) = store_with_an_administrator(folder.path());
        sesame
            .create_service(
                &session,
                &sesame_core::service::ServiceDraft {
                    name: "Paie".into(),
                    prefix: "paie".into(),
                    ..Default::default()
                },
            )
            .expect("service");
        let state = AppState::new(Pool::new(sesame, STORE_HANDLES).expect("handles"));
        *state.signed_in.lock().expect("lock") = Some(SignedIn {
            session,
            locked: false,
            last_activity: Moment::now(),
        });
        let file = "service;nom;identifiant;secret\n\
                    Paie;Première;paie_premiere01;un-secret-assez-long-1\n\
                    Paie;Seconde;paie_seconde002;un-secret-assez-long-2\n";
        let (started, import_started) = mpsc::channel::<()>();
        let (listed, list_answered) = mpsc::channel::<()>();
        let list_answered = Mutex::new(list_answered);
        let cancelled = AtomicBool::new(false);
        std::thread::scope(|scope| {
            let (state, list_answered, cancelled) = (&state, &list_answered, &cancelled);
            // The import's end drops `started`: a refused file fails the test, not hangs it.
            let import = scope.spawn(move || {
                let progress = |step: sesame_core::import::ImportProgress| {
                    if step.hashed == 0 {
                        let _ = started.send(());
                        let _ = list_answered.lock().expect("lock").recv();
                    }
                };
                state.with_store(|sesame, session| {
                    sesame.import_keys(session, file.as_bytes(), &progress, cancelled)
                })
            });
            if import_started.recv().is_err() {
                panic!("the import ended early: {:?}", import.join());
            }
            let (answer, answered) = mpsc::channel();
            scope.spawn(move || {
                let filter = sesame_core::key::KeyFilter::default();
                let _ =
                    answer.send(state.with_store(|sesame, session| sesame.keys(session, &filter)));
            });
            // Only a guard against a deadlock: the list answers at once on a free handle.
            let page = answered.recv_timeout(Duration::from_secs(120));
            listed.send(()).expect("the import waits");
            let page = page
                .expect("the key list waited for the import")
                .expect("keys");
            assert_eq!(page.total, 0, "the import is not written yet");
            let outcome = import.join().expect("import").expect("imported");
            assert_eq!(outcome.imported, 2);
        });
        let page = state
            .with_store(|sesame, session| {
                sesame.keys(session, &sesame_core::key::KeyFilter::default())
            })
            .expect("keys");
        assert_eq!(page.total, 2);
    }
}
