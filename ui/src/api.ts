// One typed wrapper per Tauri command. The types come from Rust (ts-rs, in ./bindings).
import { invoke as tauriInvoke } from "@tauri-apps/api/core";
import { t } from "./lib/i18n.svelte";
import type { AppStatus } from "./bindings/AppStatus";
import type { StoreProblemView } from "./bindings/StoreProblemView";
import type { AuditEventView } from "./bindings/AuditEventView";
import type { AuditFilterInput } from "./bindings/AuditFilterInput";
import type { ChainStatusView } from "./bindings/ChainStatusView";
import type { SavedFileView } from "./bindings/SavedFileView";
import type { KeyEditInput } from "./bindings/KeyEditInput";
import type { KeyFilterInput } from "./bindings/KeyFilterInput";
import type { KeyPageView } from "./bindings/KeyPageView";
import type { KeyView } from "./bindings/KeyView";
import type { NamedRef } from "./bindings/NamedRef";
import type { NewKeyInput } from "./bindings/NewKeyInput";
import type { CopyPart } from "./bindings/CopyPart";
import type { OneTimeView } from "./bindings/OneTimeView";
import type { RecoveryCodeView } from "./bindings/RecoveryCodeView";
import type { OperatorAccountView } from "./bindings/OperatorAccountView";
import type { OperatorView } from "./bindings/OperatorView";
import type { PasswordStrengthView } from "./bindings/PasswordStrengthView";
import type { RightsView } from "./bindings/RightsView";
import type { ServiceInput } from "./bindings/ServiceInput";
import type { ServiceView } from "./bindings/ServiceView";
import type { UiError } from "./bindings/UiError";
import type { AccessTokenView } from "./bindings/AccessTokenView";
import type { ImportOutcomeView } from "./bindings/ImportOutcomeView";
import type { ImportPreviewView } from "./bindings/ImportPreviewView";
import type { ImportProgressView } from "./bindings/ImportProgressView";
import type { UsageLineView } from "./bindings/UsageLineView";
import type { Grace } from "./bindings/Grace";
import type { CompanyInput } from "./bindings/CompanyInput";
import type { BulkChangeInput } from "./bindings/BulkChangeInput";
import type { ChangePlanView } from "./bindings/ChangePlanView";
import type { PreviewedInput } from "./bindings/PreviewedInput";
import type { KeySelectionInput } from "./bindings/KeySelectionInput";
import type { OffboardingInput } from "./bindings/OffboardingInput";
import type { OffboardEnd } from "./bindings/OffboardEnd";
import type { BulkChangeKind } from "./bindings/BulkChangeKind";
import type { ExpiringView } from "./bindings/ExpiringView";
import type { CompanyView } from "./bindings/CompanyView";
import type { ExportCheckView } from "./bindings/ExportCheckView";
import type { KeyCheckView } from "./bindings/KeyCheckView";
import type { Health } from "./bindings/Health";
import type { KeyAction } from "./bindings/KeyAction";
import type { KeyStatus } from "./bindings/KeyStatus";
import type { Lang } from "./bindings/Lang";
import type { UsageStyle } from "./bindings/UsageStyle";

export type { AppStatus, KeyEditInput, KeyFilterInput, KeyPageView, KeyView, NamedRef, NewKeyInput };
export type { CopyPart, OneTimeView, OperatorView, ServiceInput, ServiceView, UiError };
export type { OperatorAccountView, PasswordStrengthView, RightsView };
export type { AuditEventView, AuditFilterInput, ChainStatusView, SavedFileView };
export type { CompanyInput, CompanyView, ExportCheckView, KeyCheckView };
export type { Grace, Health, KeyAction, KeyStatus, Lang, UsageStyle };
export type { ExpiringView, BulkChangeKind, BulkChangeInput, ChangePlanView, KeySelectionInput, OffboardingInput, OffboardEnd };
export type { AccessTokenView, ImportOutcomeView, ImportPreviewView, ImportProgressView, UsageLineView };

/** Every command rejects with a `UiError`; anything else is turned into one. */
export function asUiError(error: unknown): UiError {
  if (error && typeof error === "object" && "code" in error && "message" in error) {
    return error as UiError;
  }
  return { code: "internal", message: t("error-internal", { why: String(error) }), field: null };
}

let lockedHandler: () => void = () => {};

/** Who to tell when a command finds the app locked (the lock screen then takes over). */
export function onLocked(handler: () => void) {
  lockedHandler = handler;
}

async function invoke<T>(command: string, args?: Record<string, unknown> | Uint8Array): Promise<T> {
  try {
    return await tauriInvoke<T>(command, args);
  } catch (error) {
    if (asUiError(error).code === "locked") lockedHandler();
    throw error;
  }
}

export const api = {
  startupProblem: () => invoke<StoreProblemView | null>("startup_problem"),
  appStatus: () => invoke<AppStatus>("app_status"),
  createAdministrator: (name: string, password: string, confirmation: string) =>
    invoke<RecoveryCodeView>("create_administrator", { name, password, confirmation }),
  signIn: (name: string, password: string) => invoke<void>("sign_in", { name, password }),
  signOut: () => invoke<void>("sign_out"),
  lockApp: () => invoke<void>("lock_app"),
  unlock: (password: string) => invoke<void>("unlock", { password }),
  reportActivity: () => invoke<void>("report_activity"),
  setLockMinutes: (minutes: number) => invoke<AppStatus>("set_lock_minutes", { minutes }),
  setTokenHours: (hours: number) => invoke<AppStatus>("set_token_hours", { hours }),
  setWarningDays: (days: number) => invoke<AppStatus>("set_warning_days", { days }),
  listOperatorAccounts: () => invoke<OperatorAccountView[]>("list_operator_accounts"),
  createOperator: (name: string, password: string, confirmation: string, rights: RightsView) =>
    invoke<OperatorAccountView>("create_operator", { name, password, confirmation, rights }),
  editOperator: (id: string, name: string, rights: RightsView) =>
    invoke<OperatorAccountView>("edit_operator", { id, name, rights }),
  setOperatorDisabled: (id: string, disabled: boolean) =>
    invoke<OperatorAccountView>("set_operator_disabled", { id, disabled }),
  resetOperatorPassword: (id: string, password: string, confirmation: string) =>
    invoke<void>("reset_operator_password", { id, password, confirmation }),
  changeOwnPassword: (current: string, password: string, confirmation: string) =>
    invoke<void>("change_own_password", { current, password, confirmation }),
  auditPage: (filter: AuditFilterInput) => invoke<AuditEventView[]>("audit_page", { filter }),
  auditChainStatus: () => invoke<ChainStatusView>("audit_chain_status"),
  exportAudit: () => invoke<SavedFileView>("export_audit"),
  credentialReport: () => invoke<SavedFileView>("credential_report"),
  backupStore: () => invoke<SavedFileView>("backup_store"),
  passwordStrength: (name: string, password: string) =>
    invoke<PasswordStrengthView>("password_strength", { name, password }),
  setLanguage: (language: Lang) => invoke<AppStatus>("set_language", { language }),
  setClipboardSeconds: (seconds: number) => invoke<AppStatus>("set_clipboard_seconds", { seconds }),
  listServices: (category: string, text: string) =>
    invoke<ServiceView[]>("list_services", { category, text }),
  serviceCategories: () => invoke<string[]>("service_categories"),
  createService: (input: ServiceInput) => invoke<ServiceView>("create_service", { input }),
  editService: (id: string, input: ServiceInput) => invoke<ServiceView>("edit_service", { id, input }),
  approveService: (id: string) => invoke<ServiceView>("approve_service", { id }),
  listCompanies: () => invoke<CompanyView[]>("list_companies"),
  createCompany: (input: CompanyInput) => invoke<CompanyView>("create_company", { input }),
  editCompany: (id: string, input: CompanyInput) => invoke<CompanyView>("edit_company", { id, input }),
  setCompanyArchived: (id: string, archived: boolean) =>
    invoke<CompanyView>("set_company_archived", { id, archived }),
  listOperators: () => invoke<NamedRef[]>("list_operators"),
  listKeyCreators: () => invoke<NamedRef[]>("list_key_creators"),
  exportExpiryCalendar: (withinDays: number) =>
    invoke<SavedFileView>("export_expiry_calendar", { withinDays }),
  listKeyTags: () => invoke<string[]>("list_key_tags"),
  listKeys: (filter: KeyFilterInput) => invoke<KeyPageView>("list_keys", { filter }),
  createKey: (input: NewKeyInput) => invoke<OneTimeView>("create_key", { input }),
  editKey: (id: string, input: KeyEditInput) => invoke<KeyView>("edit_key", { id, input }),
  deactivateKey: (id: string) => invoke<KeyView>("deactivate_key", { id }),
  reactivateKey: (id: string) => invoke<KeyView>("reactivate_key", { id }),
  regenerateKey: (id: string, grace: Grace) => invoke<OneTimeView>("regenerate_key", { id, grace }),
  revokeKey: (id: string, reason: string) => invoke<KeyView>("revoke_key", { id, reason }),
  deleteKey: (id: string) => invoke<KeyView>("delete_key", { id }),
  expiringKeys: () => invoke<ExpiringView>("expiring_keys"),
  previewBulk: (selection: KeySelectionInput, change: BulkChangeInput) =>
    invoke<ChangePlanView>("preview_bulk", { selection, change }),
  applyBulk: (selection: KeySelectionInput, change: BulkChangeInput, expected: PreviewedInput) =>
    invoke<ChangePlanView>("apply_bulk", { selection, change, expected }),
  previewOffboarding: (from: OffboardingInput, end: OffboardEnd) =>
    invoke<ChangePlanView>("preview_offboarding", { from, end }),
  offboard: (from: OffboardingInput, end: OffboardEnd, reason: string, expected: PreviewedInput) =>
    invoke<ChangePlanView>("offboard", { from, end, reason, expected }),
  copyOneTime: (part: CopyPart) => invoke<void>("copy_one_time", { part }),
  discardOneTime: () => invoke<void>("discard_one_time"),
  copyIdentifier: (identifier: string) => invoke<void>("copy_identifier", { identifier }),
  /** The file's bytes go as the request's raw body, not as JSON. */
  previewImport: (bytes: Uint8Array) => invoke<ImportPreviewView>("preview_import", bytes),
  checkKey: (key: string, permission: string, company: string) =>
    invoke<KeyCheckView>("check_key", { key, permission, company }),
  checkExport: (bytes: Uint8Array) => invoke<ExportCheckView>("check_export", bytes),
  confirmImport: () => invoke<ImportOutcomeView>("confirm_import"),
  cancelImport: () => invoke<void>("cancel_import"),
  usageLines: (identifier: string) => invoke<UsageLineView[]>("usage_lines", { identifier }),
  copyUsageLine: (identifier: string, style: UsageStyle) =>
    invoke<void>("copy_usage_line", { identifier, style }),
  copyOneTimeUsage: (style: UsageStyle) => invoke<void>("copy_one_time_usage", { style }),
  issueToken: (id: string, hours: number) => invoke<AccessTokenView>("issue_token", { id, hours }),
  copyAccessToken: () => invoke<void>("copy_access_token"),
  discardAccessToken: () => invoke<void>("discard_access_token"),
  openServiceWebsite: (id: string) => invoke<string>("open_service_website", { id }),
  openApiDocs: () => invoke<string>("open_api_docs"),
};
