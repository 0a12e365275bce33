// The password policy (OWASP ASVS V2.1, NIST SP 800-63B): at least 12 characters, or a passphrase
// of three or more words; never one of the 10 000 most common passwords (shipped in
// common-passwords.txt), nor such a password with digits or symbols added at the end, nor the
// user name. No composition rules (they make passwords weaker, not stronger).
import fs from 'node:fs';

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(
    fs
      .readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#')),
  );
  return common;
}

export const PASSWORD_MIN = 12;

/** Three or more words of three or more letters, 10 characters in all ("kopi susu gula"). */
export function isPassphrase(p: string): boolean {
  const words = p
    .trim()
    .split(/[\s\-_.,]+/)
    .filter((w) => /^\p{L}{3,}$/u.test(w));
  return words.length >= 3 && p.trim().length >= 10;
}

/** "123456789012", "987654321098", "abcdefghijkl": each character next to the previous one. */
function isRun(p: string): boolean {
  for (let i = 1; i < p.length; i++) {
    const d = p.charCodeAt(i) - p.charCodeAt(i - 1);
    if (![1, -1, 9, -9].includes(d)) return false;
  }
  return true;
}

/** Why a password is refused (an i18n key), or null when it is acceptable. */
export function passwordProblem(p: string, username?: string): string | null {
  if (p.length < PASSWORD_MIN && !isPassphrase(p)) return 'usr.error.password_short';
  const lower = p.toLowerCase();
  const stem = lower.replace(/[\d\W_]+$/u, '');
  const list = commonPasswords();
  if (list.has(lower) || (stem.length >= 4 && list.has(stem)) || /^(.)\1+$/u.test(p) || isRun(lower))
    return 'usr.error.password_common';
  if (username && lower.includes(username.toLowerCase())) return 'usr.error.password_username';
  return null;
}
