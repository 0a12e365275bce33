// Bahasa Indonesia first, English second. Each module contributes its own dictionary through its
// manifest; keys are namespaced by module ("md.org.title"). Missing English falls back to Indonesian.
import { z } from 'zod';
import idLocale from 'zod/v4/locales/id.js';
import enLocale from 'zod/v4/locales/en.js';
import { coreMessages } from './messages.ts';

export const LANGS = ['id', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export type Dictionary = Record<string, string>;
export interface Messages {
  id: Dictionary;
  en: Dictionary;
}

const dictionaries: Record<Lang, Dictionary> = { id: {}, en: {} };
addMessages(coreMessages);

export function addMessages(m: Messages): void {
  Object.assign(dictionaries.id, m.id);
  Object.assign(dictionaries.en, m.en);
}

export function t(lang: Lang, key: string, params: Record<string, string | number> = {}): string {
  const template = dictionaries[lang][key] ?? dictionaries.id[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (name in params ? String(params[name]) : `{${name}}`));
}

export function isLang(v: unknown): v is Lang {
  return v === 'id' || v === 'en';
}

const zodLocales = { id: idLocale().localeError, en: enLocale().localeError };

/** A Zod issue as a sentence in the user's language. */
export function zodIssueMessage(lang: Lang, issue: z.core.$ZodIssue): string {
  // Our own schemas put i18n keys in custom messages (they contain a dot and no space).
  if (issue.message && /^[a-z_-]+(\.[a-z0-9_-]+)+$/.test(issue.message)) return t(lang, issue.message);
  const msg = zodLocales[lang](issue as never);
  return typeof msg === 'string' ? msg : (msg?.message ?? issue.message);
}

/** Indonesian formats: Rp 1.234.567 and 27 November 2026. */
const idMonths = [
  'Januari',
  'Februari',
  'Maret',
  'April',
  'Mei',
  'Juni',
  'Juli',
  'Agustus',
  'September',
  'Oktober',
  'November',
  'Desember',
];
const enMonths = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

let timeZone = 'Asia/Jakarta';
/** The civil time zone dates are shown in (WIB by default; WITA Asia/Makassar, WIT Asia/Jayapura). */
export function setTimeZone(tz: string): void {
  new Intl.DateTimeFormat('en', { timeZone: tz }); // throws RangeError on an unknown zone
  timeZone = tz;
}

export function formatDate(lang: Lang, d: Date | string | null | undefined, withTime = false): string {
  if (!d) return '';
  const date = typeof d === 'string' ? new Date(d) : d;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  const months = lang === 'id' ? idMonths : enMonths;
  const s = `${Number(parts.day)} ${months[Number(parts.month) - 1]} ${parts.year}`;
  return withTime ? `${s} ${parts.hour}.${parts.minute}` : s;
}

export function formatNumber(lang: Lang, n: number | bigint | string): string {
  const v = typeof n === 'string' ? BigInt(n) : n;
  const neg = v < 0;
  const digits = (neg ? -BigInt(v) : BigInt(v)).toString();
  const sep = lang === 'id' ? '.' : ',';
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  return (neg ? '-' : '') + grouped;
}
