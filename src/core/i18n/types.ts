// The shapes of Padu's messages (shared by the dictionaries and the translator, so neither imports the other).
export const LANGS = ['id', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export type Dictionary = Record<string, string>;
export interface Messages {
  id: Dictionary;
  en: Dictionary;
}
export type MessageParams = Record<string, string | number>;
/** Translate a message key into a sentence of the given language. */
export type Translate = (lang: Lang, key: string, params?: MessageParams) => string;

export function isLang(v: unknown): v is Lang {
  return v === 'id' || v === 'en';
}
