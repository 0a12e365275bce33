// Budgeting's messages for code that runs outside a request (prints, exports, reports): core's
// and this module's dictionaries, nothing else.
import { translator } from '../../core/i18n/i18n.ts';
import { budgetingMessages } from './messages.ts';
import { apbdMessages } from './apbd/messages.ts';

export const t = translator(budgetingMessages, apbdMessages);
