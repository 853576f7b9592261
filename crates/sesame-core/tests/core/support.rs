//! A temporary store with an administrator, a service and a company.

use chrono::{DateTime, TimeZone, Utc};
use sesame_core::key::{IssuedKey, NewKey};
use sesame_core::secret::{SecretString, secret_from};
use sesame_core::service::ServiceDraft;
use sesame_core::{Clock, Sesame, Session};
use tempfile::TempDir;

pub const ADMIN: &str = "Camille Admin";

pub fn password() -> SecretString {
    secret_from("un mot de passe solide".to_owned())
}

pub struct Fixture {
    pub folder: TempDir,
    pub sesame: Sesame,
    pub admin: Session,
    pub clock: Clock,
}

pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

impl Fixture {
    /// A store with an administrator, the service « Paie » (prefix `paie`, two permissions)
    /// and the companies « Dupont SARL » and « Martin SA », on a manual clock.
    pub fn new() -> Fixture {
        let folder = tempfile::tempdir().expect("temporary folder");
        let clock = Clock::manual(start());
        let mut sesame = Sesame::open(&folder.path().join("sesame.db"))
            .expect("open store")
            .with_clock(clock.clone());
        let admin = sesame.initialise(ADMIN, &password()).expect("initialise");
        let draft = ServiceDraft {
            name: "Paie".into(),
            description: "Logiciel de paie".into(),
            website: "https://paie.example".into(),
            category: "Services en ligne".into(),
            prefix: "paie".into(),
            permissions: vec!["factures:lecture".into(), "salaires:ecriture".into()],
            max_lifetime_days: None,
        };
        sesame.create_service(&admin, &draft).expect("service");
        sesame
            .create_company(&admin, "Dupont SARL")
            .expect("company");
        sesame.create_company(&admin, "Martin SA").expect("company");
        Fixture {
            folder,
            sesame,
            admin,
            clock,
        }
    }

    /// The audit events whose action starts with `prefix`, oldest first.
    pub fn events_starting_with(&mut self, prefix: &str) -> Vec<sesame_core::audit::AuditEvent> {
        let admin = self.admin.clone();
        self.sesame
            .audit_events(&admin, 0, u32::MAX)
            .expect("events")
            .into_iter()
            .filter(|e| e.action.starts_with(prefix))
            .collect()
    }

    pub fn reopen(&self) -> Sesame {
        Sesame::open(&self.folder.path().join("sesame.db"))
            .expect("reopen store")
            .with_clock(self.clock.clone())
    }

    pub fn create(&mut self, name: &str) -> IssuedKey {
        let new_key = NewKey {
            service: "Paie".into(),
            name: name.into(),
            permissions: vec!["factures:lecture".into()],
            ..NewKey::default()
        };
        self.sesame
            .create_key(&self.admin, &new_key)
            .expect("create key")
    }
}
