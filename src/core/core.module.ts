// Core's own pages: the home page of each role (navigation to what the role may do).
import type { ModuleManifest } from './module.ts';
import { html } from './http/html.ts';
import { sendPage, tr, visibleNav } from './http/layout.ts';

const sections = ['planning', 'budgeting', 'controlling', 'command', 'master', 'admin', 'audit'] as const;

export const coreModule: ModuleManifest = {
  name: 'core',
  tablePrefix: 'core_',
  permissions: { home: ['*'] },
  messages: {
    id: {
      'error.forbidden_opd_read': 'Anda hanya dapat melihat data OPD Anda sendiri.',
      'confirm.what': 'Yang akan terjadi:',
      'confirm.cancel': 'Batal',
      'num.error.empty': 'Isi angka.',
      'num.error.integer': 'Tulis bilangan bulat dengan angka saja, mis. 12.',
      'num.error.format': '"{value}" bukan angka. Contoh: 1.000 (seribu) atau 1.000,5.',
      'num.error.ambiguous':
        '"{value}" tidak jelas: titik hanya memisahkan ribuan (1.000 = seribu) dan koma menandai desimal (1,5 = satu setengah).',
      'num.error.fraction': '"{value}" memiliki terlalu banyak angka di belakang koma (paling banyak {max}).',
      'num.error.negative': 'Angka tidak boleh negatif.',
      'num.error.too_long': 'Angka terlalu besar.',
      'num.error.canonical': 'Tulis angka dalam bentuk baku API, mis. "1000.5" (titik desimal, tanpa pemisah ribuan).',
      'num.error.date': 'Tanggal tidak valid; tulis dalam format ISO, mis. 2026-01-31 atau 2026-01-31T08:00.',
      'num.error.date_range': 'Tanggal harus antara tahun 2000 dan 2100.',
      'home.title': 'Beranda',
      'home.welcome': 'Selamat datang, {name}.',
      'home.role': 'Anda masuk sebagai {role}.',
      'home.section.planning': 'Perencanaan',
      'home.section.budgeting': 'Penganggaran',
      'home.section.controlling': 'Pengendalian',
      'home.section.command': 'Command Center',
      'home.section.master': 'Data Induk',
      'home.section.admin': 'Administrasi',
      'home.section.audit': 'Pengawasan',
      'home.section.other': 'Lainnya',
      'home.intro.admin': 'Kelola pengguna, data induk bersama dan pantau jejak audit seluruh OPD.',
      'home.intro.bappeda': 'Susun dan verifikasi dokumen perencanaan; baca seluruh anggaran.',
      'home.intro.tapd': 'Tetapkan pagu, verifikasi RKA-SKPD dan susun APBD.',
      'home.intro.opd_operator': 'Isi rencana dan anggaran OPD Anda.',
      'home.intro.opd_head': 'Periksa dan ajukan rencana serta anggaran OPD Anda.',
      'home.intro.dprd': 'Baca rencana dan anggaran daerah; ajukan pokok-pokok pikiran.',
      'home.intro.inspektorat': 'Baca seluruh data dan jejak audit (hanya baca).',
      'home.intro.tim_data': 'Kelola standar harga (SSH, HSPK, ASB, SBU).',
      'home.intro.cc_operator': 'Terima laporan kejadian dan teruskan ke OPD yang bertanggung jawab.',
      'home.intro.cc_unit': 'Tangani kejadian yang ditugaskan kepada unit Anda.',
      'home.intro.kecamatan': 'Kelola usulan Musrenbang kecamatan Anda.',
      'home.intro.kelurahan': 'Masukkan usulan Musrenbang kelurahan/desa Anda.',
    },
    en: {
      'error.forbidden_opd_read': 'You can only view the data of your own OPD.',
      'confirm.what': 'What will happen:',
      'confirm.cancel': 'Cancel',
      'num.error.empty': 'Enter a number.',
      'num.error.integer': 'Write a whole number in digits, e.g. 12.',
      'num.error.format': '"{value}" is not a number. Examples: 1.000 (one thousand) or 1.000,5.',
      'num.error.ambiguous':
        '"{value}" is ambiguous: a dot only groups thousands (1.000 = one thousand) and the comma is the decimal mark (1,5 = one and a half).',
      'num.error.fraction': '"{value}" has too many digits after the comma (at most {max}).',
      'num.error.negative': 'The number cannot be negative.',
      'num.error.too_long': 'The number is too large.',
      'num.error.canonical': 'Write the number in the API form, e.g. "1000.5" (dot decimal point, no grouping).',
      'num.error.date': 'Invalid date; use ISO format, e.g. 2026-01-31 or 2026-01-31T08:00.',
      'num.error.date_range': 'The date must be between the years 2000 and 2100.',
      'home.title': 'Home',
      'home.welcome': 'Welcome, {name}.',
      'home.role': 'You are logged in as {role}.',
      'home.section.planning': 'Planning',
      'home.section.budgeting': 'Budgeting',
      'home.section.controlling': 'Controlling',
      'home.section.command': 'Command Center',
      'home.section.master': 'Master data',
      'home.section.admin': 'Administration',
      'home.section.audit': 'Oversight',
      'home.section.other': 'Other',
      'home.intro.admin': 'Manage users and the shared master data; watch the audit trail of every OPD.',
      'home.intro.bappeda': 'Prepare and verify planning documents; read every budget.',
      'home.intro.tapd': 'Set ceilings, verify RKA-SKPD and consolidate the APBD.',
      'home.intro.opd_operator': "Enter your OPD's plans and budget.",
      'home.intro.opd_head': "Review and submit your OPD's plans and budget.",
      'home.intro.dprd': "Read the region's plans and budget; submit Pokir proposals.",
      'home.intro.inspektorat': 'Read all data and the audit trail (read-only).',
      'home.intro.tim_data': 'Maintain the standard price catalogue (SSH, HSPK, ASB, SBU).',
      'home.intro.cc_operator': 'Take incident reports and dispatch them to the responsible OPD.',
      'home.intro.cc_unit': 'Handle the incidents assigned to your unit.',
      'home.intro.kecamatan': "Manage your kecamatan's Musrenbang proposals.",
      'home.intro.kelurahan': "Enter your kelurahan/desa's Musrenbang proposals.",
    },
  },
  routes: (app, ctx) => {
    // clients that ask for /favicon.ico without reading the page's <link rel="icon"> get the same icon
    app.get('/favicon.ico', { config: { auth: 'public' }, schema: { hide: true } }, async (_req, reply) =>
      reply.redirect('/static/favicon.svg', 301),
    );
    app.get('/', { config: { auth: { permission: 'home' } }, schema: { hide: true } }, async (req, reply) => {
      const p = req.principal!;
      // each module's work panels first (what waits for this person), then the menu
      const panels = (
        await Promise.all(req.server.registry.modules.map((m) => (m.home ? m.home(req, ctx) : null)))
      ).filter((x) => x !== null);
      const items = visibleNav(req);
      const groups = [...sections, undefined].map((s) => ({
        s,
        items: items.filter(
          (i) => (i.section ?? undefined) === s || (s === undefined && !sections.includes(i.section as never)),
        ),
      }));
      const body = html`<section class="home role-${p.role}">
  <p>${tr(req, 'home.welcome', { name: p.fullName })} ${tr(req, 'home.role', { role: tr(req, `role.${p.role}`) })}</p>
  <p class="muted">${tr(req, `home.intro.${p.role}`)}</p>
  ${panels.length ? html`<div class="cards work" id="home-work">${panels}</div>` : ''}
  <div class="cards">${groups
    .filter((g) => g.items.length)
    .map(
      (g) =>
        html`<div class="card"><h2>${tr(req, `home.section.${g.s ?? 'other'}`)}</h2><ul>${g.items.map((i) => html`<li><a href="${i.href}">${tr(req, i.label)}</a></li>`)}</ul></div>`,
    )}</div>
</section>`;
      return sendPage(req, reply, { title: tr(req, 'home.title'), body });
    });
  },
};
