// Input schemas of the command center (intake, dispatch, unit steps, public form, alerts). Error
// messages are i18n keys (cc.error.*), shown field by field in the user's language.
import { z } from 'zod';
import { intIn } from '../../core/number.ts';

const id = (key: string) =>
  intIn(z.number({ error: key }).int({ error: key }).positive({ error: key }).max(2_147_483_647, { error: key }));
const optId = (key: string) => id(key).optional();

/** Decimal degrees typed "−3,31" or "-3.31" → "-3.31" (exact, never a float). */
const coord = (min: number, max: number, key: string) =>
  z.union([z.string().max(20), z.number()]).transform((v, ctx) => {
    const s = String(v).trim().replace(',', '.').replace('−', '-');
    if (!/^-?\d{1,3}(\.\d{1,6})?$/.test(s) || Number(s) < min || Number(s) > max) {
      ctx.addIssue({ code: 'custom', message: key });
      return z.NEVER;
    }
    return s;
  });

export const PHONE_RE = /^(\+62|62|0)[0-9]{2,4}[- ]?[0-9]{3,4}[- ]?[0-9]{3,5}$|^1[0-9]{2,4}$/;
const phone = z.string().trim().max(20, { error: 'cc.error.phone' }).regex(PHONE_RE, { error: 'cc.error.phone' });

const text = (max: number, key: string) =>
  z.string({ error: key }).trim().min(1, { error: key }).max(max, { error: key });
const optText = (max: number) => z.string().trim().max(max).optional();
const flag = z
  .union([z.boolean(), z.enum(['1', 'true', 'on', '0', 'false'])])
  .transform((v) => v === true || v === '1' || v === 'true' || v === 'on');

const location = {
  kecamatan_id: id('cc.error.kecamatan_required'),
  kelurahan_id: optId('cc.error.kelurahan'),
  address: optText(500),
  lat: coord(-90, 90, 'cc.error.lat').optional(),
  lon: coord(-180, 180, 'cc.error.lon').optional(),
};

/** Cross-field checks run even when a field failed, so the user sees every error at once. */
const always = { when: () => true };

function coordsTogether<T extends { lat?: string; lon?: string }>(v: T, ctx: z.RefinementCtx) {
  if (!v || typeof v !== 'object') return;
  if ((v.lat === undefined) !== (v.lon === undefined))
    ctx.addIssue({ code: 'custom', path: [v.lat === undefined ? 'lat' : 'lon'], message: 'cc.error.coords_pair' });
}

export const intakeIn = z
  .object({
    reporter_name: optText(200),
    reporter_phone: phone.optional(),
    ...location,
    category_id: id('cc.error.category_required'),
    description: text(2000, 'cc.error.description_required'),
    priority: intIn(
      z
        .number({ error: 'cc.error.priority' })
        .int()
        .min(1, { error: 'cc.error.priority' })
        .max(4, { error: 'cc.error.priority' })
        .optional(),
    ),
    /** Attach this report to an existing incident (a duplicate) instead of opening a new one. */
    merge_into: optId('cc.error.merge_into'),
    /** Save as a new incident although duplicate candidates exist. */
    confirm_new: flag.optional(),
  })
  .superRefine(coordsTogether, always);
export type IntakeIn = z.output<typeof intakeIn>;

export const dispatchIn = z.object({
  opd_ids: z
    .union([id('cc.error.opd'), z.array(id('cc.error.opd'))], { error: 'cc.error.opd_required' })
    .transform((v) => [...new Set([v].flat())])
    .refine((v) => v.length > 0 && v.length <= 10, { error: 'cc.error.opd_required' }),
  version: intIn(z.number().int().positive().optional()),
});

export const ASSIGNMENT_STEPS = ['acknowledged', 'en_route', 'on_scene', 'resolved'] as const;
export const moveIn = z
  .object({
    status: z.enum([...ASSIGNMENT_STEPS, 'handed_back'], { error: 'cc.error.status' }),
    note: optText(2000),
    reason: optText(2000),
    version: intIn(z.number().int().positive().optional()),
  })
  .superRefine((v, ctx) => {
    if (v.status === 'handed_back' && !v.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'cc.error.reason_required' });
  });
export type MoveIn = z.output<typeof moveIn>;

export const mergeIn = z.object({ into: id('cc.error.merge_into') });

export const publicReportIn = z
  .object({
    reporter_name: text(200, 'cc.error.name_required'),
    reporter_phone: phone.optional(),
    reporter_email: z.string().trim().max(200).email({ error: 'cc.error.email' }).optional(),
    ...location,
    category_id: id('cc.error.category_required'),
    description: text(2000, 'cc.error.description_required'),
  })
  .superRefine(coordsTogether, always)
  .superRefine((v, ctx) => {
    if (v && !v.reporter_phone && !v.reporter_email)
      ctx.addIssue({ code: 'custom', path: ['reporter_phone'], message: 'cc.error.contact_required' });
  }, always);
export type PublicReportIn = z.output<typeof publicReportIn>;

export const settingsIn = z.object({
  dup_distance_m: intIn(z.number().int().min(0).max(100_000)),
  dup_window_min: intIn(z.number().int().min(0).max(10_080)),
});

export const CAP_CATEGORIES = [
  'Geo',
  'Met',
  'Safety',
  'Security',
  'Rescue',
  'Fire',
  'Health',
  'Env',
  'Transport',
  'Infra',
  'CBRNE',
  'Other',
] as const;
export const CAP_URGENCY = ['Immediate', 'Expected', 'Future', 'Past', 'Unknown'] as const;
export const CAP_SEVERITY = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'] as const;
export const CAP_CERTAINTY = ['Observed', 'Likely', 'Possible', 'Unlikely', 'Unknown'] as const;

export const alertIn = z.object({
  event: text(200, 'cc.error.alert_event'),
  category: z.enum(CAP_CATEGORIES, { error: 'cc.error.alert_category' }),
  urgency: z.enum(CAP_URGENCY, { error: 'cc.error.alert_urgency' }),
  severity: z.enum(CAP_SEVERITY, { error: 'cc.error.alert_severity' }),
  certainty: z.enum(CAP_CERTAINTY, { error: 'cc.error.alert_certainty' }),
  headline: text(160, 'cc.error.alert_headline'),
  description: text(4000, 'cc.error.alert_description'),
  instruction: optText(2000),
  kecamatan_ids: z
    .union([id('cc.error.alert_area'), z.array(id('cc.error.alert_area'))], { error: 'cc.error.alert_area' })
    .transform((v) => [...new Set([v].flat())])
    .refine((v) => v.length > 0, { error: 'cc.error.alert_area' }),
  expires_hours: intIn(
    z
      .number()
      .int()
      .min(1, { error: 'cc.error.alert_expires' })
      .max(720, { error: 'cc.error.alert_expires' })
      .optional(),
  ),
});
export type AlertIn = z.output<typeof alertIn>;
