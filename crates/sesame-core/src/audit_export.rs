//! Signed audit exports: the events as JSON Lines, then one last line holding a manifest signed
//! with the installation's Ed25519 key (public key included). [`verify_export`] checks a file
//! with nothing else — no store, no keyring, no network — and names the first event that was
//! changed, removed, inserted or reordered.

use std::io::{BufRead, Read, Write};

use chrono::{DateTime, SecondsFormat, Utc};
use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::Sesame;
use crate::audit::{AuditEvent, GENESIS_HASH};
use crate::clock::{from_millis, to_millis};
use crate::error::{Error, Result};
use crate::operator::Right;
use crate::operator::Session;
use crate::signing_key::{InstallationKey, fingerprint};
use crate::vocab::AuditAction;

/// The format this build writes and reads.
pub const FORMAT: &str = "sesame-audit-export/1";

/// One event as a line of the export. Field for field the stored event; `at` in milliseconds
/// since the epoch, the precision the hash covers.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventLine {
    seq: i64,
    at: i64,
    operator_id: Option<String>,
    operator_name: Option<String>,
    action: String,
    target_kind: Option<String>,
    target_id: Option<String>,
    target_name: Option<String>,
    details: String,
    prev_hash: String,
    hash: String,
}

impl From<&AuditEvent> for EventLine {
    fn from(event: &AuditEvent) -> Self {
        EventLine {
            seq: event.seq,
            at: to_millis(event.at),
            operator_id: event.operator_id.clone(),
            operator_name: event.operator_name.clone(),
            action: event.action.clone(),
            target_kind: event.target_kind.clone(),
            target_id: event.target_id.clone(),
            target_name: event.target_name.clone(),
            details: event.details.clone(),
            prev_hash: event.prev_hash.clone(),
            hash: event.hash.clone(),
        }
    }
}

impl From<EventLine> for AuditEvent {
    fn from(line: EventLine) -> Self {
        AuditEvent {
            seq: line.seq,
            at: from_millis(line.at),
            operator_id: line.operator_id,
            operator_name: line.operator_name,
            action: line.action,
            target_kind: line.target_kind,
            target_id: line.target_id,
            target_name: line.target_name,
            details: line.details,
            prev_hash: line.prev_hash,
            hash: line.hash,
        }
    }
}

/// What the signature covers: the range, the chain's two ends, a digest of every event line's
/// exact bytes, and the key that signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub installation_id: String,
    pub exported_at: String,
    pub exported_by: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub count: u64,
    pub first_seq: Option<i64>,
    pub last_seq: Option<i64>,
    /// The hash the first exported event links to (the genesis hash for a full export).
    pub first_prev_hash: String,
    pub last_hash: String,
    /// SHA-256 of the event lines, each with its newline, in file order.
    pub events_sha256: String,
    /// The Ed25519 public key, hexadecimal.
    pub public_key: String,
    pub fingerprint: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestLine {
    manifest: Manifest,
    /// Ed25519 over the manifest's JSON (fields in the order above, no spaces), hexadecimal.
    signature: String,
}

fn manifest_bytes(manifest: &Manifest) -> Result<Vec<u8>> {
    serde_json::to_vec(manifest).map_err(|error| Error::Internal(format!("manifest: {error}")))
}

/// What an export held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSummary {
    pub count: u64,
    pub first_seq: Option<i64>,
    pub last_seq: Option<i64>,
    pub fingerprint: String,
}

impl Sesame {
    /// Writes the events between `from` and `to` (inclusive bounds, UTC) to `out` with a signed
    /// manifest, for an operator with the audit right; the export itself is audited.
    pub fn export_audit(
        &mut self,
        session: &Session,
        key: &InstallationKey,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        out: &mut dyn Write,
    ) -> Result<ExportSummary> {
        self.require(session, Right::Audit, AuditAction::AuditExported)?;
        // A signature vouches for the trail: never for one that does not check.
        if let Some((seq, _)) = self.audit_chain_status()?.first_broken {
            return Err(Error::AuditChainBroken(seq));
        }
        let exported_by = session.operator_name().to_owned();
        let write_error = |error: std::io::Error| Error::ExportWrite(error.to_string());
        let mut digest = Sha256::new();
        let (mut count, mut first_seq, mut last_seq) = (0_u64, None, None);
        let mut first_prev_hash = None;
        let mut last_hash = GENESIS_HASH.to_owned();
        {
            // Events are in time order, so a date range is a range of sequence numbers, read
            // along the primary key.
            let (first, last) = self.seq_bounds(from, to)?;
            let mut line = Vec::with_capacity(512);
            crate::store::audit::each(&self.connection, first, last, |event| {
                line.clear();
                serde_json::to_writer(&mut line, &EventLine::from(&event))
                    .map_err(|error| Error::Internal(format!("export: {error}")))?;
                line.push(b'\n');
                digest.update(&line);
                out.write_all(&line).map_err(write_error)?;
                count += 1;
                first_seq.get_or_insert(event.seq);
                last_seq = Some(event.seq);
                first_prev_hash.get_or_insert_with(|| event.prev_hash.clone());
                last_hash = event.hash;
                Ok(true)
            })?;
        }
        let public_key = key.verifying_key();
        let manifest = Manifest {
            format: FORMAT.to_owned(),
            installation_id: self.installation_id()?,
            exported_at: self.now().to_rfc3339_opts(SecondsFormat::Millis, true),
            exported_by,
            from: from.map(|at| at.to_rfc3339_opts(SecondsFormat::Millis, true)),
            to: to.map(|at| at.to_rfc3339_opts(SecondsFormat::Millis, true)),
            count,
            first_seq,
            last_seq,
            first_prev_hash: first_prev_hash.unwrap_or_else(|| GENESIS_HASH.to_owned()),
            last_hash,
            events_sha256: hex::encode(digest.finalize()),
            public_key: hex::encode(public_key.as_bytes()),
            fingerprint: fingerprint(&public_key),
        };
        let signature = hex::encode(key.sign(&manifest_bytes(&manifest)?));
        let line = serde_json::to_vec(&ManifestLine {
            manifest: manifest.clone(),
            signature,
        })
        .map_err(|error| Error::Internal(format!("export: {error}")))?;
        out.write_all(&line)
            .and_then(|()| out.write_all(b"\n"))
            .and_then(|()| out.flush())
            .map_err(write_error)?;
        self.record_done(
            session,
            Right::Audit,
            AuditAction::AuditExported,
            json!({"count": count, "first_seq": first_seq, "last_seq": last_seq,
                           "from": manifest.from, "to": manifest.to,
                           "fingerprint": manifest.fingerprint}),
        )?;
        Ok(ExportSummary {
            count,
            first_seq,
            last_seq,
            fingerprint: manifest.fingerprint,
        })
    }
}

/// Why an export does not check out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportProblem {
    /// Nothing in the file.
    Empty,
    /// Not text, or not JSON Lines.
    NotAnExport { line: u64 },
    /// The last line is not a manifest: the file was cut short (or the manifest removed).
    NoManifest,
    /// The manifest's signature does not check with its public key.
    BadSignature,
    /// Signed by a key other than the one the auditor expects.
    OtherKey { fingerprint: String },
    /// An event line that is not an event.
    Unreadable { line: u64 },
    /// The event's content does not match its hash: it was changed.
    Changed { line: u64, seq: i64 },
    /// Sequence numbers skip: events before this one were removed.
    Removed { line: u64, seq: i64, expected: i64 },
    /// A sequence number repeats: an event was inserted.
    Inserted { line: u64, seq: i64 },
    /// Sequence numbers go back: events were reordered.
    Reordered { line: u64, seq: i64 },
    /// The event does not link to the one before it.
    BrokenLink { line: u64, seq: i64 },
    /// Events at the end are missing (the manifest names more).
    Truncated { after_seq: Option<i64> },
    /// The lines' bytes differ from the signed ones though every event checks (edited spacing).
    DigestMismatch,
}

/// The result of checking an export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    pub manifest: Option<Manifest>,
    pub events: u64,
    pub problem: Option<ExportProblem>,
}

/// Checks an export file offline. `expected_fingerprint`, when given, must match the signing
/// key (confirm it out of band: the app's settings show it). The file is read twice, once to
/// find the manifest on its last line and once to walk the events, and never held in memory.
pub fn verify_export(
    path: &std::path::Path,
    expected_fingerprint: Option<&str>,
) -> std::io::Result<ExportReport> {
    let open =
        || std::fs::File::open(path).map(|file| std::io::BufReader::with_capacity(1 << 16, file));
    // First pass: where the last non-empty line starts.
    let (mut offset, mut manifest_start, mut manifest_line) = (0_u64, 0_u64, Vec::new());
    {
        let mut input = open()?;
        let mut buffer = Vec::new();
        loop {
            buffer.clear();
            let read = input.read_until(b'\n', &mut buffer)?;
            if read == 0 {
                break;
            }
            if !buffer.trim_ascii().is_empty() {
                manifest_start = offset;
                manifest_line.clone_from(&buffer);
            }
            offset += read as u64;
        }
    }
    let report = |manifest, events, problem| ExportReport {
        manifest,
        events,
        problem: Some(problem),
    };
    if manifest_line.is_empty() {
        return Ok(report(None, 0, ExportProblem::Empty));
    }
    let parsed: Option<ManifestLine> = std::str::from_utf8(&manifest_line)
        .ok()
        .and_then(|text| serde_json::from_str(text.trim_end()).ok());
    let Some(ManifestLine {
        manifest,
        signature,
    }) = parsed
    else {
        let readable = std::str::from_utf8(&manifest_line)
            .is_ok_and(|text| serde_json::from_str::<serde_json::Value>(text.trim_end()).is_ok());
        let problem = match readable {
            true => ExportProblem::NoManifest,
            false => ExportProblem::NotAnExport { line: 1 },
        };
        return Ok(report(None, 0, problem));
    };
    if !signature_checks(&manifest, &signature) {
        return Ok(report(Some(manifest), 0, ExportProblem::BadSignature));
    }
    if let Some(expected) = expected_fingerprint {
        let normalise = |text: &str| text.replace(' ', "").to_ascii_lowercase();
        if normalise(expected) != normalise(&manifest.fingerprint) {
            let fingerprint = manifest.fingerprint.clone();
            return Ok(report(
                Some(manifest),
                0,
                ExportProblem::OtherKey { fingerprint },
            ));
        }
    }
    // Second pass: the events, up to the manifest.
    let mut input = open()?.take(manifest_start);
    let mut digest = Sha256::new();
    let mut previous_hash = manifest.first_prev_hash.clone();
    let mut previous_seq: Option<i64> = None;
    let (mut count, mut line) = (0_u64, 0_u64);
    let mut bytes = Vec::with_capacity(512);
    loop {
        bytes.clear();
        if input.read_until(b'\n', &mut bytes)? == 0 {
            break;
        }
        line += 1;
        digest.update(&bytes);
        let event: Option<EventLine> = std::str::from_utf8(&bytes)
            .ok()
            .and_then(|text| serde_json::from_str(text.trim_end()).ok());
        let Some(event) = event else {
            return Ok(report(
                Some(manifest),
                count,
                ExportProblem::Unreadable { line },
            ));
        };
        let event = AuditEvent::from(event);
        let seq = event.seq;
        let expected = previous_seq.map(|p| p + 1).or(manifest.first_seq);
        let problem = match expected {
            Some(expected) if seq > expected => Some(match appears_later(&mut input, expected)? {
                true => ExportProblem::Reordered { line, seq },
                false => ExportProblem::Removed {
                    line,
                    seq,
                    expected,
                },
            }),
            Some(expected) if seq < expected && Some(seq) == previous_seq => {
                Some(ExportProblem::Inserted { line, seq })
            }
            Some(expected) if seq < expected => Some(ExportProblem::Reordered { line, seq }),
            _ if event.compute_hash() != event.hash => Some(ExportProblem::Changed { line, seq }),
            _ if event.prev_hash != previous_hash => Some(ExportProblem::BrokenLink { line, seq }),
            _ => None,
        };
        if let Some(problem) = problem {
            return Ok(report(Some(manifest), count, problem));
        }
        count += 1;
        previous_seq = Some(seq);
        previous_hash = event.hash;
    }
    if count < manifest.count || previous_hash != manifest.last_hash {
        let after_seq = previous_seq;
        return Ok(report(
            Some(manifest),
            count,
            ExportProblem::Truncated { after_seq },
        ));
    }
    if count > manifest.count {
        let seq = previous_seq.unwrap_or_default();
        return Ok(report(
            Some(manifest),
            count,
            ExportProblem::Inserted { line, seq },
        ));
    }
    if hex::encode(digest.finalize()) != manifest.events_sha256 {
        return Ok(report(Some(manifest), count, ExportProblem::DigestMismatch));
    }
    Ok(ExportReport {
        manifest: Some(manifest),
        events: count,
        problem: None,
    })
}

/// Whether an event numbered `seq` comes later in the file: a gap then means the events were
/// moved, not removed. Only read when something is already wrong.
fn appears_later(input: &mut dyn BufRead, seq: i64) -> std::io::Result<bool> {
    #[derive(Deserialize)]
    struct SeqOnly {
        seq: i64,
    }
    let mut bytes = Vec::new();
    loop {
        bytes.clear();
        if input.read_until(b'\n', &mut bytes)? == 0 {
            return Ok(false);
        }
        let found: Option<SeqOnly> = serde_json::from_slice(bytes.trim_ascii()).ok();
        if found.is_some_and(|found| found.seq == seq) {
            return Ok(true);
        }
    }
}

fn signature_checks(manifest: &Manifest, signature: &str) -> bool {
    let Ok(key_bytes) = <[u8; 32]>::try_from(hex::decode(&manifest.public_key).unwrap_or_default())
    else {
        return false;
    };
    let Ok(public_key) = VerifyingKey::from_bytes(&key_bytes) else {
        return false;
    };
    let Ok(signature_bytes) = <[u8; 64]>::try_from(hex::decode(signature).unwrap_or_default())
    else {
        return false;
    };
    if fingerprint(&public_key) != manifest.fingerprint {
        return false;
    }
    manifest_bytes(manifest).is_ok_and(|bytes| {
        public_key
            .verify_strict(&bytes, &Signature::from_bytes(&signature_bytes))
            .is_ok()
    })
}

/// The verdict in plain words (catalogue message `export-verdict-<code>`), and a stable code.
pub fn verdict(report: &ExportReport, lang: crate::vocab::Lang) -> (String, &'static str) {
    use crate::messages::Arg;
    let number = |value: i64| Arg::number(value);
    let (code, args): (&'static str, Vec<(&str, Arg)>) = match &report.problem {
        None => {
            let manifest = report.manifest.as_ref();
            let range = manifest.and_then(|m| m.first_seq.zip(m.last_seq));
            let fingerprint = manifest.map(|m| m.fingerprint.clone()).unwrap_or_default();
            let mut args = vec![
                ("count", Arg::number(report.events)),
                ("fingerprint", Arg::Text(fingerprint)),
            ];
            match range {
                Some((first, last)) => {
                    args.extend([("first", number(first)), ("last", number(last))]);
                    ("ok", args)
                }
                None => ("ok_empty", args),
            }
        }
        Some(ExportProblem::Empty) => ("empty", vec![]),
        Some(ExportProblem::NotAnExport { .. }) => ("not_an_export", vec![]),
        Some(ExportProblem::NoManifest) => ("no_manifest", vec![]),
        Some(ExportProblem::BadSignature) => ("bad_signature", vec![]),
        Some(ExportProblem::OtherKey { fingerprint }) => (
            "other_key",
            vec![("fingerprint", Arg::Text(fingerprint.clone()))],
        ),
        Some(ExportProblem::Unreadable { line }) => {
            ("unreadable", vec![("line", Arg::number(*line))])
        }
        Some(ExportProblem::Changed { line, seq }) => (
            "changed",
            vec![("line", Arg::number(*line)), ("seq", number(*seq))],
        ),
        Some(ExportProblem::Removed {
            line,
            seq,
            expected,
        }) => (
            "removed",
            vec![
                ("line", Arg::number(*line)),
                ("seq", number(*seq)),
                ("expected", number(*expected)),
            ],
        ),
        Some(ExportProblem::Inserted { line, seq }) => (
            "inserted",
            vec![("line", Arg::number(*line)), ("seq", number(*seq))],
        ),
        Some(ExportProblem::Reordered { line, seq }) => (
            "reordered",
            vec![("line", Arg::number(*line)), ("seq", number(*seq))],
        ),
        Some(ExportProblem::BrokenLink { line, seq }) => (
            "broken_link",
            vec![("line", Arg::number(*line)), ("seq", number(*seq))],
        ),
        Some(ExportProblem::Truncated { after_seq }) => {
            ("truncated", vec![("after", number(after_seq.unwrap_or(0)))])
        }
        Some(ExportProblem::DigestMismatch) => ("digest_mismatch", vec![]),
    };
    (
        crate::messages::text(lang, &format!("export-verdict-{code}"), &args),
        code,
    )
}
