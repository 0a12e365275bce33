// The audit signing key (Ed25519), kept outside the database: a PEM file named by PADU_AUDIT_KEY,
// or, for development and the embedded database, `audit-ed25519.pem` in the data folder, created
// on first use (mode 0600). Whoever can write the database cannot forge a checkpoint without it.
// Trusted public keys of earlier keys (after a rotation) come from PADU_AUDIT_TRUSTED_KEYS.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface AuditSigner {
  keyId: string;
  /** The public key, SPKI PEM (what an auditor needs to check a checkpoint). */
  publicKeyPem: string;
  sign(message: string): string;
}

export interface AuditKeyOptions {
  /** PADU_AUDIT_KEY: the private key file. */
  keyFile?: string;
  /** The data folder, where a development key is created when no key file is configured. */
  dataDir: string;
  /** PADU_AUDIT_TRUSTED_KEYS: further public key files (comma separated), e.g. rotated-out keys. */
  trustedKeyFiles?: string[];
}

/** The key id: the first 16 hex digits of the SHA-256 of the raw public key. */
export function keyIdOf(pub: KeyObject): string {
  const der = pub.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

export function defaultKeyFile(opts: AuditKeyOptions): string {
  return path.resolve(opts.keyFile || path.join(opts.dataDir, 'audit-ed25519.pem'));
}

/** Read the private key, creating it (0600) when the file does not exist yet. */
export function loadAuditSigner(opts: AuditKeyOptions): AuditSigner {
  const file = defaultKeyFile(opts);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    try {
      fs.writeFileSync(file, pem, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // another process won the race
    }
  }
  const priv = createPrivateKey(fs.readFileSync(file));
  if (priv.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is not an Ed25519 private key`);
  const pub = createPublicKey(priv);
  return {
    keyId: keyIdOf(pub),
    publicKeyPem: pub.export({ type: 'spki', format: 'pem' }) as string,
    sign: (message) => sign(null, Buffer.from(message, 'utf8'), priv).toString('base64'),
  };
}

/** Public keys by key id: the signer's own and the trusted ones. */
export function trustedKeys(signer: AuditSigner | null, files: string[] = []): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  if (signer) {
    const pub = createPublicKey(signer.publicKeyPem);
    keys.set(keyIdOf(pub), pub);
  }
  for (const f of files) {
    const pub = createPublicKey(fs.readFileSync(f));
    keys.set(keyIdOf(pub), pub);
  }
  return keys;
}

export function verifySignature(pub: KeyObject, message: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(message, 'utf8'), pub, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
