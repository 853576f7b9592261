// The interface's words come from the one catalogue the core and `sesamectl` read too:
// `crates/sesame-core/locales/{fr,en}.ftl`, in Project Fluent's format (placeholders, plurals).
// Every visible string goes through `t`; the core's test `catalogue` checks that each id used
// here exists in both languages.

import { FluentBundle, FluentResource, type FluentVariable } from "@fluent/bundle";
import englishSource from "../../../crates/sesame-core/locales/en.ftl?raw";
import frenchSource from "../../../crates/sesame-core/locales/fr.ftl?raw";

import type { Lang } from "../bindings/Lang";

export type { Lang };

function bundle(locale: string, source: string): FluentBundle {
  // No Unicode isolation marks: names and numbers sit in plain text.
  const made = new FluentBundle(locale, { useIsolating: false });
  made.addResource(new FluentResource(source));
  return made;
}

const bundles: Record<Lang, FluentBundle> = {
  fr: bundle("fr-FR", frenchSource),
  en: bundle("en-GB", englishSource),
};

export const i18n = $state({ lang: "fr" as Lang });

/** The message `id` in the current language, with its placeholders filled from `values`. */
export function t(id: string, values: Record<string, FluentVariable> = {}): string {
  const bundle = bundles[i18n.lang];
  const message = bundle.getMessage(id);
  if (!message?.value) return id;
  return bundle.formatPattern(message.value, values);
}

export function setLang(lang: string) {
  i18n.lang = lang === "en" ? "en" : "fr";
  document.documentElement.lang = i18n.lang;
}

function locale(): string {
  return i18n.lang === "en" ? "en-GB" : "fr-FR";
}

/** 22/01/2021 08:14 */
export function dateTime(iso: string | null): string {
  if (!iso) return "";
  const parts = new Intl.DateTimeFormat(locale(), {
    day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit",
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("day")}/${get("month")}/${get("year")} ${get("hour")}:${get("minute")}`;
}

/** An expiry as the last day the key works: it expires at the midnight that ends that day. */
export function lastValidDay(iso: string | null): string {
  if (!iso) return "";
  const lastMoment = new Date(new Date(iso).getTime() - 1);
  return new Intl.DateTimeFormat(locale(), { day: "2-digit", month: "2-digit", year: "numeric" }).format(lastMoment);
}

export function number(value: number): string {
  return new Intl.NumberFormat(locale()).format(value);
}
