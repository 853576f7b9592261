//! Property tests: the key format round-trips and catches every single-character change; the
//! lifecycle behaves like a small model of it.

use proptest::prelude::*;
use sesame_core::key::{Grace, KeyEdit};
use sesame_core::key_format::{self, Malformed};
use sesame_core::secret::{ExposeSecret, SecretString};
use sesame_core::verify::VerifyCode;

use crate::support::Fixture;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generated_keys_parse_back(prefix in "[a-z][a-z0-9]{1,15}") {
        let identifier = key_format::new_identifier(&prefix).expect("identifier");
        let secret = key_format::new_secret(&identifier).expect("secret");
        let bearer = key_format::bearer(&identifier, &secret);
        let parsed = key_format::parse_bearer(bearer.expose_secret()).expect("parses");
        prop_assert_eq!(&parsed.identifier, &identifier);
        prop_assert_eq!(parsed.secret.expose_secret(), secret.expose_secret());
        let parts = key_format::parse_parts(&identifier, secret.expose_secret()).expect("parses");
        prop_assert_eq!(parts.identifier, identifier);
    }

    #[test]
    fn any_single_character_change_is_caught(
        prefix in "[a-z][a-z0-9]{1,15}",
        position in any::<prop::sample::Index>(),
        replacement in any::<char>(),
    ) {
        let identifier = key_format::new_identifier(&prefix).expect("identifier");
        let secret = key_format::new_secret(&identifier).expect("secret");
        let bearer: SecretString = key_format::bearer(&identifier, &secret);
        let mut characters: Vec<char> = bearer.expose_secret().chars().collect();
        let index = position.index(characters.len());
        prop_assume!(characters[index] != replacement);
        // Surrounding white space is forgiven on purpose; a change elsewhere never is.
        prop_assume!(!(replacement.is_whitespace() && (index == 0 || index == characters.len() - 1)));
        characters[index] = replacement;
        let changed: String = characters.into_iter().collect();
        let result = key_format::parse_bearer(&changed);
        prop_assert!(matches!(result, Err(Malformed::Shape | Malformed::Checksum)));
    }
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Deactivate,
    Reactivate,
    Regenerate,
    Revoke,
    Edit,
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Model {
    Active,
    Inactive,
    Revoked,
    Deleted,
}

impl Model {
    /// The rules, written independently of the core: the state after `step`, or `None` when
    /// the step must be refused.
    fn after(self, step: Step) -> Option<Model> {
        use Model::*;
        match (self, step) {
            (Deleted, _) => None,
            (_, Step::Delete) => Some(Deleted),
            (Revoked, _) => None,
            (Active, Step::Deactivate) => Some(Inactive),
            (Inactive, Step::Reactivate) => Some(Active),
            (Active | Inactive, Step::Revoke) => Some(Revoked),
            (state, Step::Regenerate | Step::Edit) => Some(state),
            (Active, Step::Reactivate) | (Inactive, Step::Deactivate) => None,
        }
    }

    fn verify_code(self) -> VerifyCode {
        match self {
            Model::Active => VerifyCode::Valid,
            Model::Inactive => VerifyCode::Inactive,
            Model::Revoked => VerifyCode::Revoked,
            Model::Deleted => VerifyCode::NotFound,
        }
    }
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => Just(Step::Deactivate),
        4 => Just(Step::Reactivate),
        2 => Just(Step::Regenerate),
        1 => Just(Step::Revoke),
        2 => Just(Step::Edit),
        1 => Just(Step::Delete),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_lifecycle_follows_its_model(steps in prop::collection::vec(step(), 1..12)) {
        let mut fixture = Fixture::new();
        let issued = fixture.create("K");
        let id = issued.key.id.clone();
        let mut bearer = issued.bearer();
        let mut model = Model::Active;
        for (number, step) in steps.into_iter().enumerate() {
            let admin = fixture.admin.clone();
            let sesame = &mut fixture.sesame;
            let result = match step {
                Step::Deactivate => sesame.deactivate_key(&admin, &id).map(drop),
                Step::Reactivate => sesame.reactivate_key(&admin, &id).map(drop),
                Step::Revoke => sesame.revoke_key(&admin, &id, "modèle").map(drop),
                Step::Delete => sesame.delete_key(&admin, &id).map(drop),
                Step::Edit => {
                    let edit = KeyEdit { note: Some(format!("étape {number}")), ..KeyEdit::default() };
                    sesame.edit_key(&admin, &id, &edit).map(drop)
                }
                Step::Regenerate => sesame.regenerate_key(&admin, &id, Grace::Now).map(|renewed| {
                    bearer = renewed.bearer();
                }),
            };
            match model.after(step) {
                Some(next) => {
                    prop_assert!(result.is_ok(), "{:?} from {:?} refused: {:?}", step, model, result.err());
                    model = next;
                }
                None => {
                    let code = result.err().map(|e| e.code());
                    prop_assert!(
                        matches!(code, Some("transition_refused" | "key_not_found")),
                        "{:?} from {:?} gave {:?}", step, model, code
                    );
                }
            }
            let code = fixture.sesame.verify_bearer(bearer.expose_secret(), None, None).expect("verify").code;
            prop_assert_eq!(code, model.verify_code(), "after {:?}", step);
        }
        prop_assert_eq!(fixture.sesame.check_audit_chain().expect("check").first_broken, None);
    }
}
