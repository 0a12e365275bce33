// Controlling's messages for code that runs outside a request's catalogue (import error reports):
// core's and this module's dictionaries.
import { translator } from '../../core/i18n/i18n.ts';
import { controllingMessages } from './messages.ts';

export const t = translator(controllingMessages);
