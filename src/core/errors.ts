import type { Lang, Translate } from './i18n/types.ts';

// Errors that carry an HTTP status, a message key (translated for the user) and, for input
// errors, the field they concern. Anything else that escapes a handler is a 500 and is logged.
export interface FieldError {
  field: string;
  /** i18n key, or a ready message (when it contains a space). */
  message: string;
  params?: Record<string, string | number>;
  /** For bulk imports: the 1-based data row. */
  row?: number;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messageKey: string,
    readonly params: Record<string, string | number> = {},
    readonly fields: FieldError[] = [],
    readonly details?: unknown,
  ) {
    super(messageKey);
  }
}

export const badRequest = (fields: FieldError[], key = 'error.validation') =>
  new AppError(400, 'validation', key, {}, fields);
export const fieldError = (field: string, message: string, params?: Record<string, string | number>) =>
  badRequest([{ field, message, params }]);
export const notFound = (key = 'error.not_found', params: Record<string, string | number> = {}) =>
  new AppError(404, 'not_found', key, params);
export const forbidden = (key = 'error.forbidden') => new AppError(403, 'forbidden', key);
export const unauthorized = (key = 'error.unauthorized') => new AppError(401, 'unauthorized', key);
export const conflict = (key: string, details?: unknown, params: Record<string, string | number> = {}) =>
  new AppError(409, 'conflict', key, params, [], details);
/** 429; `retryAfter` (seconds) becomes the Retry-After header. */
export const tooMany = (key = 'error.rate_limited', retryAfter?: number) =>
  new AppError(429, 'rate_limited', key, {}, [], retryAfter === undefined ? undefined : { retry_after: retryAfter });

/** True when a message is an i18n key (dotted, no space) rather than a ready sentence. */
export function isMessageKey(message: string): boolean {
  return /^[a-z_-]+(\.[a-z0-9_-]+)+$/.test(message);
}

/** The error's message and field messages as sentences in the given language. */
export function translateError(err: AppError, t: Translate, lang: Lang): { message: string; fields: FieldError[] } {
  return {
    message: t(lang, err.messageKey, err.params),
    fields: err.fields.map((f) => ({
      ...f,
      message: isMessageKey(f.message) ? t(lang, f.message, f.params) : f.message,
    })),
  };
}
