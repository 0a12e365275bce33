// The refusals of e-Budgeting: a business rule broken (422, naming the field and why), input that
// is closed or locked (423), a stale version (409, with the current record).
import { AppError, conflict } from '../../core/errors.ts';

/** 422: a rule of the budget refuses the input; `field` names the input concerned. */
export function ruleError(
  field: string | null,
  key: string,
  params: Record<string, string | number> = {},
  details?: unknown,
): AppError {
  return new AppError(422, 'rule', key, params, field ? [{ field, message: key, params }] : [], details);
}

/** 423: the stage, the OPD's input or the (sub) kegiatan is closed to writing. */
export function lockedError(key: string, params: Record<string, string | number> = {}): AppError {
  return new AppError(423, 'locked', key, params);
}

/** 409: the record changed since the caller read it; `current` is what it is now. */
export function staleError(current: unknown): AppError {
  return conflict('bud.error.stale', { current });
}
