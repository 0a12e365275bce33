import type { Messages } from '../../core/i18n/i18n.ts';

export const platformMessages: Messages = {
  id: {
    'role.platform_admin': 'Administrator platform',
    'home.intro.platform_admin': 'Tambahkan pemerintah daerah baru ke instalasi Padu ini (API /api/v1/platform/pemda).',
  },
  en: {
    'role.platform_admin': 'Platform administrator',
    'home.intro.platform_admin': 'Add regional governments to this Padu deployment (API /api/v1/platform/pemda).',
  },
};
