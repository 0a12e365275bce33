// Bahasa Indonesia first, English second. Each module contributes its own dictionary through its
// manifest; keys are namespaced by module ("md.org.title"). Missing English falls back to Indonesian.
// There is no process-wide dictionary: each app builds its own catalogue (an I18n) from the manifests
// it runs, and a key defined by two modules fails that build, naming both. Code that translates
// outside a request (exports, imports, prints) uses a `translator(...)` over its own module's messages.
import { z } from 'zod';
import idLocale from 'zod/v4/locales/id.js';
import enLocale from 'zod/v4/locales/en.js';
import { coreMessages } from './messages.ts';
import type { Dictionary, Lang, MessageParams, Messages, Translate } from './types.ts';
import { isMessageKey } from '../errors.ts';

export { LANGS, isLang } from './types.ts';
export { isMessageKey };
export type { Dictionary, Lang, MessageParams, Messages, Translate } from './types.ts';

export class DuplicateMessageError extends Error {
  constructor(
    readonly key: string,
    readonly modules: [string, string],
  ) {
    super(`Message key "${key}" is defined by both ${modules[0]} and ${modules[1]}`);
  }
}

function interpolate(template: string, params: MessageParams): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (name in params ? String(params[name]) : `{${name}}`));
}

/** One app's message catalogue: core's messages plus each module's, every key defined once. */
export class I18n {
  private readonly dict: Record<Lang, Dictionary> = { id: {}, en: {} };
  private readonly owner = new Map<string, string>();

  constructor(catalogues: ReadonlyArray<{ module: string; messages?: Messages }>) {
    for (const c of [{ module: 'core', messages: coreMessages }, ...catalogues]) {
      if (!c.messages) continue;
      const keys = new Set([...Object.keys(c.messages.id), ...Object.keys(c.messages.en)]);
      for (const key of keys) {
        const prev = this.owner.get(key);
        if (prev !== undefined) throw new DuplicateMessageError(key, [prev, c.module]);
        this.owner.set(key, c.module);
      }
      Object.assign(this.dict.id, c.messages.id);
      Object.assign(this.dict.en, c.messages.en);
    }
  }

  /** The sentence for a key (English falls back to Indonesian; an unknown key is returned as is). */
  readonly t: Translate = (lang, key, params = {}) =>
    interpolate(this.dict[lang][key] ?? this.dict.id[key] ?? key, params);

  has(key: string): boolean {
    return this.owner.has(key);
  }

  /** The module that defines a key. */
  moduleOf(key: string): string | undefined {
    return this.owner.get(key);
  }

  keys(): string[] {
    return [...this.owner.keys()];
  }

  /** The raw template of a key in one language (no fallback), for checks. */
  template(lang: Lang, key: string): string | undefined {
    return this.dict[lang][key];
  }
}

/**
 * A translator over core's messages and the given ones, for code that runs outside a request
 * (CLI imports, exports, prints). A module passes its own dictionaries; a duplicate key throws.
 */
export function translator(...messages: Messages[]): Translate {
  return new I18n(messages.map((m, i) => ({ module: `messages#${i + 1}`, messages: m }))).t;
}

const zodLocales = { id: idLocale().localeError, en: enLocale().localeError };

/** A Zod issue as a sentence in the user's language. */
export function zodIssueMessage(t: Translate, lang: Lang, issue: z.core.$ZodIssue): string {
  // Our own schemas put i18n keys in custom messages (they contain a dot and no space).
  if (issue.message && isMessageKey(issue.message)) return t(lang, issue.message);
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
