# Le catalogue de Sésame, en français (la langue par défaut).
# Un message par identifiant ; les mêmes identifiants, avec les mêmes paramètres, dans en.ftl.
# Sections : champs et vocabulaire, erreurs du cœur, journal d'audit, sesamectl, interface.

## Champs, statuts, actions, droits

field-service_name = Le nom du service
field-key_name = Le nom de la clé
field-company_name = Le nom de la société
field-operator_name = Le nom de l'opérateur
field-description = La description
field-category = La catégorie
field-website = Le site web
field-prefix = Le préfixe
field-permission = La permission
field-note = La note
field-reason = Le motif
field-expiry = La date d'expiration
field-password = Le mot de passe
field-password_confirmation = La confirmation du mot de passe
field-current_password = Le mot de passe actuel
field-client_code = Le code client
field-siren = Le SIREN
field-town = La ville
field-tag = L'étiquette
field-contact = Le contact
field-identifier = L'identifiant
field-creator = Le créateur

status-active = active
status-inactive = inactive
status-revoked = révoquée
status-expired = expirée

key-action-done-deactivate = désactivée
key-action-done-reactivate = réactivée
key-action-done-regenerate = régénérée
key-action-done-revoke = révoquée
key-action-done-edit = modifiée
key-action-done-delete = supprimée

right-configuration = configuration de la plateforme
right-audit = audit

## Erreurs du cœur : error-<code>

error-empty = { $field } est obligatoire.
error-too_long = { $field } est trop long ({ $max } caractères au plus).
error-forbidden_character = { $field } contient un caractère de contrôle ou d'inversion du sens du texte.
error-service_name_taken = Un service nommé « { $name } » existe déjà.
error-key_name_taken = Ce service a déjà une clé nommée « { $name } ».
error-company_name_taken = Une société nommée « { $name } » existe déjà.
error-operator_name_taken = Un opérateur nommé « { $name } » existe déjà.
error-prefix_invalid = Le préfixe « { $value } » n'est pas valable : de 2 à 16 lettres minuscules ou chiffres, en commençant par une lettre.
error-prefix_taken = Le préfixe « { $value } » est déjà utilisé par un autre service.
error-website_invalid = Le site « { $value } » n'est pas une adresse http:// ou https:// valable.
error-permission_invalid = La permission « { $value } » n'est pas valable : des mots en minuscules sans accents séparés par « : », par exemple factures:lecture.
error-permission_not_offered = Le service ne propose pas la permission « { $value } ».
error-permission_in_use = La permission « { $value } » est encore accordée à { $count ->
        [0] aucune clé
        [one] { $count } clé
       *[other] { $count } clés
    } ; retirez-la d'abord de ces clés.
error-date_invalid = « { $value } » n'est pas une date valable ; écrivez-la AAAA-MM-JJ, par exemple 2027-01-31.
error-date_in_past = La date d'expiration ne peut pas être dans le passé.
error-expiry_required = Les clés du service « { $service } » doivent expirer dans les { $days } jours : indiquez une date d'expiration.
error-expiry_beyond_lifetime = Les clés du service « { $service } » ne peuvent pas vivre plus de { $days } jours : choisissez une expiration au plus tard le { $last_day }.
error-service_not_found = Aucun service « { $name } ».
error-key_not_found = Aucune clé « { $name } ».
error-key_ambiguous = Plusieurs clés s'appellent « { $name } » ; indiquez plutôt l'identifiant de la clé.
error-company_not_found = Aucune société « { $name } ».
error-company_ambiguous = « { $name } » désigne plusieurs sociétés (le nom de l'une, le code client ou le SIREN d'une autre) : indiquez son nom complet ou son code client exact.
error-company_archived = La société « { $name } » est archivée : aucune nouvelle clé ne peut lui être réservée ; restaurez-la d'abord.
error-company_not_archived = La société « { $name } » n'est pas archivée.
error-client_code_taken = Le code client « { $value } » est déjà celui d'une autre société.
error-siren_taken = Le SIREN { $value } est déjà celui d'une autre société.
error-siren_invalid = « { $value } » n'est pas un SIREN valable : 9 chiffres dont le dernier est la clé de contrôle (par exemple 732 829 320).
error-operator_not_found = Aucun opérateur « { $name } ».
error-transition_refused = La clé « { $key } » est { $status } : elle ne peut pas être { $action }.
error-sign_in_failed = Opérateur inconnu ou mot de passe incorrect.
error-sign_in_required = Connectez-vous d'abord.
error-secret_gone = Le secret n'est plus disponible : il n'est affiché qu'une fois, à la création de la clé.
error-operator_disabled = Ce compte d'opérateur est désactivé.
error-right_missing = Vous n'avez pas le droit « { $right } ».
error-already_initialised = Ce magasin a déjà un administrateur.
error-not_initialised = Ce magasin n'a pas encore d'administrateur : lancez d'abord « sesamectl init --admin NOM ».
error-password_too_short = Le mot de passe doit compter au moins { $count } caractères.
error-password_too_long = Le mot de passe doit compter au plus { $count } caractères.
error-passwords_differ = Les deux mots de passe diffèrent.
error-password_weak = Ce mot de passe est trop facile à deviner : allongez-le, par exemple avec quatre ou cinq mots sans lien entre eux, et évitez votre nom.
error-sign_in_throttled = Trop d'échecs de connexion pour ce nom : attendez { $seconds } s avant de réessayer.
error-current_password_wrong = Le mot de passe actuel est incorrect.
error-last_administrator = C'est le dernier administrateur actif : un autre opérateur doit d'abord avoir le droit « configuration de la plateforme ».
error-cannot_disable_self = Vous ne pouvez pas désactiver votre propre compte.
error-store_in_use = Le magasin est ouvert dans un autre programme (l'application ou le service de vérification) ; fermez-le, puis restaurez. Rien n'a été modifié.
error-store_restoring = Une restauration de ce magasin est en cours ; réessayez dans un instant.
error-backup_invalid = Cette sauvegarde ne peut pas être restaurée : { $why }. Rien n'a été modifié.
error-audit_chain_broken = Le journal d'audit ne se vérifie plus à partir de l'événement { $seq } (modifié, coupé ou réécrit hors de Sésame) : aucun export ne peut s'en porter garant. Lancez « sesamectl store check ».
error-export_write = L'export n'a pas pu être écrit : { $why }
error-signing_key_unavailable = La clé de signature de l'installation est inutilisable : { $why }
error-signing_key_missing = La clé de signature de l'installation (empreinte { $fingerprint }) a disparu du trousseau et de son fichier : plus rien ne peut être signé. Si elle ne peut pas être retrouvée, un opérateur ayant le droit de configuration peut en créer une nouvelle (sesamectl signing-key --recreate) ; les jetons et exports signés avec l'ancienne ne seront alors plus vérifiables.
error-signing_key_retired = La clé de signature de cette installation (empreinte { $fingerprint }) a été retirée : elle ne signe plus rien. Un opérateur ayant le droit de configuration peut en créer une nouvelle (sesamectl signing-key --recreate).
error-signing_key_unknown = Aucune clé de signature en service n'est enregistrée sous « { $kid } ». Voyez la liste avec « sesamectl signing-key --list ». Rien n'a été modifié.
error-store_not_sqlite = « { $path } » n'est pas un magasin Sésame (ce n'est pas une base SQLite).
error-store_not_sesame = La base « { $store } » n'est pas un magasin Sésame : elle contient déjà les tables d'un autre programme. Rien n'a été modifié ; donnez une base vide ou un magasin Sésame.
error-database_password_in_location = Le mot de passe de la base ne doit pas figurer dans son adresse (il serait visible dans la liste des processus) : donnez-le par la variable PGPASSWORD ou un fichier ~/.pgpass lisible par vous seul.
error-database_location_invalid = L'adresse de la base PostgreSQL n'est pas valable : { $why }
error-database_unavailable = La base « { $store } » ne répond pas ({ $why }). Rien n'a été modifié ; réessayez quand elle sera de retour.
error-store_not_empty = Le magasin « { $store } » n'est pas vide : une copie ne va que dans un magasin vide. Rien n'y a été écrit.
error-store_read_only = Le magasin « { $path } » ne peut pas être modifié (fichier ou dossier en lecture seule).
error-store_unavailable = Le magasin « { $path } » ne peut pas être ouvert : { $why }
error-store_too_new = Ce magasin a été écrit par une version plus récente de Sésame (schéma { $found }, cette version connaît jusqu'au { $supported }) ; mettez Sésame à jour. Rien n'a été modifié.
error-store_busy = Le magasin est occupé par un autre programme ; réessayez dans un instant. Rien n'a été modifié.
error-store_corrupt = Le magasin est endommagé : { $why }
error-grace_unknown = « { $value } » n'est pas une durée de grâce : choisissez tout de suite, 1 heure, 24 heures ou 7 jours. Rien n'a été modifié.
error-state_key_unavailable = La clé qui scelle les lignes du magasin est inutilisable : { $why }
error-state_key_missing = La clé qui scelle les lignes de ce magasin a disparu du trousseau et de son fichier : aucune ligne ne peut être vérifiée, rien n'a été fait. Retrouvez-la, ou faites accepter le magasin tel qu'il est par un administrateur avec « sesamectl store reseal ».
error-state_key_present = La clé qui scelle ce magasin est bien là : il n'y a rien à récupérer, et rien n'a été fait. « store reseal » ne sert que lorsque la clé est réellement perdue.
error-recovery_code_missing = Ce magasin n'a pas de code de secours (il date d'une version précédente) : sa clé ne peut pas être récupérée ainsi. Restaurez une sauvegarde sur le poste qui détient la clé, puis créez un code avec « sesamectl store recovery-code ». Rien n'a été fait.
error-recovery_code_wrong = Ce code de secours n'est pas celui de ce magasin : rien n'a été fait. Vérifiez le code imprimé ou enregistré à l'initialisation (25 caractères en 5 groupes).
error-state_tampered = { $kind ->
        [key] La clé « { $name } » a été modifiée hors de Sésame (son sceau ne correspond plus) : elle est refusée
        [operator] L'opérateur « { $name } » a été modifié hors de Sésame (son sceau ne correspond plus) : il est refusé
        [service] Le service « { $name } » a été modifié hors de Sésame (son sceau ne correspond plus) : il est refusé
        [signing_key] La clé de signature de « { $name } » a été modifiée ou ajoutée hors de Sésame (son sceau ne correspond plus) : elle est refusée
       *[other] Le réglage « { $name } » a été modifié hors de Sésame (son sceau ne correspond plus) : il est refusé
    }, et l'événement est inscrit au journal. Lancez « sesamectl store check ».
error-file_not_regular = « { $path } » n'est pas un fichier ordinaire ; seul un fichier ordinaire peut être remplacé. Rien n'a été écrit.
error-recovery_file_write = Le code de secours n'a pas pu être écrit dans « { $path } » : { $why }. Le magasin est prêt : faites un nouveau code avec « sesamectl store recovery-code » et notez-le.
error-backup_write = La sauvegarde n'a pas pu être écrite dans « { $path } » : { $why }. Rien n'a été enregistré.
error-restore_failed = La restauration a échoué : { $why }. Le magasin « { $path } » n'a pas été remplacé.
error-out_of_range = Choisissez une valeur de { $min } à { $max }.
error-import_empty = Le fichier ne contient aucune clé : il est vide ou n'a que sa ligne d'en-tête.
error-import_unreadable = Le fichier ne peut pas être lu comme un tableau CSV : { $why }
error-import_column_unknown = Colonne inconnue « { $value } ». Colonnes reconnues : service, nom, identifiant, secret, empreinte, créateur, création, expiration, permissions, sociétés, note, étiquettes, contact.
error-import_column_missing = La colonne « { $value } » est obligatoire.
error-import_column_twice = La colonne « { $value } » figure deux fois.
error-import_too_large = Le fichier compte plus de { $max } clés ; découpez-le en plusieurs fichiers.
error-import_file_too_large = Le fichier dépasse { $max } Mio ; découpez-le en plusieurs fichiers.
error-import_preview_gone = L'aperçu n'est plus disponible (application verrouillée ou import annulé) ; choisissez de nouveau le fichier.
error-import_cancelled = Import annulé : aucune clé n'a été écrite.
error-import_refused = Rien n'a été importé : { $count ->
        [0] aucune ligne n'est à corriger
        [one] { $count } ligne est à corriger
       *[other] { $count } lignes sont à corriger
    } d'abord.
error-import_cell_count = Cette ligne a { $found } cellules alors que l'en-tête en a { $expected }.
error-identifier_invalid = L'identifiant « { $value } » n'est pas valable : le préfixe du service, « _ », puis 1 à 64 lettres, chiffres, « _ » ou « - ».
error-identifier_prefix = L'identifiant « { $value } » ne commence pas par « { $prefix }_ », le préfixe du service « { $service } ».
error-identifier_taken = L'identifiant « { $value } » est déjà utilisé par une clé de Sésame.
error-import_duplicate = « { $value } » figure déjà à la ligne { $line } du fichier.
error-import_secret_and_hash = Donnez soit le secret, soit son empreinte, pas les deux.
error-import_secret_missing = Donnez le secret ou son empreinte argon2id.
error-import_secret_invalid = Le secret est inutilisable : { $problem ->
        [length] il doit compter de { $min } à { $max } caractères.
        [characters] seuls les caractères ASCII visibles sont admis, sans espace ni accent.
       *[not_sesame] il ne correspond pas à l'identifiant (un secret Sésame « ses_… » porte une somme de contrôle liée à son identifiant).
    }
error-import_hash_refused = L'empreinte est refusée : { $problem ->
        [algorithm] l'algorithme « { $algorithm } » n'est pas accepté, seul argon2id l'est.
        [version] seule la version 19 (1.3) d'argon2 est acceptée.
        [too_weak] paramètres trop faibles (m={ $memory } Kio, t={ $passes }) : il faut au moins m=19456, t=2 ou une configuration équivalente recommandée par l'OWASP.
        [too_costly] paramètres trop coûteux pour cette installation : chaque vérification prendrait plus de temps que celle des autres clés (au plus m={ $memory } Kio et m × t ≤ { $work }, p ≤ 16).
        [too_short] sel ou empreinte de moins de 16 octets.
       *[not_phc] ce n'est pas une empreinte au format PHC ($argon2id$v=19$m=…,t=…,p=…$sel$empreinte).
    }
error-import_date_invalid = « { $value } » n'est pas une date ; écrivez AAAA-MM-JJ ou JJ/MM/AAAA, éventuellement suivie d'une heure HH:MM.
error-creation_in_future = La date de création est dans le futur.
error-expiry_before_creation = La date d'expiration précède la date de création.
error-token_refused = La clé « { $key } » est { $status } : aucun jeton d'accès ne peut être émis pour elle.
error-bulk_empty_selection = Aucune clé n'est choisie.
error-bulk_nothing_changes = Aucune des clés choisies ne changerait : rien n'a été fait.
error-bulk_selection_changed = Les clés ont changé depuis l'aperçu ({ $expected } prévues, { $now } maintenant) : rien n'a été fait. Revoyez l'aperçu.
error-internal = Erreur interne : { $why }

## Journal d'audit : une phrase par action (audit-<action>), des champs (audit-field-<détail>)

audit-nobody = Sésame
audit-unknown = Événement « { $action } » (inconnu de cette version)
audit-yes = oui
audit-no = non
audit-access_refused = { $actor } s'est vu refuser une action ({ $action })
audit-audit_exported = { $actor } a exporté le journal d'audit, signé ({ $count ->
        [0] aucun événement
        [one] { $count } événement
       *[other] { $count } événements
    })
audit-audit_read = { $actor } a consulté le journal d'audit
audit-company_archived = { $actor } a archivé la société « { $target } »
audit-company_edited = { $actor } a modifié la société « { $target } »
audit-company_restored = { $actor } a restauré la société « { $target } »
audit-company_created = { $actor } a ajouté la société « { $target } »
audit-company_offboarded = { $actor } a retiré l'accès de la société « { $target } » : { $count ->
        [0] aucune clé désactivée ni révoquée
        [one] { $count } clé { $end ->
            [revoke] révoquée
           *[deactivate] désactivée
        }
       *[other] { $count } clés { $end ->
            [revoke] révoquées
           *[deactivate] désactivées
        }
    }, { $narrowed ->
        [0] aucune clé partagée n'a été restreinte
        [one] { $narrowed } clé partagée ne la sert plus
       *[other] { $narrowed } clés partagées ne la servent plus
    }
audit-service_offboarded = { $actor } a retiré l'accès au service « { $target } » : { $count ->
        [0] aucune clé désactivée ni révoquée
        [one] { $count } clé { $end ->
            [revoke] révoquée
           *[deactivate] désactivée
        }
       *[other] { $count } clés { $end ->
            [revoke] révoquées
           *[deactivate] désactivées
        }
    }
audit-keys_bulk_changed = { $actor } a appliqué une action groupée à { $count ->
        [0] aucune clé
        [one] { $count } clé
       *[other] { $count } clés
    } : { $change ->
        [deactivate] désactivation
        [reactivate] réactivation
        [revoke] révocation
        [set_expiry] nouvelle expiration
        [add_tag] étiquette ajoutée
        [remove_tag] étiquette retirée
       *[delete] suppression
    }
audit-key_checked = { $actor } a vérifié une clé à la main ({ $code })
audit-key_copied = { $actor } a copié { $part ->
        [identifier] l'identifiant
        [secret] le secret
        [token] la clé complète
        [access_token] le jeton d'accès
       *[other] une ligne d'exemple
    } de la clé « { $target } » ({ $service })
audit-key_created = { $actor } a créé la clé « { $target } » ({ $service })
audit-key_deactivated = { $actor } a désactivé la clé « { $target } » ({ $service })
audit-key_deleted = { $actor } a supprimé la clé « { $target } » ({ $service })
audit-key_edited = { $actor } a modifié la clé « { $target } » ({ $service })
audit-key_import = { $actor } a voulu importer des clés
audit-key_imported = { $actor } a importé la clé « { $target } » ({ $service })
audit-key_import_summary = { $actor } a importé { $imported ->
        [0] aucune clé
        [one] { $imported } clé
       *[other] { $imported } clés
    } d'un fichier
audit-key_reactivated = { $actor } a réactivé la clé « { $target } » ({ $service })
audit-key_regenerated = { $actor } a régénéré la clé « { $target } » ({ $service }) ; { $grace ->
        [now] l'ancien secret ne fonctionne plus
       *[other] l'ancien secret reste valable jusqu'au { $previous_secret_valid_until }
    }
audit-key_revoked = { $actor } a révoqué la clé « { $target } » ({ $service }) : « { $reason } »
audit-operator_created = { $actor } a créé le compte d'opérateur « { $target } »
audit-operator_disabled = { $actor } a désactivé le compte d'opérateur « { $target } »
audit-operator_edited = { $actor } a modifié le compte d'opérateur « { $target } »
audit-operator_enabled = { $actor } a réactivé le compte d'opérateur « { $target } »
audit-operator_list = { $actor } a consulté la liste des opérateurs
audit-operator_password_change_failed = { $actor } n'a pas pu changer son mot de passe (mot de passe actuel incorrect)
audit-operator_password_changed = { $actor } a changé son mot de passe
audit-operator_password_reset = { $actor } a donné un nouveau mot de passe à « { $target } »
audit-operator_sign_in_failed = { $reason ->
        [unknown] Connexion refusée pour un nom inconnu
       *[other] Connexion refusée pour « { $target } »
    }
audit-operator_signed_in = { $actor } s'est connecté(e)
audit-report_credentials = { $actor } a produit le rapport des clés ({ $rows ->
        [0] aucune ligne
        [one] { $rows } ligne
       *[other] { $rows } lignes
    })
audit-service_approved = { $actor } a approuvé le service « { $target } » pour le catalogue
audit-service_created = { $actor } a créé le service « { $target } »
audit-service_edited = { $actor } a modifié le service « { $target } »
audit-settings_changed = { $actor } a changé le réglage « { $setting } »
audit-signing_key_created = La clé de signature de l'installation a été créée (empreinte { $fingerprint })
audit-signing_key_moved_to_keyring = La clé de signature a été placée dans le trousseau du système
audit-signing_key_recreated = Une nouvelle clé de signature a remplacé l'ancienne (empreinte { $fingerprint })
audit-signing_key_replaced = La clé de signature trouvée n'est plus celle enregistrée (empreinte { $fingerprint })
audit-signing_key_registered = La clé de signature d'une installation a été enregistrée dans le magasin (empreinte { $fingerprint })
audit-signing_key_retired = Une clé de signature a été retirée : ses jetons sont refusés (empreinte { $fingerprint })
audit-store_backed_up = { $actor } a sauvegardé le magasin ({ $keys ->
        [0] aucune clé
        [one] { $keys } clé
       *[other] { $keys } clés
    }, { $events ->
        [0] aucun événement
        [one] { $events } événement
       *[other] { $events } événements
    })
audit-store_copied = { $actor } a copié le magasin vers « { $destination } » ({ $keys ->
        [0] aucune clé
        [one] { $keys } clé
       *[other] { $keys } clés
    }, { $events ->
        [0] aucun événement
        [one] { $events } événement
       *[other] { $events } événements
    })
audit-store_checked = { $actor } a vérifié le magasin
audit-store_resealed = { $key ->
        [recovered] { $actor } a récupéré la clé perdue du magasin avec son code de secours
       *[other] Le magasin a été accepté tel quel et scellé avec une nouvelle clé
    }
audit-store_restored = Le magasin a été restauré depuis une sauvegarde
audit-audit_anchored = La fin du journal d'audit a été ancrée là où il s'arrête maintenant
audit-store_recovery_code_created = { $actor } a créé un code de secours du magasin (un code précédent ne fonctionne plus)
audit-store_sealed = Les lignes du magasin ont été scellées ({ $rows ->
        [0] aucune ligne
        [one] { $rows } ligne
       *[other] { $rows } lignes
    })
audit-store_tampered = Une ligne modifiée hors de Sésame a été refusée : « { $name } »
audit-token_issued = { $actor } a émis un jeton d'accès pour la clé « { $target } » ({ $service }), valable jusqu'au { $expires_at }
audit-field-previous_head = Ancrage précédent
audit-field-client_code = Code client
audit-field-siren = SIREN
audit-field-town = Ville
audit-field-max_lifetime_days = Durée de vie maximale des clés (jours)
audit-field-code = Réponse
audit-field-permission = Permission
audit-field-company = Société
audit-field-tags = Étiquettes
audit-field-contact = Contact
audit-field-action = Action demandée
audit-field-reason = Motif
audit-field-rights = Droits
audit-field-right = Droit manquant
audit-field-wait_seconds = Attente imposée (s)
audit-field-status = Statut
audit-field-setting = Réglage
audit-field-part = Partie copiée
audit-field-name = Nom
audit-field-kind = Nature
audit-field-keys = Clés
audit-field-id = Identifiant interne
audit-field-first_administrator = Premier administrateur
audit-field-file = Fichier
audit-field-events = Événements
audit-field-during = Pendant
audit-field-permissions = Permissions
audit-field-companies = Sociétés
audit-field-expires_at = Expiration
audit-field-note = Note
audit-field-description = Description
audit-field-website = Site web
audit-field-category = Catégorie
audit-field-prefix = Préfixe
audit-field-grace = Délai de grâce
audit-field-previous_secret_valid_until = Ancien secret valable jusqu'au
audit-field-count = Nombre
audit-field-first_seq = Premier événement
audit-field-last_seq = Dernier événement
audit-field-from = Depuis
audit-field-destination = Destination
audit-field-to = Jusqu'à
audit-field-fingerprint = Empreinte
audit-field-previous_fingerprint = Empreinte précédente
audit-field-home = Emplacement
audit-field-by = Par
audit-field-rows = Lignes
audit-field-imported = Importées
audit-field-from_secret = Avec secret
audit-field-from_hash = Avec empreinte
audit-field-encoding = Encodage
audit-field-sealed_now = Scellées à la restauration
audit-field-previous_kept_at = Ancien magasin gardé dans
audit-field-lifetime_seconds = Durée de vie (s)
audit-field-change = Changement
audit-field-line = Ligne
audit-field-end = Fin des clés
audit-field-narrowed = Clés partagées modifiées
audit-field-tag = Étiquette
# Ce qu'une opération refusée demandait (« Action demandée »).
audit-asked-access_refused = Une action refusée
audit-asked-audit_exported = Exporter le journal
audit-asked-audit_read = Consulter le journal
audit-asked-company_archived = Archiver une société
audit-asked-company_created = Créer une société
audit-asked-company_edited = Modifier une société
audit-asked-company_restored = Rétablir une société
audit-asked-key_copied = Copier une clé
audit-asked-key_created = Créer une clé
audit-asked-key_deactivated = Désactiver une clé
audit-asked-key_deleted = Supprimer une clé
audit-asked-key_edited = Modifier une clé
audit-asked-key_import = Importer des clés
audit-asked-key_imported = Importer une clé
audit-asked-key_import_summary = Importer des clés
audit-asked-key_reactivated = Réactiver une clé
audit-asked-key_regenerated = Régénérer une clé
audit-asked-key_revoked = Révoquer une clé
audit-asked-operator_created = Créer un opérateur
audit-asked-operator_disabled = Désactiver un opérateur
audit-asked-operator_edited = Modifier un opérateur
audit-asked-operator_enabled = Réactiver un opérateur
audit-asked-operator_list = Voir les opérateurs
audit-asked-operator_password_change_failed = Changer son mot de passe
audit-asked-operator_password_changed = Changer son mot de passe
audit-asked-operator_password_reset = Réinitialiser un mot de passe
audit-asked-operator_sign_in_failed = Se connecter
audit-asked-operator_signed_in = Se connecter
audit-asked-report_credentials = Produire le rapport des clés
audit-asked-service_approved = Approuver un service
audit-asked-service_created = Créer un service
audit-asked-service_edited = Modifier un service
audit-asked-settings_changed = Modifier les paramètres
audit-asked-signing_key_created = Créer la clé de signature
audit-asked-signing_key_moved_to_keyring = Placer la clé de signature dans le trousseau
audit-asked-signing_key_recreated = Recréer la clé de signature
audit-asked-signing_key_replaced = Remplacer la clé de signature
audit-asked-signing_key_registered = Enregistrer une clé de signature
audit-asked-signing_key_retired = Retirer une clé de signature
audit-asked-store_backed_up = Sauvegarder le magasin
audit-asked-key_checked = Vérifier une clé
audit-asked-keys_bulk_changed = Modifier des clés en groupe
audit-asked-company_offboarded = Retirer l'accès d'une société
audit-asked-service_offboarded = Retirer l'accès d'un service
audit-asked-store_checked = Vérifier le magasin
audit-asked-store_copied = Copier le magasin
audit-asked-store_resealed = Resceller le magasin
audit-asked-store_restored = Restaurer le magasin
audit-asked-store_sealed = Sceller le magasin
audit-asked-store_tampered = Signaler une ligne modifiée hors de Sésame
audit-asked-token_issued = Émettre un jeton d'accès
audit-asked-audit_anchored = Ancrer le journal
audit-asked-store_recovery_code_created = Créer un code de secours
audit-kind-key = Clé
audit-kind-operator = Opérateur
audit-kind-service = Service
audit-kind-setting = Paramètre
audit-kind-signing_key = Clé de signature
audit-kind-company = Société
audit-during-write = Une modification
audit-during-store_check = Le contrôle du magasin
audit-during-verification = La vérification d'une clé
audit-during-sign_in = Une connexion
audit-during-token_check = La vérification d'un jeton
audit-from-hash = Une empreinte argon2id
audit-from-secret = Un secret, haché à l'import
audit-part-identifier = l'identifiant
audit-part-secret = le secret
audit-part-token = la clé complète
audit-part-access_token = le jeton d'accès
audit-part-usage_bearer = une ligne d'exemple (Bearer)
audit-part-usage_api_key = une ligne d'exemple (X-Api-Key)
audit-part-usage_basic = une ligne d'exemple (Basic)
audit-part-usage_token = une ligne d'exemple (jeton)
audit-grace-now = aucun
audit-grace-1h = 1 heure
audit-grace-24h = 24 heures
audit-grace-7d = 7 jours
audit-reason-unknown = nom inconnu
audit-reason-disabled = compte désactivé
audit-reason-throttled = trop d'échecs récents
audit-reason-current_password = mot de passe actuel incorrect
audit-reason-password = mot de passe incorrect
bulk-change-deactivate = désactivation
bulk-change-reactivate = réactivation
bulk-change-revoke = révocation
bulk-change-set_expiry = nouvelle expiration
bulk-change-add_tag = étiquette ajoutée
bulk-change-remove_tag = étiquette retirée
bulk-change-delete = suppression
offboard-end-deactivate = désactivées
offboard-end-revoke = révoquées
key-effect-deactivated = sera désactivée
key-effect-reactivated = sera réactivée
key-effect-revoked = sera révoquée
key-effect-deleted = sera supprimée
key-effect-expiry_changed = nouvelle expiration
key-effect-tag_added = étiquette ajoutée
key-effect-tag_removed = étiquette retirée
key-effect-loses_company = ne servira plus cette société
key-effect-unchanged = inchangée

## Formats de date (motifs strftime de chrono)

format-date-time = %d/%m/%Y %H:%M
format-date = %d/%m/%Y

verify-VALID = Clé valable : le service de vérification l'accepterait.
verify-MALFORMED = Ce n'est pas une clé : il faut l'identifiant, un point, puis le secret (par exemple paie_….ses_…).
verify-NOT_FOUND = Aucune clé n'a cet identifiant.
verify-INVALID_SECRET = Le secret ne correspond pas à cet identifiant.
verify-INACTIVE = La clé est désactivée : elle serait refusée.
verify-REVOKED = La clé est révoquée : elle serait refusée.
verify-EXPIRED = La clé a expiré : elle serait refusée.
verify-INSUFFICIENT_PERMISSION = La clé est valable mais n'a pas cette permission.
verify-COMPANY_FORBIDDEN = La clé est valable mais n'est pas autorisée pour cette société.
verify-TAMPERED = La clé a été modifiée hors de Sésame : elle est refusée.
## Rapport, import, usage

report-column-service = Service
report-column-key = Clé
report-column-identifier = Identifiant
report-column-status = Statut
report-column-created = Créée le
report-column-created_by = Créée par
report-column-last_use = Dernière utilisation
report-column-expiry = Expiration
report-column-permissions = Permissions
report-column-companies = Sociétés
report-column-last_regeneration = Dernière régénération
report-column-revoked = Révoquée le
report-column-revoked_by = Révoquée par
report-column-revocation_reason = Motif de révocation
report-column-tags = Étiquettes
report-column-contact = Contact
calendar-name = Sésame — expirations des clés
calendar-summary = Fin de la clé « { $key } » ({ $service })
calendar-description = La clé « { $key } » du service « { $service } » (identifiant { $identifier }) fonctionne jusqu'au { $day } inclus. Régénérez-la ou prolongez-la dans Sésame avant cette date si elle sert encore.
report-no-expiry = sans expiration
report-never-used = jamais
report-use-unknown = inconnue
report-all-companies = toutes
import-column-service = service
import-column-name = nom
import-column-identifier = identifiant
import-column-secret = secret
import-column-hash = empreinte
import-column-creator = créateur
import-column-created = création
import-column-expiry = expiration
import-column-permissions = permissions
import-column-companies = sociétés
import-column-tags = étiquettes
import-column-contact = contact
import-column-note = note
usage-secret-placeholder = VOTRE_SECRET
app-store-local = l'application de bureau garde son magasin local (un fichier) ; un magasin PostgreSQL se sert par « sesamectl » et, plus tard, par le serveur du cabinet.
app-locked = Sésame est verrouillé : saisissez votre mot de passe pour continuer.

## sesamectl

cli-access_restricted_to_your_account_alone = Accès restreint à votre seul compte (d'autres comptes pouvaient le lire) :
cli-active_keys = clés actives
cli-administrator_created = Administrateur créé
cli-audit_events = { $count ->
        [0] aucun événement du journal
        [one] { $count } événement du journal
       *[other] { $count } événements du journal
    }
cli-audit_trail_broken_at_event = Journal rompu à l'événement
cli-awaiting_approval = en attente d'approbation
cli-backup_written = Sauvegarde écrite :
cli-changed_outside_s_same = Modifié hors de Sésame :
cli-company-edited = Société modifiée :
cli-company-archived = Société archivée :
cli-company-restored = Société restaurée :
cli-company-archived-mark = { "\u0009(archivée)" }
cli-company_added = Société ajoutée
cli-disabled = { " — désactivé" }
cli-documentation = Documentation :
cli-events = { $count ->
        [0] aucun événement
        [one] { $count } événement
       *[other] { $count } événements
    }
cli-exported = Exporté :
cli-file = Fichier
cli-fingerprint = Empreinte
cli-hashing_secrets = Hachage des secrets :
cli-identifier = Identifiant :
cli-key = clé
cli-key_deleted = Clé supprimée
cli-keys = { $count ->
        [0] aucune clé
        [one] { $count } clé
       *[other] { $count } clés
    }
cli-bulk-counts = { $changing ->
        [0] Aucune clé ne change
        [one] { $changing } clé change
       *[other] { $changing } clés changent
    }, { $unchanged ->
        [0] aucune ne reste inchangée
        [one] { $unchanged } reste inchangée
       *[other] { $unchanged } restent inchangées
    }.
cli-bulk-applied = C'est fait.
cli-bulk-not-applied = Rien n'a encore été fait : pour appliquer exactement ceci, relancez avec --yes --confirm { $code }.
cli-line = ligne
cli-lines_read = { $count ->
        [0] aucune ligne lue
        [one] { $count } ligne lue
       *[other] { $count } lignes lues
    }
cli-listed = au catalogue
cli-never_used = Jamais utilisée
cli-no_expiry = sans expiration
cli-no_rights = aucun droit
cli-password_changed = Mot de passe changé.
cli-public_key_ed25519 = Clé publique (Ed25519)
cli-report_written = Rapport écrit :
cli-rows_checked = { $count ->
        [0] aucune ligne vérifiée
        [one] { $count } ligne vérifiée
       *[other] { $count } lignes vérifiées
    }
cli-secret = Secret :
cli-service = service
cli-signing_key_fingerprint = Empreinte de la clé de signature :
cli-signing_key_in_use = en service
cli-signing_key_retired = retirée le
cli-signing_key_registered = enregistrée le
cli-signing_key_retired_done = Clé de signature retirée : elle ne figure plus dans le JWKS des services de vérification et ses jetons sont refusés.
cli-store_key_recovered = La clé du magasin a été récupérée avec le code de secours ; les lignes modifiées hors de Sésame restent signalées. L'événement est au journal.
cli-recovery_code_shown_once = Code de secours du magasin — notez-le ou imprimez-le maintenant et gardez-le hors de cet ordinateur : il ne sera plus jamais affiché. Lui seul permet de récupérer le magasin si sa clé de scellement est perdue (« sesamectl store reseal »).
cli-key_counts_rebuilt = Les totaux tenus de la liste des clés ne correspondaient plus aux clés (modifiés hors de Sésame) : ils ont été recalculés.
cli-store_intact = Magasin intact.
cli-store_restored_from = Magasin restauré depuis
cli-system_keyring = Trousseau du système
cli-the_previous_store_is_kept_in = L'ancien magasin est gardé dans
cli-this_secret_will_never_be_shown = Ce secret ne sera plus jamais affiché : copiez-le maintenant.
cli-token = Jeton :
cli-use_unknown = Utilisation inconnue
cli-verification_service_listening_on = Service de vérification à l'écoute sur
cli-warning_the_service_listens_beyond_this = Attention : le service écoute au-delà de cette machine, sur l'adresse demandée.
cli-with_a_hash = avec empreinte
cli-with_a_secret = avec secret
cli-colon = { " :" }
cli-error = Erreur :
cli-key-created = Clé « { $key } » créée pour le service « { $service } ».
cli-key-regenerated = Nouveau secret pour la clé « { $key } ».
cli-keys-imported = { $count ->
        [0] Aucune clé importée
        [one] { $count } clé importée
       *[other] { $count } clés importées
    } : { $secrets } avec secret (haché avec argon2id), { $hashes } avec empreinte.
cli-prompt-recovery-code = { "Code de secours : " }
cli-prompt-password = { "Mot de passe : " }
cli-prompt-password-again = { "Mot de passe (encore) : " }
cli-prompt-new-password = { "Nouveau mot de passe : " }
cli-prompt-new-password-again = { "Nouveau mot de passe (encore) : " }
cli-signing-key-in-file = Attention : aucun trousseau du système ne répond ({ $problem }) ; la clé de signature est gardée dans le fichier { $path }, lisible par vous seul.
cli-store-copied = Magasin copié vers « { $destination } » : { $keys ->
        [0] aucune clé
        [one] { $keys } clé
       *[other] { $keys } clés
    }, { $events ->
        [0] aucun événement du journal
        [one] { $events } événement du journal
       *[other] { $events } événements du journal
    }, chaîne vérifiée à l'arrivée.
cli-error-postgres_not_yet = Cette commande ne s'applique qu'à un magasin SQLite. Pour restaurer une sauvegarde sur PostgreSQL, copiez-la dans une base vide : « sesamectl --db SAUVEGARDE store copy --to URL ».
cli-keys-expiring = { $count ->
        [0] Aucune clé n'expire
        [one] { $count } clé expire
       *[other] { $count } clés expirent
    } dans les { $days } jours.
cli-calendar-written = Calendrier écrit :
cli-error-missing_operator = Indiquez l'opérateur avec la variable SESAME_USER.
cli-error-password_unavailable = Un mot de passe est nécessaire : définissez SESAME_PASSWORD ou lancez la commande depuis un terminal ({ $why }).
cli-error-stdin = Impossible de lire la clé sur l'entrée standard : { $why }
cli-error-file_exists = Le fichier « { $path } » existe déjà ; choisissez un autre nom ou ajoutez --overwrite.
cli-error-file = Le fichier « { $path } » est inutilisable : { $why }
cli-error-serve = Le service de vérification ne peut pas démarrer : { $why }
cli-error-unconfirmed = Rien n'a été fait : --yes applique l'aperçu que vous avez lu. Relisez-le ci-dessus, puis relancez avec --yes --confirm { $code }.
cli-error-preview_changed = Rien n'a été fait : les clés ont changé depuis l'aperçu { $seen }. Voici l'aperçu actuel ; pour l'appliquer, relancez avec --yes --confirm { $now }.
cli-error-no_selection = Aucune clé n'est choisie : donnez --key (une ou plusieurs fois), au moins un critère (--service, --company, --status, --name, --creator, --health, --tag), ou --all pour toutes les clés.
cli-operator-added = Opérateur ajouté
cli-operator-changed = Opérateur modifié
cli-operator-disabled = Opérateur désactivé
cli-operator-enabled = Opérateur réactivé
cli-operator-password-reset = Mot de passe réinitialisé
export-verdict-ok = OK : { $count ->
        [0] aucun événement
        [one] { $count } événement
       *[other] { $count } événements
    } (n° { $first } à { $last }), intacts, signés par la clé d'empreinte { $fingerprint }. Confirmez cette empreinte auprès de l'office.
export-verdict-ok_empty = OK : { $count ->
        [0] aucun événement
        [one] { $count } événement
       *[other] { $count } événements
    }, intacts, signés par la clé d'empreinte { $fingerprint }. Confirmez cette empreinte auprès de l'office.
export-verdict-empty = Le fichier est vide.
export-verdict-not_an_export = Ce fichier n'est pas un export d'audit Sésame.
export-verdict-no_manifest = Le manifeste signé manque en fin de fichier : l'export a été tronqué.
export-verdict-bad_signature = La signature du manifeste est invalide : le manifeste a été modifié ou signé par une autre clé.
export-verdict-other_key = L'export est signé par une autre clé (empreinte { $fingerprint }).
export-verdict-unreadable = Ligne { $line } : ce n'est pas un événement lisible (modifiée ou tronquée).
export-verdict-changed = L'événement n° { $seq } (ligne { $line }) a été modifié : son empreinte ne correspond plus à son contenu.
export-verdict-removed = L'événement n° { $expected } a été supprimé : la ligne { $line } porte le n° { $seq }.
export-verdict-inserted = Un événement a été inséré : le n° { $seq } apparaît une seconde fois (ligne { $line }).
export-verdict-reordered = Les événements ont été déplacés : le n° { $seq } est hors de sa place (ligne { $line }).
export-verdict-broken_link = L'événement n° { $seq } (ligne { $line }) ne suit pas le précédent : la chaîne est rompue.
export-verdict-truncated = Des événements manquent après le n° { $after } : l'export a été tronqué.
export-verdict-digest_mismatch = Le contenu des lignes diffère de ce qui a été signé.

## Interface de bureau

app_name = Sésame
sections = Rubriques
pages = Pages
loading = Chargement…
recovery_title = Votre code de secours
recovery_intro = Ce code est la seule façon de récupérer ce magasin si la clé qui le scelle est perdue (nouvel ordinateur, trousseau effacé). Sésame ne le garde pas et ne l'affichera plus jamais.
recovery_keep = Imprimez-le ou recopiez-le, et rangez-le hors de cet ordinateur (dans le coffre du cabinet, par exemple).
recovery_print = Imprimer
recovery_noted = J'ai imprimé ou noté ce code, et je le range en lieu sûr
recovery_continue = Continuer
setup_title = Bienvenue dans Sésame
setup_intro = Créez le compte administrateur. Il pourra ensuite ajouter des services et générer des clés.
setup_submit = Créer l'administrateur
name = Nom
password = Mot de passe
password_again = Mot de passe (encore)
password_hint = { $min } caractères au moins. Une phrase de plusieurs mots est facile à retenir.
strength = Solidité
strength_0 = très faible
strength_1 = faible
strength_2 = moyen
strength_3 = bon
strength_4 = excellent
signin_title = Connexion
signin_submit = Se connecter
signout = Se déconnecter
nav_catalogue = Catalogue
nav_keys = Clés
nav_settings = Paramètres
signed_in_as = Connecté :
catalogue_title = Catalogue des services
catalogue_filter_category = Catégorie
catalogue_filter_text = Rechercher
all_categories = Toutes les catégories
service_new = Nouveau service
service_edit = Modifier
service_approve = Approuver
service_awaiting = En attente d'approbation
service_listed = Au catalogue
service_active_keys = clés actives
service_keys = Voir les clés
service_website = Site web
service_description = Description
service_category = Catégorie
service_prefix = Préfixe des clés
service_prefix_hint = Laissez vide pour le déduire du nom (ex. paie).
service_permissions = Permissions proposées
service_permissions_hint = Une par ligne, par exemple factures:lecture.
service_none = Aucun service pour l'instant. Commencez par en créer un.
service_no_match = Aucun service ne correspond.
save = Enregistrer
cancel = Annuler
close = Fermer
back = Revenir
confirm = Confirmer
working = Un instant…
required = Ce champ est obligatoire.
keys_title = Clés
keys_of = Clés du service
criteria = Critères
criteria_service = Service
criteria_company = Société
criteria_status = Statut
criteria_name = Le nom contient
criteria_creator = Créée par
any = Tous
filter = Filtrer
reset = Réinitialiser les critères
status_active = Active
status_inactive = Inactive
status_revoked = Révoquée
status_expired = Expirée
col_name = Nom
col_identifier = Identifiant
col_service = Service
col_created = Créée le
col_creator = Créée par
col_last_use = Dernière utilisation
col_expiry = Expiration
col_status = Statut
col_actions = Actions
never_used = Jamais utilisée
use_unknown = Utilisation inconnue
no_expiry = Aucune
keys_none = Aucune clé ne correspond à ces critères.
keys_count = { $from }–{ $to } sur { $total } clés
keys_count_zero = 0 clé
keys_count_one = 1 clé
identifier_copied = Identifiant { $identifier } copié.
previous = Précédent
next = Suivant
generate = Générer une clé
key_name = Nom de la clé
key_name_hint = Par exemple le nom de l'application ou du prestataire.
key_service = Service
key_expiry = Dernier jour de validité (facultatif)
key_expiry_hint = Le dernier jour où la clé fonctionne, par exemple 31/12/2027 ; vide : sans expiration.
key_permissions = Permissions
key_permissions_required = Choisissez au moins une permission : sans elle, la clé ne permettrait rien.
key_companies = Limiter aux sociétés (facultatif)
key_companies_none = Aucune société enregistrée.
key_note = Note (facultatif)
key_generate_submit = Générer
key_edit = Modifier
key_edit_title = Modifier la clé
key_deactivate = Désactiver
key_reactivate = Réactiver
key_regenerate = Régénérer
key_revoke = Révoquer
key_delete = Supprimer
copy = Copier
copied = Copié. Le presse-papiers sera vidé dans { $seconds } s.
copy_identifier = Copier l'identifiant
usage = Utilisation
usage_title = Utiliser la clé « { $name } »
usage_intro = Une application envoie la clé au service de vérification de Sésame de l'une de ces façons. Remplacez VOTRE_SECRET par le secret de la clé : il n'est affiché qu'à sa création.
usage_intro_secret = Lignes prêtes à copier, avec le secret : elles aussi ne seront plus affichées.
usage_bearer = En-tête Authorization: Bearer
usage_api_key = En-tête X-Api-Key
usage_basic = HTTP Basic (identifiant et secret)
usage_token = Obtenir un jeton d'accès
usage_docs = Documentation de l'API de vérification
usage_docs_opened = Documentation ouverte dans le navigateur.
line_copied = Ligne copiée.
token_generate = Générer un jeton
token_title = Jeton d'accès pour « { $name } »
token_intro = Un jeton d'accès signé (JWT), le même que celui que donne POST /v1/tokens. Il est affiché une seule fois.
token_lifetime = Durée de validité
token_hours_1 = 1 heure
token_hours_8 = 8 heures
token_hours_24 = 24 heures
token_hours_168 = 7 jours
token_hours_720 = 30 jours
token_hours_other = { $hours } heures (réglage)
token_submit = Générer le jeton
token_value = Jeton
token_expires = Valable jusqu'au { $date }.
token_close_question = Avez-vous copié le jeton ? Une fois cette fenêtre fermée, personne ne pourra le revoir.
import = Importer
import_title = Importer des clés existantes
import_intro = Un fichier CSV (Excel « CSV séparateur point-virgule » convient) avec une ligne d'en-tête : service, nom, identifiant, et secret ou empreinte (argon2id). Colonnes facultatives : créateur, création, expiration, permissions, sociétés, note. Rien n'est écrit avant votre confirmation, et seulement si toutes les lignes sont bonnes.
import_file = Fichier CSV
import_reading = Lecture du fichier…
import_summary = { $rows ->
        [0] Aucune ligne lue
        [one] { $rows } ligne lue
       *[other] { $rows } lignes lues
    } : { $with_secret } avec secret, { $with_hash } avec empreinte. Codage { $encoding }, séparateur « { $delimiter } ».
import_refused = { $count ->
        [0] Aucune ligne à corriger
        [one] { $count } ligne à corriger : rien ne sera importé tant qu'elle ne l'est pas
       *[other] { $count } lignes à corriger : rien ne sera importé tant qu'elles ne le sont pas toutes
    }. Corrigez le fichier puis choisissez-le de nouveau.
import_problems = Lignes refusées
import_to_create = Clés qui seront créées
import_more = … et { $count ->
        [0] aucune autre
        [one] { $count } autre
       *[other] { $count } autres
    }.
import_col_line = Ligne
import_col_column = Colonne
import_col_problem = Problème
import_col_from = Origine
import_from_secret = secret
import_from_hash = empreinte
import_confirm = Importer { $count ->
        [0] aucune clé
        [one] { $count } clé
       *[other] { $count } clés
    }
import_hashing = Hachage des secrets : { $hashed } / { $to_hash }
import_writing = Enregistrement…
import_done = { $imported ->
        [0] Aucune clé importée
        [one] { $imported } clé importée. Sa dernière utilisation est « Utilisation inconnue » jusqu'à son premier passage
       *[other] { $imported } clés importées. Leur dernière utilisation est « Utilisation inconnue » jusqu'à leur premier passage
    }.
secret_title_created = Votre nouvelle clé
secret_title_regenerated = Le nouveau secret
secret_warning = Le secret ne sera plus jamais affiché. Copiez-le maintenant et transmettez-le par un moyen sûr.
secret_identifier = Identifiant (public)
secret_secret = Secret
secret_token = Jeton complet (identifiant.secret)
secret_close_question = Avez-vous copié ou noté le secret ? Une fois cette fenêtre fermée, personne ne pourra le revoir.
secret_close_yes = Oui, fermer
confirm_deactivate = Désactiver la clé « { $name } » ? Elle sera refusée jusqu'à sa réactivation.
confirm_reactivate = Réactiver la clé « { $name } » ?
confirm_delete = Supprimer la clé « { $name } » ? Elle disparaîtra des listes et ne fonctionnera plus ; son historique reste dans le journal.
confirm_revoke = Révoquer la clé « { $name } » ? C'est définitif.
revoke_reason = Motif de la révocation
confirm_regenerate = Donner un nouveau secret à la clé « { $name } » ?
grace = L'ancien secret cesse de fonctionner
grace_now = immédiatement
grace_1h = dans 1 heure
grace_24h = dans 24 heures
grace_7d = dans 7 jours
settings_title = Paramètres
settings_language = Langue
settings_clipboard = Vider le presse-papiers après (secondes)
settings_clipboard_hint = Entre 10 et 300 secondes.
settings_store = Fichier des données
settings_saved = Paramètres enregistrés.
nav_audit = Journal
audit_title = Journal d'audit
audit_export = Exporter le journal signé
credential_report = Rapport des clés (CSV)
chain_ok = Chaîne intacte : { $count ->
        [0] aucun événement vérifié
        [one] { $count } événement vérifié
       *[other] { $count } événements vérifiés
    }.
chain_broken = Chaîne rompue à l'événement n° { $seq } : le journal a été modifié hors de Sésame.
audit_exported = Journal exporté ({ $count } événements) :
report_saved = Rapport écrit ({ $count } clés) :
audit_from = Du
audit_to = Au
audit_operator = Opérateur
audit_action = Action
audit_target = Objet (nom exact ou identifiant)
audit_seq = N°
audit_at = Date
audit_event = Événement
audit_details = Détails
audit_newer = Plus récents
audit_older = Plus anciens
family_key = Clés
family_service = Services
family_company = Sociétés
family_operator = Opérateurs et connexions
family_access = Refus d'accès
family_settings = Paramètres
family_audit = Journal : consultations, exports et ancrage
family_report = Rapports
family_store = Sauvegardes, copies et contrôles d'intégrité
family_keys = Modifications groupées de clés
family_token = Jetons d'accès délivrés
family_signing_key = Clé de signature
criteria_health = Santé
health_unused = Inutilisées depuis 90 jours
health_no_expiry = Sans date d'expiration
health_not_regenerated = Non régénérées depuis un an
health_expiring_soon = Expirent dans les 30 jours
health_refused_attempts = Essayées alors qu'inactives ou révoquées
backup_title = Sauvegarde
backup_hint = Copie complète du magasin, sans aucun secret, dans votre dossier Documents. Restaurer se fait avec « sesamectl restore FICHIER », Sésame fermé.
backup_now = Sauvegarder maintenant
backup_saved = Sauvegarde écrite ({ $count } clés) :
one_use = 1 utilisation
uses = { $count } utilisations
settings_lock = Verrouiller après (minutes sans activité)
settings_token = Durée de vie des jetons d'accès (heures)
settings_token_hint = Entre 1 et 720 heures (30 jours) ; 24 par défaut. Les jetons délivrés gardent leur durée.
settings_lock_hint = Entre 1 et 60 minutes. Sésame demande alors à nouveau votre mot de passe.
settings_reserved = Ces réglages sont réservés aux opérateurs ayant le droit « configuration de la plateforme ».
signing_key_title = Clé de signature de l'installation
signing_key_pending = Recherche du trousseau du système…
signing_key_keyring = Gardée dans le trousseau du système :
signing_key_file = Aucun trousseau du système ne répond ({ $problem }). La clé est gardée dans un fichier lisible par vous seul :
signing_key_fingerprint = Empreinte :
signing_key_fingerprint_hint = Un auditeur peut comparer cette empreinte avec celle d'un export signé, par téléphone par exemple.
password_mine = Mon mot de passe
password_current = Mot de passe actuel
password_new = Nouveau mot de passe
password_change = Changer mon mot de passe
password_changed = Mot de passe changé.
strength_short = trop court
strength_refused = pas encore accepté
lock = Verrouiller
locked_title = Sésame est verrouillé
locked_intro = Saisissez le mot de passe de
unlock = Déverrouiller
lock_switch_operator = Changer d'opérateur
operators_title = Opérateurs
operator_new = Ajouter un opérateur
operator_edit = Modifier
operator_reset = Nouveau mot de passe
operator_disable = Désactiver
operator_enable = Réactiver
operator_rights = Droits
operator_state = État
operator_active = Actif
operator_disabled = Désactivé
right_configuration = configuration de la plateforme
right_configuration_hint = Services, approbation, clés et opérateurs.
right_audit = audit
right_audit_hint = Journal d'audit, exports et rapports.
right_none = consultation seulement
language_fr = Français
language_en = English
date_placeholder = JJ/MM/AAAA
date_calendar = Calendrier
date_previous_month = Mois précédent
date_next_month = Mois suivant
date_invalid = « { $value } » n'est pas une date valable : écrivez-la JJ/MM/AAAA, par exemple 31/01/2027, ou choisissez-la dans le calendrier.
nav_companies = Sociétés
companies_title = Sociétés clientes
companies_intro = Les tiers et dossiers du cabinet auxquels une clé peut être réservée. Une société archivée n'est plus proposée pour une nouvelle clé ; ses clés la gardent.
companies_none = Aucune société : ajoutez la première.
companies_show_archived = Afficher les sociétés archivées ({ $count })
company_new = Ajouter une société
company_edit = Modifier
company_archive = Archiver
company_restore = Restaurer
company_archived = archivée
company_show_keys = Voir les clés
company_keys = Clés
company_client_code = Code client
company_client_code_hint = Le code du dossier dans les outils du cabinet, par exemple 95963 ; facultatif.
company_siren = SIREN
company_siren_hint = 9 chiffres, par exemple 732 829 320 ; facultatif.
company_town = Ville
health_beyond_max_lifetime = Au-delà de la durée de vie maximale
service_max_lifetime = Durée de vie maximale des clés (jours)
service_max_lifetime_hint = Par exemple 366 : chaque clé doit alors expirer dans ce délai. Vide : sans limite.
service_max_lifetime_invalid = Un nombre de jours de 1 à 3650, ou rien.
check_key = Vérifier une clé
check_key_intro = Collez une clé (identifiant.secret) : Sésame répond comme le service de vérification. Le secret n'est ni gardé ni inscrit au journal ; la vérification ne compte pas comme une utilisation.
check_key_field = Clé
check_key_permission = Permission demandée (facultatif)
check_key_company = Société (facultatif)
check_key_submit = Vérifier
check_key_code = Code technique : { $code }
check_key_of = Clé « { $name } » du service « { $service } ».
check_export = Vérifier un export du journal
check_export_intro = Choisissez un export signé (.jsonl) : Sésame le vérifie comme « sesamectl audit verify ». Confirmez ensuite l'empreinte auprès de l'office.
check_export_file = Fichier d'export
key_tags = Étiquettes
key_tags_hint = Des mots libres, séparés par des virgules : « paie, externe ».
key_contact = Contact
key_contact_hint = Qui appeler au sujet de la clé : un nom, une adresse e-mail ou un téléphone.
key_actions = Actions
key_row_companies = Pour { $names }
key_row_companies_more = Pour { $names } et { $more ->
        [one] 1 autre
       *[other] { $more } autres
    }
key_contact_short = Contact : { $contact }
criteria_tag = Étiquette
export_calendar = Exporter le calendrier des expirations
calendar_saved = Calendrier des expirations écrit ({ $count ->
        [0] aucune clé
        [one] { $count } clé
       *[other] { $count } clés
    } dans les 90 jours) : { $path } — ouvrez-le avec Outlook ou Thunderbird.
reminder-title = Sésame : { $count ->
        [0] aucune clé n'expire
        [one] { $count } clé expire
       *[other] { $count } clés expirent
    } dans les { $days } jours
reminder-line = « { $key } » ({ $service }) : dernier jour le { $day }
reminder-more = … et { $count ->
        [0] aucune autre
        [one] { $count } autre
       *[other] { $count } autres
    } : voyez l'écran « Clés ».
settings_warning = Prévenir des expirations (jours à l'avance)
settings_warning_hint = Entre 1 et 365 jours ; 30 par défaut. L'application prévient à l'ouverture puis chaque jour, et compte ces clés sur « Clés ».
nav_keys_expiring = { $count ->
        [0] Aucune clé n'expire
        [one] { $count } clé expire
       *[other] { $count } clés expirent
    } dans les { $days } jours

plan_counts = { $changing ->
        [0] Aucune clé ne changera
        [one] { $changing } clé changera
       *[other] { $changing } clés changeront
    } ; { $unchanged ->
        [0] aucune ne restera inchangée
        [one] { $unchanged } restera inchangée
       *[other] { $unchanged } resteront inchangées
    }.
plan_effect = Ce qui change
plan_more = … et { $count ->
        [0] aucune autre clé
        [one] { $count } autre clé, comptée ci-dessus
       *[other] { $count } autres clés, comptées ci-dessus
    }.
plan_preview = Voir l'aperçu
plan_back = Retour
plan_apply = Appliquer à { $count ->
        [0] aucune clé
        [one] { $count } clé
       *[other] { $count } clés
    }
bulk_actions = Actions groupées
bulk_choose = Action groupée
bulk_kind_deactivate = Désactiver
bulk_kind_reactivate = Réactiver
bulk_kind_revoke = Révoquer
bulk_kind_set_expiry = Changer l'expiration
bulk_kind_add_tag = Ajouter une étiquette
bulk_kind_remove_tag = Retirer une étiquette
bulk_kind_delete = Supprimer
bulk_on_ticked_button = Sur les clés cochées ({ $count })
bulk_on_criteria_button = { $count ->
        [0] Sur aucune clé (aucune ne correspond à ces critères)
        [one] Sur la clé de ces critères
       *[other] Sur les { $count } clés de ces critères
    }
bulk_tick_all = Cocher toutes les clés de la page
bulk_tick = Cocher la clé { $name }
bulk_title_deactivate = Désactiver des clés
bulk_title_reactivate = Réactiver des clés
bulk_title_revoke = Révoquer des clés
bulk_title_set_expiry = Changer l'expiration de clés
bulk_title_add_tag = Ajouter une étiquette à des clés
bulk_title_remove_tag = Retirer une étiquette de clés
bulk_title_delete = Supprimer des clés
bulk_on_ticked = { $count ->
        [0] Aucune clé cochée
        [one] La clé cochée
       *[other] Les { $count } clés cochées
    }.
bulk_on_criteria = Toutes les clés des critères affichés, sur toutes les pages.
bulk_new_expiry = Nouveau dernier jour de validité
bulk_new_expiry_hint = Laissez vide pour que les clés n'expirent plus.
bulk_tag = Étiquette
bulk_done = { $count ->
        [0] Aucune clé modifiée
        [one] { $count } clé modifiée
       *[other] { $count } clés modifiées
    }.
offboard_button = Retirer l'accès
offboard_company_title = Retirer l'accès de « { $name } »
offboard_service_title = Retirer l'accès au service « { $name } »
offboard_company_intro = Les clés réservées à cette seule société seront désactivées ou révoquées ; les clés qu'elle partage avec d'autres sociétés ne la serviront plus. Un aperçu vient d'abord.
offboard_service_intro = Toutes les clés de ce service seront désactivées ou révoquées. Un aperçu vient d'abord.
offboard_end = Les clés concernées seront
offboard_end_deactivate = désactivées (on pourra les réactiver)
offboard_end_revoke = révoquées (c'est définitif)
offboard_reason = Motif, gardé dans le journal d'audit
offboard_nothing_company = Aucune clé ne sert cette société : il n'y a pas d'accès à retirer.
offboard_nothing_service = Aucune clé active de ce service : il n'y a pas d'accès à retirer.
offboard_apply = Retirer l'accès ({ $count ->
        [0] aucune clé
        [one] { $count } clé
       *[other] { $count } clés
    })
offboard_done = Accès retiré : { $count ->
        [0] aucune clé modifiée
        [one] { $count } clé modifiée
       *[other] { $count } clés modifiées
    }.

## The window shown when the store cannot be opened
store-problem-title = Sésame ne peut pas ouvrir son magasin
store-problem-store = Magasin : { $store }
store-problem-what = Ce qui s'est passé
store-problem-todo = Que faire
store-problem-advice-key = La clé qui protège ce magasin est introuvable sur ce poste (ni dans le trousseau du système, ni dans son fichier à côté du magasin). Si elle a été déplacée, remettez-la en place. Sinon, un administrateur qui a le code de récupération peut la faire revenir avec « sesamectl store reseal », ou restaurez une sauvegarde faite sur ce poste.
store-problem-advice-damaged = Le fichier est endommagé ou n'est pas un magasin Sésame. Restaurez la dernière sauvegarde avec « sesamectl restore FICHIER », ou demandez de l'aide à votre prestataire informatique. Le fichier actuel n'a pas été modifié.
store-problem-advice-newer = Ce magasin a été écrit par une version plus récente de Sésame. Installez cette version sur ce poste, puis relancez Sésame.
store-problem-advice-busy = Un autre programme utilise le magasin en ce moment (une restauration, par exemple). Attendez qu'il ait fini, puis relancez Sésame.
store-problem-advice-access = Sésame ne peut pas écrire dans le dossier du magasin, ou le disque n'est pas disponible. Vérifiez le disque et les droits du dossier, puis relancez Sésame.
store-problem-advice-other = Notez ce message et transmettez-le à votre prestataire informatique, puis relancez Sésame.
