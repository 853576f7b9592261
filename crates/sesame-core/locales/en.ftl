# Sésame's catalogue, in English.
# One message per identifier; the same identifiers, with the same placeholders, in fr.ftl.
# Sections: fields and vocabulary, core errors, audit trail, sesamectl, interface.

## Fields, statuses, actions, rights

field-service_name = The service name
field-key_name = The key name
field-company_name = The company name
field-operator_name = The operator name
field-description = The description
field-category = The category
field-website = The website
field-prefix = The prefix
field-permission = The permission
field-note = The note
field-reason = The reason
field-expiry = The expiry date
field-password = The password
field-password_confirmation = The password confirmation
field-current_password = The current password
field-client_code = The client code
field-siren = The SIREN
field-town = The town
field-tag = The tag
field-contact = The contact
field-identifier = The identifier
field-creator = The creator

status-active = active
status-inactive = inactive
status-revoked = revoked
status-expired = expired

key-action-done-deactivate = deactivated
key-action-done-reactivate = reactivated
key-action-done-regenerate = regenerated
key-action-done-revoke = revoked
key-action-done-edit = edited
key-action-done-delete = deleted

right-configuration = platform configuration
right-audit = audit

## Core errors: error-<code>

error-empty = { $field } is required.
error-too_long = { $field } is too long ({ $max } characters at most).
error-forbidden_character = { $field } contains a control or text-direction character.
error-service_name_taken = A service named “{ $name }” already exists.
error-key_name_taken = This service already has a key named “{ $name }”.
error-company_name_taken = A company named “{ $name }” already exists.
error-operator_name_taken = An operator named “{ $name }” already exists.
error-prefix_invalid = The prefix “{ $value }” is not valid: 2 to 16 lowercase letters or digits, starting with a letter.
error-prefix_taken = The prefix “{ $value }” is already used by another service.
error-website_invalid = The website “{ $value }” is not a valid http:// or https:// address.
error-permission_invalid = The permission “{ $value }” is not valid: lowercase words without accents separated by “:”, such as factures:lecture.
error-permission_not_offered = The service does not offer the permission “{ $value }”.
error-permission_in_use = The permission “{ $value }” is still granted to { $count ->
        [0] no key
        [one] { $count } key
       *[other] { $count } keys
    }; remove it from them first.
error-date_invalid = “{ $value }” is not a valid date; write it as YYYY-MM-DD, for example 2027-01-31.
error-date_in_past = The expiry date must not be in the past.
error-expiry_required = Keys of the service “{ $service }” must expire within { $days } days: give an expiry date.
error-expiry_beyond_lifetime = Keys of the service “{ $service }” may not live longer than { $days } days: choose an expiry on { $last_day } at the latest.
error-service_not_found = No service “{ $name }”.
error-key_not_found = No key “{ $name }”.
error-key_ambiguous = Several keys are named “{ $name }”; give the key's identifier instead.
error-company_not_found = No company “{ $name }”.
error-company_ambiguous = “{ $name }” names more than one company (one's name, another's client code or SIREN): give its full name or its exact client code.
error-company_archived = The company “{ $name }” is archived: no new key can be restricted to it; restore it first.
error-company_not_archived = The company “{ $name }” is not archived.
error-client_code_taken = The client code “{ $value }” is already another company's.
error-siren_taken = The SIREN { $value } is already another company's.
error-siren_invalid = “{ $value }” is not a valid SIREN: 9 digits, the last one being the check digit (for example 732 829 320).
error-operator_not_found = No operator “{ $name }”.
error-transition_refused = The key “{ $key }” is { $status }: it cannot be { $action }.
error-sign_in_failed = Unknown operator or wrong password.
error-sign_in_required = Please sign in first.
error-secret_gone = The secret is no longer available: it is shown only once, when the key is issued.
error-operator_disabled = This operator account is disabled.
error-right_missing = You do not have the “{ $right }” right.
error-already_initialised = This store already has an administrator.
error-not_initialised = This store has no administrator yet: run “sesamectl init --admin NAME” first.
error-password_too_short = The password must have at least { $count } characters.
error-password_too_long = The password must have at most { $count } characters.
error-passwords_differ = The two passwords differ.
error-password_weak = This password is too easy to guess: make it longer, for example four or five unrelated words, and avoid your name.
error-sign_in_throttled = Too many failed sign-ins for this name: wait { $seconds } s before trying again.
error-current_password_wrong = The current password is wrong.
error-last_administrator = This is the last active administrator: another operator must hold the “platform configuration” right first.
error-cannot_disable_self = You cannot disable your own account.
error-store_in_use = The store is open in another program (the app or the verification service); close it, then restore. Nothing was changed.
error-store_restoring = A restore of this store is under way; try again in a moment.
error-backup_invalid = This backup cannot be restored: { $why }. Nothing was changed.
error-audit_chain_broken = The audit trail no longer checks from event { $seq } on (changed, cut or rewritten outside Sésame): no export can vouch for it. Run 'sesamectl store check'.
error-export_write = The export could not be written: { $why }
error-signing_key_unavailable = The installation's signing key cannot be used: { $why }
error-signing_key_missing = The installation's signing key (fingerprint { $fingerprint }) is missing from the keyring and from its file: nothing can be signed. If it cannot be brought back, an operator with the configuration right can create a new one (sesamectl signing-key --recreate); tokens and exports signed with the old key will then no longer check.
error-signing_key_retired = This installation's signing key (fingerprint { $fingerprint }) was retired: it no longer signs anything. An operator with the configuration right can create a new one (sesamectl signing-key --recreate).
error-signing_key_unknown = No signing key in use is registered as “{ $kid }”. See the list with 'sesamectl signing-key --list'. Nothing was changed.
error-store_not_sqlite = “{ $path }” is not a Sésame store (not an SQLite database).
error-store_not_sesame = The database “{ $store }” is not a Sésame store: it already holds another program's tables. Nothing was changed; give an empty database or a Sésame store.
error-database_password_in_location = The database's password must not be in its address (it would show in the process list): give it in the PGPASSWORD variable or a ~/.pgpass file only you can read.
error-database_location_invalid = The PostgreSQL database's address is not valid: { $why }
error-database_unavailable = The database “{ $store }” does not answer ({ $why }). Nothing was changed; try again once it is back.
error-store_not_empty = The store “{ $store }” is not empty: a copy goes only into an empty store. Nothing was written there.
error-store_read_only = The store “{ $path }” cannot be written (read-only file or folder).
error-store_unavailable = The store “{ $path }” cannot be opened: { $why }
error-store_too_new = This store was written by a newer version of Sésame (schema { $found }, this version knows up to { $supported }); update Sésame. Nothing was changed.
error-store_busy = The store is busy with another program; try again in a moment. Nothing was changed.
error-store_corrupt = The store is damaged: { $why }
error-grace_unknown = “{ $value }” is not a grace period: choose now, 1 hour, 24 hours or 7 days. Nothing was changed.
error-state_key_unavailable = The installation's state key cannot be used: { $why }
error-state_key_missing = The key that seals this store's rows is missing from the keyring and from its file, so no row can be trusted: nothing was done. Bring it back, or have an administrator accept the store as it is now with 'sesamectl store reseal'.
error-state_key_present = The key that seals this store is where it belongs: there is nothing to recover, and nothing was done. 'store reseal' is only for a key that is truly lost.
error-recovery_code_missing = This store has no recovery code (it comes from an earlier version): its key cannot be recovered this way. Restore a backup on the machine that holds the key, then make a code with 'sesamectl store recovery-code'. Nothing was done.
error-recovery_code_wrong = This recovery code is not this store's: nothing was done. Check the code printed or saved at initialisation (25 characters in 5 groups).
error-state_tampered = The { $kind ->
        [key] key
        [operator] operator
        [service] service
        [signing_key] signing key of
       *[other] setting
    } “{ $name }” was changed outside Sésame (its seal does not match): it is refused, and the event is in the audit trail. Run 'sesamectl store check'.
error-file_not_regular = “{ $path }” is not a regular file; only a regular file can be replaced. Nothing was written.
error-recovery_file_write = The recovery code could not be written to “{ $path }”: { $why }. The store is ready: make a new code with 'sesamectl store recovery-code' and write it down.
error-backup_write = The backup could not be written to “{ $path }”: { $why }. Nothing was recorded.
error-restore_failed = The restore failed: { $why }. The store “{ $path }” was not replaced.
error-out_of_range = Choose a value from { $min } to { $max }.
error-import_empty = The file holds no key: it is empty or has only its header line.
error-import_unreadable = The file cannot be read as a CSV table: { $why }
error-import_column_unknown = Unknown column “{ $value }”. Known columns: service, name, identifier, secret, hash, creator, created, expiry, permissions, companies, note, tags, contact.
error-import_column_missing = The column “{ $value }” is required.
error-import_column_twice = The column “{ $value }” appears twice.
error-import_too_large = The file has more than { $max } keys; split it into several files.
error-import_file_too_large = The file is larger than { $max } MiB; split it into several files.
error-import_preview_gone = The preview is no longer available (the app was locked or the import cancelled); choose the file again.
error-import_cancelled = Import cancelled: no key was written.
error-import_refused = Nothing was imported: { $count ->
        [0] no line
        [one] { $count } line
       *[other] { $count } lines
    } must be corrected first.
error-import_cell_count = This line has { $found } cells where the header has { $expected }.
error-identifier_invalid = The identifier “{ $value }” is not valid: the service's prefix, “_”, then 1 to 64 letters, digits, “_” or “-”.
error-identifier_prefix = The identifier “{ $value }” does not start with “{ $prefix }_”, the prefix of the service “{ $service }”.
error-identifier_taken = The identifier “{ $value }” is already used by a key in Sésame.
error-import_duplicate = “{ $value }” already appears on line { $line } of the file.
error-import_secret_and_hash = Give either the secret or its hash, not both.
error-import_secret_missing = Give the secret or its argon2id hash.
error-import_secret_invalid = The secret cannot be used: { $problem ->
        [length] it must have { $min } to { $max } characters.
        [characters] only visible ASCII characters are allowed, without spaces or accents.
       *[not_sesame] it does not match the identifier (a Sésame secret “ses_…” carries a checksum bound to its identifier).
    }
error-import_hash_refused = The hash is refused: { $problem ->
        [algorithm] the algorithm “{ $algorithm }” is not accepted, only argon2id is.
        [version] only argon2 version 19 (1.3) is accepted.
        [too_weak] parameters too weak (m={ $memory } KiB, t={ $passes }): at least m=19456, t=2 or an equivalent configuration recommended by OWASP.
        [too_costly] parameters too costly for this installation: each check would take longer than other keys' (at most m={ $memory } KiB and m × t ≤ { $work }, p ≤ 16).
        [too_short] salt or hash shorter than 16 bytes.
       *[not_phc] it is not a PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
    }
error-import_date_invalid = “{ $value }” is not a date; write YYYY-MM-DD or DD/MM/YYYY, a time HH:MM may follow.
error-creation_in_future = The creation date is in the future.
error-expiry_before_creation = The expiry date comes before the creation date.
error-token_refused = The key “{ $key }” is { $status }: no access token can be issued for it.
error-bulk_empty_selection = No key is chosen.
error-bulk_nothing_changes = None of the chosen keys would change: nothing was done.
error-bulk_selection_changed = The keys changed since the preview ({ $expected } expected, { $now } now): nothing was done. Look at the preview again.
error-internal = Internal error: { $why }

## Audit trail: one sentence per action (audit-<action>), fields (audit-field-<detail>)

audit-nobody = Sésame
audit-unknown = Event “{ $action }” (unknown to this version)
audit-yes = yes
audit-no = no
audit-access_refused = { $actor } was refused an action ({ $action })
audit-audit_exported = { $actor } exported the audit trail, signed ({ $count ->
        [0] no events
        [one] { $count } event
       *[other] { $count } events
    })
audit-audit_read = { $actor } read the audit trail
audit-company_archived = { $actor } archived the company “{ $target }”
audit-company_edited = { $actor } edited the company “{ $target }”
audit-company_restored = { $actor } restored the company “{ $target }”
audit-company_created = { $actor } added the company “{ $target }”
audit-company_offboarded = { $actor } retired the access of the company “{ $target }”: { $count ->
        [0] no key deactivated or revoked
        [one] { $count } key { $end ->
            [revoke] revoked
           *[deactivate] deactivated
        }
       *[other] { $count } keys { $end ->
            [revoke] revoked
           *[deactivate] deactivated
        }
    }, { $narrowed ->
        [0] no shared key narrowed
        [one] { $narrowed } shared key no longer serves it
       *[other] { $narrowed } shared keys no longer serve it
    }
audit-service_offboarded = { $actor } retired the access to the service “{ $target }”: { $count ->
        [0] no key deactivated or revoked
        [one] { $count } key { $end ->
            [revoke] revoked
           *[deactivate] deactivated
        }
       *[other] { $count } keys { $end ->
            [revoke] revoked
           *[deactivate] deactivated
        }
    }
audit-keys_bulk_changed = { $actor } applied a bulk action to { $count ->
        [0] no keys
        [one] { $count } key
       *[other] { $count } keys
    }: { $change ->
        [deactivate] deactivation
        [reactivate] reactivation
        [revoke] revocation
        [set_expiry] new expiry
        [add_tag] tag added
        [remove_tag] tag removed
       *[delete] deletion
    }
audit-key_checked = { $actor } checked a key by hand ({ $code })
audit-key_copied = { $actor } copied { $part ->
        [identifier] the identifier
        [secret] the secret
        [token] the whole key
        [access_token] the access token
       *[other] a usage line
    } of the key “{ $target }” ({ $service })
audit-key_created = { $actor } created the key “{ $target }” ({ $service })
audit-key_deactivated = { $actor } deactivated the key “{ $target }” ({ $service })
audit-key_deleted = { $actor } deleted the key “{ $target }” ({ $service })
audit-key_edited = { $actor } edited the key “{ $target }” ({ $service })
audit-key_import = { $actor } tried to import keys
audit-key_imported = { $actor } imported the key “{ $target }” ({ $service })
audit-key_import_summary = { $actor } imported { $imported ->
        [0] no keys
        [one] { $imported } key
       *[other] { $imported } keys
    } from a file
audit-key_reactivated = { $actor } reactivated the key “{ $target }” ({ $service })
audit-key_regenerated = { $actor } regenerated the key “{ $target }” ({ $service }); { $grace ->
        [now] the old secret no longer works
       *[other] the old secret stays valid until { $previous_secret_valid_until }
    }
audit-key_revoked = { $actor } revoked the key “{ $target }” ({ $service }): “{ $reason }”
audit-operator_created = { $actor } created the operator account “{ $target }”
audit-operator_disabled = { $actor } disabled the operator account “{ $target }”
audit-operator_edited = { $actor } edited the operator account “{ $target }”
audit-operator_enabled = { $actor } enabled the operator account “{ $target }”
audit-operator_list = { $actor } read the list of operators
audit-operator_password_change_failed = { $actor } could not change their password (wrong current password)
audit-operator_password_changed = { $actor } changed their password
audit-operator_password_reset = { $actor } gave “{ $target }” a new password
audit-operator_sign_in_failed = { $reason ->
        [unknown] Sign-in refused for an unknown name
       *[other] Sign-in refused for “{ $target }”
    }
audit-operator_signed_in = { $actor } signed in
audit-report_credentials = { $actor } produced the credential report ({ $rows ->
        [0] no rows
        [one] { $rows } row
       *[other] { $rows } rows
    })
audit-service_approved = { $actor } approved the service “{ $target }” for the catalogue
audit-service_created = { $actor } created the service “{ $target }”
audit-service_edited = { $actor } edited the service “{ $target }”
audit-settings_changed = { $actor } changed the setting “{ $setting }”
audit-signing_key_created = The installation's signing key was created (fingerprint { $fingerprint })
audit-signing_key_moved_to_keyring = The signing key was moved into the system keyring
audit-signing_key_recreated = A new signing key replaced the old one (fingerprint { $fingerprint })
audit-signing_key_replaced = The signing key found is no longer the one on record (fingerprint { $fingerprint })
audit-signing_key_registered = An installation's signing key was registered in the store (fingerprint { $fingerprint })
audit-signing_key_retired = A signing key was retired: its tokens are refused (fingerprint { $fingerprint })
audit-store_backed_up = { $actor } backed up the store ({ $keys ->
        [0] no keys
        [one] { $keys } key
       *[other] { $keys } keys
    }, { $events ->
        [0] no events
        [one] { $events } event
       *[other] { $events } events
    })
audit-store_copied = { $actor } copied the store to “{ $destination }” ({ $keys ->
        [0] no keys
        [one] { $keys } key
       *[other] { $keys } keys
    }, { $events ->
        [0] no events
        [one] { $events } event
       *[other] { $events } events
    })
audit-store_checked = { $actor } checked the store
audit-store_resealed = { $key ->
        [recovered] { $actor } recovered the store's lost key with its recovery code
       *[other] The store was accepted as it is and sealed with a new key
    }
audit-store_restored = The store was restored from a backup
audit-audit_anchored = The end of the audit trail was anchored where it stops now
audit-store_recovery_code_created = { $actor } made a recovery code for the store (any earlier code no longer works)
audit-store_sealed = The store's rows were sealed ({ $rows ->
        [0] no rows
        [one] { $rows } row
       *[other] { $rows } rows
    })
audit-store_tampered = A row changed outside Sésame was refused: “{ $name }”
audit-token_issued = { $actor } issued an access token for the key “{ $target }” ({ $service }), valid until { $expires_at }
audit-field-previous_head = Previous anchor
audit-field-client_code = Client code
audit-field-siren = SIREN
audit-field-town = Town
audit-field-max_lifetime_days = Longest key lifetime (days)
audit-field-code = Answer
audit-field-permission = Permission
audit-field-company = Company
audit-field-tags = Tags
audit-field-contact = Contact
audit-field-action = Action asked for
audit-field-reason = Reason
audit-field-rights = Rights
audit-field-right = Missing right
audit-field-wait_seconds = Wait imposed (s)
audit-field-status = Status
audit-field-setting = Setting
audit-field-part = Part copied
audit-field-name = Name
audit-field-kind = Kind
audit-field-keys = Keys
audit-field-id = Internal id
audit-field-first_administrator = First administrator
audit-field-file = File
audit-field-events = Events
audit-field-during = During
audit-field-permissions = Permissions
audit-field-companies = Companies
audit-field-expires_at = Expiry
audit-field-note = Note
audit-field-description = Description
audit-field-website = Website
audit-field-category = Category
audit-field-prefix = Prefix
audit-field-grace = Grace period
audit-field-previous_secret_valid_until = Old secret valid until
audit-field-count = Count
audit-field-first_seq = First event
audit-field-last_seq = Last event
audit-field-from = From
audit-field-destination = Destination
audit-field-to = To
audit-field-fingerprint = Fingerprint
audit-field-previous_fingerprint = Previous fingerprint
audit-field-home = Place
audit-field-by = By
audit-field-rows = Rows
audit-field-imported = Imported
audit-field-from_secret = With a secret
audit-field-from_hash = With a hash
audit-field-encoding = Encoding
audit-field-sealed_now = Sealed on restore
audit-field-previous_kept_at = Previous store kept in
audit-field-lifetime_seconds = Lifetime (s)
audit-field-change = Change
audit-field-line = Line
audit-field-end = End of the keys
audit-field-narrowed = Shared keys changed
audit-field-tag = Tag
# What a refused operation asked for (“Action asked for”).
audit-asked-access_refused = An action refused
audit-asked-audit_exported = Export the audit log
audit-asked-audit_read = Read the audit log
audit-asked-company_archived = Archive a company
audit-asked-company_created = Create a company
audit-asked-company_edited = Edit a company
audit-asked-company_restored = Restore a company
audit-asked-key_copied = Copy a key
audit-asked-key_created = Create a key
audit-asked-key_deactivated = Deactivate a key
audit-asked-key_deleted = Delete a key
audit-asked-key_edited = Edit a key
audit-asked-key_import = Import keys
audit-asked-key_imported = Import a key
audit-asked-key_import_summary = Import keys
audit-asked-key_reactivated = Reactivate a key
audit-asked-key_regenerated = Regenerate a key
audit-asked-key_revoked = Revoke a key
audit-asked-operator_created = Create an operator
audit-asked-operator_disabled = Disable an operator
audit-asked-operator_edited = Edit an operator
audit-asked-operator_enabled = Enable an operator
audit-asked-operator_list = List the operators
audit-asked-operator_password_change_failed = Change one's password
audit-asked-operator_password_changed = Change one's password
audit-asked-operator_password_reset = Reset a password
audit-asked-operator_sign_in_failed = Sign in
audit-asked-operator_signed_in = Sign in
audit-asked-report_credentials = Produce the credential report
audit-asked-service_approved = Approve a service
audit-asked-service_created = Create a service
audit-asked-service_edited = Edit a service
audit-asked-settings_changed = Change the settings
audit-asked-signing_key_created = Create the signing key
audit-asked-signing_key_moved_to_keyring = Move the signing key to the keyring
audit-asked-signing_key_recreated = Recreate the signing key
audit-asked-signing_key_replaced = Replace the signing key
audit-asked-signing_key_registered = Register a signing key
audit-asked-signing_key_retired = Retire a signing key
audit-asked-store_backed_up = Back up the store
audit-asked-key_checked = Check a key
audit-asked-keys_bulk_changed = Change keys in bulk
audit-asked-company_offboarded = Remove a company's access
audit-asked-service_offboarded = Remove a service's access
audit-asked-store_checked = Check the store
audit-asked-store_copied = Copy the store
audit-asked-store_resealed = Reseal the store
audit-asked-store_restored = Restore the store
audit-asked-store_sealed = Seal the store
audit-asked-store_tampered = Report a row changed outside Sésame
audit-asked-token_issued = Issue an access token
audit-asked-audit_anchored = Anchor the audit log
audit-asked-store_recovery_code_created = Create a recovery code
audit-kind-key = Key
audit-kind-operator = Operator
audit-kind-service = Service
audit-kind-setting = Setting
audit-kind-signing_key = Signing key
audit-kind-company = Company
audit-during-write = A change
audit-during-store_check = The store check
audit-during-verification = A key's verification
audit-during-sign_in = A sign-in
audit-during-token_check = A token's check
audit-from-hash = An argon2id hash
audit-from-secret = A secret, hashed on import
audit-part-identifier = the identifier
audit-part-secret = the secret
audit-part-token = the whole key
audit-part-access_token = the access token
audit-part-usage_bearer = a usage line (Bearer)
audit-part-usage_api_key = a usage line (X-Api-Key)
audit-part-usage_basic = a usage line (Basic)
audit-part-usage_token = a usage line (token)
audit-grace-now = none
audit-grace-1h = 1 hour
audit-grace-24h = 24 hours
audit-grace-7d = 7 days
audit-reason-unknown = unknown name
audit-reason-disabled = account disabled
audit-reason-throttled = too many recent failures
audit-reason-current_password = wrong current password
audit-reason-password = wrong password
bulk-change-deactivate = deactivation
bulk-change-reactivate = reactivation
bulk-change-revoke = revocation
bulk-change-set_expiry = new expiry
bulk-change-add_tag = tag added
bulk-change-remove_tag = tag removed
bulk-change-delete = deletion
offboard-end-deactivate = deactivated
offboard-end-revoke = revoked
key-effect-deactivated = will be deactivated
key-effect-reactivated = will be reactivated
key-effect-revoked = will be revoked
key-effect-deleted = will be deleted
key-effect-expiry_changed = new expiry
key-effect-tag_added = tag added
key-effect-tag_removed = tag removed
key-effect-loses_company = will no longer serve this company
key-effect-unchanged = unchanged

## Date formats (chrono strftime patterns)

format-date-time = %Y-%m-%d %H:%M
format-date = %Y-%m-%d

verify-VALID = Valid key: the verification service would accept it.
verify-MALFORMED = This is not a key: it takes the identifier, a dot, then the secret (for example paie_….ses_…).
verify-NOT_FOUND = No key has this identifier.
verify-INVALID_SECRET = The secret does not match this identifier.
verify-INACTIVE = The key is deactivated: it would be refused.
verify-REVOKED = The key is revoked: it would be refused.
verify-EXPIRED = The key has expired: it would be refused.
verify-INSUFFICIENT_PERMISSION = The key is valid but does not have this permission.
verify-COMPANY_FORBIDDEN = The key is valid but not allowed for this company.
verify-TAMPERED = The key was changed outside Sésame: it is refused.
## Report, import, usage

report-column-service = Service
report-column-key = Key
report-column-identifier = Identifier
report-column-status = Status
report-column-created = Created
report-column-created_by = Created by
report-column-last_use = Last use
report-column-expiry = Expiry
report-column-permissions = Permissions
report-column-companies = Companies
report-column-last_regeneration = Last regeneration
report-column-revoked = Revoked
report-column-revoked_by = Revoked by
report-column-revocation_reason = Revocation reason
report-column-tags = Tags
report-column-contact = Contact
calendar-name = Sésame — key expiries
calendar-summary = Key “{ $key }” ends ({ $service })
calendar-description = The key “{ $key }” of the service “{ $service }” (identifier { $identifier }) works until { $day } included. Regenerate or extend it in Sésame before then if it is still in use.
report-no-expiry = no expiry
report-never-used = never
report-use-unknown = unknown
report-all-companies = all
import-column-service = service
import-column-name = name
import-column-identifier = identifier
import-column-secret = secret
import-column-hash = hash
import-column-creator = creator
import-column-created = created
import-column-expiry = expiry
import-column-permissions = permissions
import-column-companies = companies
import-column-tags = tags
import-column-contact = contact
import-column-note = note
usage-secret-placeholder = YOUR_SECRET
app-store-local = the desktop app keeps its local store (a file); a PostgreSQL store is served by “sesamectl” and, later, by the firm's server.
app-locked = Sésame is locked: enter your password to continue.

## sesamectl

cli-access_restricted_to_your_account_alone = Access restricted to your account alone (other accounts could read it):
cli-active_keys = active keys
cli-administrator_created = Administrator created
cli-audit_events = { $count ->
        [0] no audit events
        [one] { $count } audit event
       *[other] { $count } audit events
    }
cli-audit_trail_broken_at_event = Audit trail broken at event
cli-awaiting_approval = awaiting approval
cli-backup_written = Backup written:
cli-changed_outside_s_same = Changed outside Sésame:
cli-company-edited = Company changed:
cli-company-archived = Company archived:
cli-company-restored = Company restored:
cli-company-archived-mark = { "\u0009(archived)" }
cli-company_added = Company added
cli-disabled = { " — disabled" }
cli-documentation = Documentation:
cli-events = { $count ->
        [0] no events
        [one] { $count } event
       *[other] { $count } events
    }
cli-exported = Exported:
cli-file = File
cli-fingerprint = Fingerprint
cli-hashing_secrets = Hashing secrets:
cli-identifier = Identifier:
cli-key = key
cli-key_deleted = Key deleted
cli-keys = { $count ->
        [0] no keys
        [one] { $count } key
       *[other] { $count } keys
    }
cli-bulk-counts = { $changing ->
        [0] No key changes
        [one] { $changing } key changes
       *[other] { $changing } keys change
    }, { $unchanged ->
        [0] none stays unchanged
        [one] { $unchanged } stays unchanged
       *[other] { $unchanged } stay unchanged
    }.
cli-bulk-applied = Done.
cli-bulk-not-applied = Nothing was done yet: to apply exactly this, run again with --yes --confirm { $code }.
cli-line = line
cli-lines_read = { $count ->
        [0] no lines read
        [one] { $count } line read
       *[other] { $count } lines read
    }
cli-listed = listed
cli-never_used = Never used
cli-no_expiry = no expiry
cli-no_rights = no rights
cli-password_changed = Password changed.
cli-public_key_ed25519 = Public key (Ed25519)
cli-report_written = Report written:
cli-rows_checked = { $count ->
        [0] no rows checked
        [one] { $count } row checked
       *[other] { $count } rows checked
    }
cli-secret = Secret:
cli-service = service
cli-signing_key_fingerprint = Signing key fingerprint:
cli-signing_key_in_use = in use
cli-signing_key_retired = retired on
cli-signing_key_registered = registered on
cli-signing_key_retired_done = Signing key retired: it has left the verification services' JWKS and its tokens are refused.
cli-store_key_recovered = The store's key was recovered with the recovery code; rows changed outside Sésame stay named. The event is in the audit trail.
cli-recovery_code_shown_once = The store's recovery code — write it down or print it now and keep it away from this computer: it will never be shown again. Only it can recover the store if its sealing key is lost ('sesamectl store reseal').
cli-key_counts_rebuilt = The key list's kept totals no longer matched the keys (changed outside Sésame): they were counted again.
cli-store_intact = Store intact.
cli-store_restored_from = Store restored from
cli-system_keyring = System keyring
cli-the_previous_store_is_kept_in = The previous store is kept in
cli-this_secret_will_never_be_shown = This secret will never be shown again: copy it now.
cli-token = Token:
cli-use_unknown = Use unknown
cli-verification_service_listening_on = Verification service listening on
cli-warning_the_service_listens_beyond_this = Warning: the service listens beyond this machine, on the address asked for.
cli-with_a_hash = with a hash
cli-with_a_secret = with a secret
cli-colon = :
cli-error = Error:
cli-key-created = Key “{ $key }” created for service “{ $service }”.
cli-key-regenerated = New secret for key “{ $key }”.
cli-keys-imported = { $count ->
        [0] No keys imported
        [one] { $count } key imported
       *[other] { $count } keys imported
    }: { $secrets } with a secret (hashed with argon2id), { $hashes } with a hash.
cli-prompt-recovery-code = { "Recovery code: " }
cli-prompt-password = { "Password: " }
cli-prompt-password-again = { "Password (again): " }
cli-prompt-new-password = { "New password: " }
cli-prompt-new-password-again = { "New password (again): " }
cli-signing-key-in-file = Warning: no system keyring answers ({ $problem }); the signing key is kept in the file { $path }, readable by you only.
cli-store-copied = Store copied to “{ $destination }”: { $keys ->
        [0] no keys
        [one] { $keys } key
       *[other] { $keys } keys
    }, { $events ->
        [0] no audit events
        [one] { $events } audit event
       *[other] { $events } audit events
    }, chain checked on arrival.
cli-error-postgres_not_yet = This command applies to an SQLite store only. To restore a backup onto PostgreSQL, copy it into an empty database: “sesamectl --db BACKUP store copy --to URL”.
cli-keys-expiring = { $count ->
        [0] No key expires
        [one] { $count } key expires
       *[other] { $count } keys expire
    } within { $days } days.
cli-calendar-written = Calendar written:
cli-error-missing_operator = Name the operator with SESAME_USER.
cli-error-password_unavailable = A password is needed: set SESAME_PASSWORD or run from a terminal ({ $why }).
cli-error-stdin = Cannot read the key from standard input: { $why }
cli-error-file_exists = The file “{ $path }” already exists; choose another name or add --overwrite.
cli-error-file = The file “{ $path }” cannot be used: { $why }
cli-error-serve = The verification service cannot run: { $why }
cli-error-unconfirmed = Nothing was done: --yes applies the preview you read. Read it above, then run again with --yes --confirm { $code }.
cli-error-preview_changed = Nothing was done: the keys changed since preview { $seen }. Here is the preview now; to apply it, run again with --yes --confirm { $now }.
cli-error-no_selection = No key is chosen: give --key (once or more), at least one criterion (--service, --company, --status, --name, --creator, --health, --tag), or --all for every key.
cli-operator-added = Operator added
cli-operator-changed = Operator changed
cli-operator-disabled = Operator disabled
cli-operator-enabled = Operator enabled
cli-operator-password-reset = Password reset
export-verdict-ok = OK: { $count ->
        [0] no events
        [one] { $count } event
       *[other] { $count } events
    } (no. { $first } to { $last }), intact, signed by the key with fingerprint { $fingerprint }. Confirm this fingerprint with the office.
export-verdict-ok_empty = OK: { $count ->
        [0] no events
        [one] { $count } event
       *[other] { $count } events
    }, intact, signed by the key with fingerprint { $fingerprint }. Confirm this fingerprint with the office.
export-verdict-empty = The file is empty.
export-verdict-not_an_export = This file is not a Sésame audit export.
export-verdict-no_manifest = The signed manifest is missing at the end: the export was truncated.
export-verdict-bad_signature = The manifest's signature is invalid: the manifest was changed or signed by another key.
export-verdict-other_key = The export is signed by another key (fingerprint { $fingerprint }).
export-verdict-unreadable = Line { $line }: not a readable event (changed or truncated).
export-verdict-changed = Event no. { $seq } (line { $line }) was changed: its hash no longer matches its content.
export-verdict-removed = Event no. { $expected } was removed: line { $line } holds no. { $seq }.
export-verdict-inserted = An event was inserted: no. { $seq } appears a second time (line { $line }).
export-verdict-reordered = Events were reordered: no. { $seq } is out of place (line { $line }).
export-verdict-broken_link = Event no. { $seq } (line { $line }) does not follow the one before: the chain is broken.
export-verdict-truncated = Events are missing after no. { $after }: the export was truncated.
export-verdict-digest_mismatch = The lines differ from what was signed.

## Desktop interface

app_name = Sésame
sections = Sections
pages = Pages
loading = Loading…
recovery_title = Your recovery code
recovery_intro = This code is the only way to recover this store if the key that seals it is lost (a new computer, an erased keyring). Sésame does not keep it and will never show it again.
recovery_keep = Print it or copy it by hand, and keep it away from this computer (in the firm's safe, for example).
recovery_print = Print
recovery_noted = I printed or wrote down this code, and I am putting it somewhere safe
recovery_continue = Continue
setup_title = Welcome to Sésame
setup_intro = Create the administrator account. It can then add services and generate keys.
setup_submit = Create the administrator
name = Name
password = Password
password_again = Password (again)
password_hint = At least { $min } characters. A phrase of several words is easy to remember.
strength = Strength
strength_0 = very weak
strength_1 = weak
strength_2 = fair
strength_3 = good
strength_4 = excellent
signin_title = Sign in
signin_submit = Sign in
signout = Sign out
nav_catalogue = Catalogue
nav_keys = Keys
nav_settings = Settings
signed_in_as = Signed in:
catalogue_title = Service catalogue
catalogue_filter_category = Category
catalogue_filter_text = Search
all_categories = All categories
service_new = New service
service_edit = Edit
service_approve = Approve
service_awaiting = Awaiting approval
service_listed = Listed
service_active_keys = active keys
service_keys = Show keys
service_website = Website
service_description = Description
service_category = Category
service_prefix = Key prefix
service_prefix_hint = Leave empty to derive it from the name (e.g. payroll).
service_permissions = Permissions offered
service_permissions_hint = One per line, for example factures:lecture.
service_none = No services yet. Start by creating one.
service_no_match = No service matches.
save = Save
cancel = Cancel
close = Close
back = Go back
confirm = Confirm
working = One moment…
required = This field is required.
keys_title = Keys
keys_of = Keys of service
criteria = Criteria
criteria_service = Service
criteria_company = Company
criteria_status = Status
criteria_name = Name contains
criteria_creator = Created by
any = Any
filter = Filter
reset = Reset criteria
status_active = Active
status_inactive = Inactive
status_revoked = Revoked
status_expired = Expired
col_name = Name
col_identifier = Identifier
col_service = Service
col_created = Created
col_creator = Created by
col_last_use = Last use
col_expiry = Expiry
col_status = Status
col_actions = Actions
never_used = Never used
use_unknown = Use unknown
no_expiry = None
keys_none = No key matches these criteria.
keys_count = { $from }–{ $to } of { $total } keys
keys_count_zero = 0 keys
keys_count_one = 1 key
identifier_copied = Identifier { $identifier } copied.
previous = Previous
next = Next
generate = Generate a key
key_name = Key name
key_name_hint = For example the name of the application or the provider.
key_service = Service
key_expiry = Last valid day (optional)
key_expiry_hint = The last day the key works, for example 31/12/2027; empty: no expiry.
key_permissions = Permissions
key_permissions_required = Choose at least one permission: without one, the key would allow nothing.
key_companies = Restrict to companies (optional)
key_companies_none = No companies recorded.
key_note = Note (optional)
key_generate_submit = Generate
key_edit = Edit
key_edit_title = Edit the key
key_deactivate = Deactivate
key_reactivate = Reactivate
key_regenerate = Regenerate
key_revoke = Revoke
key_delete = Delete
copy = Copy
copied = Copied. The clipboard will be cleared in { $seconds } s.
copy_identifier = Copy the identifier
usage = Usage
usage_title = Using the key “{ $name }”
usage_intro = An application sends the key to Sésame's verification service in one of these ways. Replace YOUR_SECRET with the key's secret: it is shown only when the key is made.
usage_intro_secret = Ready-to-copy lines, with the secret: they will not be shown again either.
usage_bearer = Authorization: Bearer header
usage_api_key = X-Api-Key header
usage_basic = HTTP Basic (identifier and secret)
usage_token = Get an access token
usage_docs = Verification API documentation
usage_docs_opened = Documentation opened in the browser.
line_copied = Line copied.
token_generate = Generate a token
token_title = Access token for “{ $name }”
token_intro = A signed access token (JWT), the same as POST /v1/tokens gives. It is shown only once.
token_lifetime = Valid for
token_hours_1 = 1 hour
token_hours_8 = 8 hours
token_hours_24 = 24 hours
token_hours_168 = 7 days
token_hours_720 = 30 days
token_hours_other = { $hours } hours (setting)
token_submit = Generate the token
token_value = Token
token_expires = Valid until { $date }.
token_close_question = Have you copied the token? Once this window is closed, nobody can see it again.
import = Import
import_title = Import existing keys
import_intro = A CSV file (Excel's “CSV semicolon-separated” will do) with a header line: service, name, identifier, and secret or hash (argon2id). Optional columns: creator, created, expiry, permissions, companies, note. Nothing is written before you confirm, and only if every line is right.
import_file = CSV file
import_reading = Reading the file…
import_summary = { $rows ->
        [0] No lines read
        [one] { $rows } line read
       *[other] { $rows } lines read
    }: { $with_secret } with a secret, { $with_hash } with a hash. Encoding { $encoding }, separator “{ $delimiter }”.
import_refused = { $count ->
        [0] No line to correct
        [one] { $count } line to correct: nothing will be imported until it is
       *[other] { $count } lines to correct: nothing will be imported until all are
    }. Correct the file, then choose it again.
import_problems = Refused lines
import_to_create = Keys that will be created
import_more = … and { $count ->
        [0] no more
        [one] { $count } more
       *[other] { $count } more
    }.
import_col_line = Line
import_col_column = Column
import_col_problem = Problem
import_col_from = From
import_from_secret = secret
import_from_hash = hash
import_confirm = Import { $count ->
        [0] no keys
        [one] { $count } key
       *[other] { $count } keys
    }
import_hashing = Hashing secrets: { $hashed } / { $to_hash }
import_writing = Saving…
import_done = { $imported ->
        [0] No keys imported
        [one] { $imported } key imported. Its last use reads “Use unknown” until it is first seen
       *[other] { $imported } keys imported. Their last use reads “Use unknown” until they are first seen
    }.
secret_title_created = Your new key
secret_title_regenerated = The new secret
secret_warning = The secret will never be shown again. Copy it now and pass it on by a safe channel.
secret_identifier = Identifier (public)
secret_secret = Secret
secret_token = Full token (identifier.secret)
secret_close_question = Have you copied or written down the secret? Once this window is closed, nobody can see it again.
secret_close_yes = Yes, close
confirm_deactivate = Deactivate the key “{ $name }”? It will be refused until reactivated.
confirm_reactivate = Reactivate the key “{ $name }”?
confirm_delete = Delete the key “{ $name }”? It leaves the lists and stops working; its history stays in the log.
confirm_revoke = Revoke the key “{ $name }”? This is final.
revoke_reason = Reason for revoking
confirm_regenerate = Give the key “{ $name }” a new secret?
grace = The old secret stops working
grace_now = now
grace_1h = in 1 hour
grace_24h = in 24 hours
grace_7d = in 7 days
settings_title = Settings
settings_language = Language
settings_clipboard = Clear the clipboard after (seconds)
settings_clipboard_hint = Between 10 and 300 seconds.
settings_store = Data file
settings_saved = Settings saved.
nav_audit = Audit log
audit_title = Audit log
audit_export = Export the signed log
credential_report = Key report (CSV)
chain_ok = Chain intact: { $count ->
        [0] no events checked
        [one] { $count } event checked
       *[other] { $count } events checked
    }.
chain_broken = Chain broken at event no. { $seq }: the log was changed outside Sésame.
audit_exported = Log exported ({ $count } events):
report_saved = Report written ({ $count } keys):
audit_from = From
audit_to = To
audit_operator = Operator
audit_action = Action
audit_target = Subject (exact name or id)
audit_seq = No.
audit_at = Date
audit_event = Event
audit_details = Details
audit_newer = Newer
audit_older = Older
family_key = Keys
family_service = Services
family_company = Companies
family_operator = Operators and sign-ins
family_access = Refused access
family_settings = Settings
family_audit = Log: reading, exports and anchoring
family_report = Reports
family_store = Backups, copies and integrity checks
family_keys = Bulk changes to keys
family_token = Access tokens issued
family_signing_key = Signing key
criteria_health = Health
health_unused = Unused for 90 days
health_no_expiry = No expiry date
health_not_regenerated = Not regenerated for a year
health_expiring_soon = Expiring within 30 days
health_refused_attempts = Tried while inactive or revoked
backup_title = Backup
backup_hint = A full copy of the store, without any secret, in your Documents folder. Restore with “sesamectl restore FILE” while Sésame is closed.
backup_now = Back up now
backup_saved = Backup written ({ $count } keys):
one_use = 1 use
uses = { $count } uses
settings_lock = Lock after (minutes without activity)
settings_token = Access token lifetime (hours)
settings_token_hint = Between 1 and 720 hours (30 days); 24 by default. Tokens already issued keep theirs.
settings_lock_hint = Between 1 and 60 minutes. Sésame then asks for your password again.
settings_reserved = These settings are reserved for operators with the “platform configuration” right.
signing_key_title = The installation's signing key
signing_key_pending = Looking for the system keyring…
signing_key_keyring = Kept in the system keyring:
signing_key_file = No system keyring answers ({ $problem }). The key is kept in a file only you can read:
signing_key_fingerprint = Fingerprint:
signing_key_fingerprint_hint = An auditor can compare this fingerprint with a signed export's, over the phone for example.
password_mine = My password
password_current = Current password
password_new = New password
password_change = Change my password
password_changed = Password changed.
strength_short = too short
strength_refused = not accepted yet
lock = Lock
locked_title = Sésame is locked
locked_intro = Enter the password of
unlock = Unlock
lock_switch_operator = Switch operator
operators_title = Operators
operator_new = Add an operator
operator_edit = Edit
operator_reset = New password
operator_disable = Disable
operator_enable = Enable
operator_rights = Rights
operator_state = State
operator_active = Active
operator_disabled = Disabled
right_configuration = platform configuration
right_configuration_hint = Services, approval, keys and operators.
right_audit = audit
right_audit_hint = Audit log, exports and reports.
right_none = browsing only
language_fr = Français
language_en = English
date_placeholder = DD/MM/YYYY
date_calendar = Calendar
date_previous_month = Previous month
date_next_month = Next month
date_invalid = “{ $value }” is not a valid date: write it DD/MM/YYYY, for example 31/01/2027, or choose it in the calendar.
nav_companies = Companies
companies_title = Client companies
companies_intro = The firm's clients a key can be restricted to. An archived company is no longer offered for a new key; its keys keep it.
companies_none = No company yet: add the first one.
companies_show_archived = Show archived companies ({ $count })
company_new = Add a company
company_edit = Edit
company_archive = Archive
company_restore = Restore
company_archived = archived
company_show_keys = See the keys
company_keys = Keys
company_client_code = Client code
company_client_code_hint = The client's code in the firm's tools, for example 95963; optional.
company_siren = SIREN
company_siren_hint = 9 digits, for example 732 829 320; optional.
company_town = Town
health_beyond_max_lifetime = Beyond the longest lifetime
service_max_lifetime = Longest key lifetime (days)
service_max_lifetime_hint = For example 366: every key must then expire within it. Empty: no limit.
service_max_lifetime_invalid = A number of days from 1 to 3650, or nothing.
check_key = Check a key
check_key_intro = Paste a key (identifier.secret): Sésame answers as the verification service would. The secret is neither kept nor written to the journal; the check does not count as a use.
check_key_field = Key
check_key_permission = Permission asked for (optional)
check_key_company = Company (optional)
check_key_submit = Check
check_key_code = Technical code: { $code }
check_key_of = Key “{ $name }” of the service “{ $service }”.
check_export = Check a journal export
check_export_intro = Choose a signed export (.jsonl): Sésame checks it as “sesamectl audit verify” does. Then confirm the fingerprint with the office.
check_export_file = Export file
key_tags = Tags
key_tags_hint = Free words, separated by commas: “payroll, external”.
key_contact = Contact
key_contact_hint = Who to call about the key: a name, an e-mail address or a phone number.
key_actions = Actions
key_row_companies = For { $names }
key_row_companies_more = For { $names } and { $more ->
        [one] 1 more
       *[other] { $more } more
    }
key_contact_short = Contact: { $contact }
criteria_tag = Tag
export_calendar = Export the calendar of expiries
calendar_saved = Calendar of expiries written ({ $count ->
        [0] no keys
        [one] { $count } key
       *[other] { $count } keys
    } within 90 days): { $path } — open it with Outlook or Thunderbird.
reminder-title = Sésame: { $count ->
        [0] no key expires
        [one] { $count } key expires
       *[other] { $count } keys expire
    } within { $days } days
reminder-line = “{ $key }” ({ $service }): last day { $day }
reminder-more = … and { $count ->
        [0] no more
        [one] { $count } more
       *[other] { $count } more
    }: see the “Keys” screen.
settings_warning = Warn of expiries (days ahead)
settings_warning_hint = Between 1 and 365 days; 30 by default. The app warns when it opens and then daily, and counts these keys on “Keys”.
nav_keys_expiring = { $count ->
        [0] No key expires
        [one] { $count } key expires
       *[other] { $count } keys expire
    } within { $days } days

plan_counts = { $changing ->
        [0] No key will change
        [one] { $changing } key will change
       *[other] { $changing } keys will change
    }; { $unchanged ->
        [0] none will stay unchanged
        [one] { $unchanged } will stay unchanged
       *[other] { $unchanged } will stay unchanged
    }.
plan_effect = What changes
plan_more = … and { $count ->
        [0] no more keys
        [one] { $count } more key, counted above
       *[other] { $count } more keys, counted above
    }.
plan_preview = Preview
plan_back = Back
plan_apply = Apply to { $count ->
        [0] no keys
        [one] { $count } key
       *[other] { $count } keys
    }
bulk_actions = Bulk actions
bulk_choose = Bulk action
bulk_kind_deactivate = Deactivate
bulk_kind_reactivate = Reactivate
bulk_kind_revoke = Revoke
bulk_kind_set_expiry = Change the expiry
bulk_kind_add_tag = Add a tag
bulk_kind_remove_tag = Remove a tag
bulk_kind_delete = Delete
bulk_on_ticked_button = On the ticked keys ({ $count })
bulk_on_criteria_button = { $count ->
        [0] On no key (none matches these criteria)
        [one] On the key of these criteria
       *[other] On the { $count } keys of these criteria
    }
bulk_tick_all = Tick every key of the page
bulk_tick = Tick the key { $name }
bulk_title_deactivate = Deactivate keys
bulk_title_reactivate = Reactivate keys
bulk_title_revoke = Revoke keys
bulk_title_set_expiry = Change the expiry of keys
bulk_title_add_tag = Add a tag to keys
bulk_title_remove_tag = Remove a tag from keys
bulk_title_delete = Delete keys
bulk_on_ticked = { $count ->
        [0] No key ticked
        [one] The ticked key
       *[other] The { $count } ticked keys
    }.
bulk_on_criteria = Every key of the criteria shown, on every page.
bulk_new_expiry = New last valid day
bulk_new_expiry_hint = Leave empty for keys that no longer expire.
bulk_tag = Tag
bulk_done = { $count ->
        [0] No keys changed
        [one] { $count } key changed
       *[other] { $count } keys changed
    }.
offboard_button = Retire access
offboard_company_title = Retire the access of “{ $name }”
offboard_service_title = Retire the access to the service “{ $name }”
offboard_company_intro = The keys restricted to this company alone will be deactivated or revoked; the keys it shares with other companies will no longer serve it. A preview comes first.
offboard_service_intro = Every key of this service will be deactivated or revoked. A preview comes first.
offboard_end = The keys concerned will be
offboard_end_deactivate = deactivated (they can be reactivated)
offboard_end_revoke = revoked (for good)
offboard_reason = Reason, kept in the audit trail
offboard_nothing_company = No key serves this company: there is no access to retire.
offboard_nothing_service = No active key of this service: there is no access to retire.
offboard_apply = Retire access ({ $count ->
        [0] no keys
        [one] { $count } key
       *[other] { $count } keys
    })
offboard_done = Access retired: { $count ->
        [0] no keys changed
        [one] { $count } key changed
       *[other] { $count } keys changed
    }.

## The window shown when the store cannot be opened
store-problem-title = Sésame cannot open its store
store-problem-store = Store: { $store }
store-problem-what = What happened
store-problem-todo = What to do
store-problem-advice-key = The key that protects this store cannot be found on this computer (neither in the system keyring nor in its file beside the store). If it was moved, put it back. Otherwise an administrator who holds the recovery code can bring it back with “sesamectl store reseal”, or restore a backup made on this computer.
store-problem-advice-damaged = The file is damaged or is not a Sésame store. Restore the last backup with “sesamectl restore FILE”, or ask your IT provider for help. The current file was not changed.
store-problem-advice-newer = This store was written by a newer version of Sésame. Install that version on this computer, then start Sésame again.
store-problem-advice-busy = Another program is using the store right now (a restore, for example). Wait until it has finished, then start Sésame again.
store-problem-advice-access = Sésame cannot write in the store's folder, or the disk is not available. Check the disk and the folder's rights, then start Sésame again.
store-problem-advice-other = Note this message and pass it to your IT provider, then start Sésame again.
