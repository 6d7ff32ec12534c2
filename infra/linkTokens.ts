/**
 * Personal reply links. A token signs (roundId, bureauId, linkId) and nothing else: whether it may
 * still act (revoked? past the deadline plus grace?) is decided from the round's state, so an
 * extension keeps a link working and a contact change stops the old one.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

export const LinkClaims = z.object({ r: z.string().min(1), b: z.string().min(1), l: z.string().min(1) }).strict();
export interface LinkTarget {
  roundId: string;
  bureauId: string;
  linkId: string;
}

export class InvalidLinkError extends Error {
  constructor(reason: string) {
    super(`this link is not valid: ${reason}`);
    this.name = 'InvalidLinkError';
  }
}

function mac(secret: Buffer, purpose: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`${purpose}\n${payload}`).digest();
}

export function signLink(secret: Buffer, target: LinkTarget): string {
  const payload = Buffer.from(JSON.stringify({ r: target.roundId, b: target.bureauId, l: target.linkId })).toString(
    'base64url',
  );
  return `${payload}.${mac(secret, 'reply-link', payload).toString('base64url')}`;
}

export function verifyLink(secret: Buffer, token: string): LinkTarget {
  const m = /^([A-Za-z0-9_-]{1,2000})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) throw new InvalidLinkError('malformed');
  const given = Buffer.from(m[2]!, 'base64url');
  // The last character of 32 bytes in base64url carries two unused bits: only the canonical spelling is the link.
  if (given.toString('base64url') !== m[2]) throw new InvalidLinkError('malformed');
  if (!timingSafeEqual(given, mac(secret, 'reply-link', m[1]!))) throw new InvalidLinkError('signature does not match');
  let claims: z.infer<typeof LinkClaims>;
  try {
    claims = LinkClaims.parse(JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidLinkError('unreadable');
  }
  return { roundId: claims.r, bureauId: claims.b, linkId: claims.l };
}

/** A form token bound to one link, so another site cannot post a reply in the bureau's name. */
export function csrfTokenFor(secret: Buffer, linkToken: string): string {
  return mac(secret, 'csrf', linkToken).toString('base64url');
}

export function checkCsrf(secret: Buffer, linkToken: string, given: string | undefined): boolean {
  return sameToken(csrfTokenFor(secret, linkToken), given);
}

/** A token given back equals the expected one (compared in constant time). */
function sameToken(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const e = Buffer.from(expected);
  const g = Buffer.from(given);
  return g.length === e.length && timingSafeEqual(g, e);
}

/**
 * Proof that a scan (by its SHA-256) was uploaded through this link in this form: the reply form
 * carries it beside the kept hash, so a re-rendered form may keep the file without asking for it
 * again, while a hash typed by hand (say, of a circulated document) is not accepted as the scan.
 */
export function scanProofFor(secret: Buffer, linkToken: string, sha256: string): string {
  return mac(secret, 'reply-scan', `${linkToken}\n${sha256}`).toString('base64url');
}

export function checkScanProof(secret: Buffer, linkToken: string, sha256: string, given: string | undefined): boolean {
  return sameToken(scanProofFor(secret, linkToken, sha256), given);
}

/**
 * The same proof for the coordinator's paper-reply form: the scan was uploaded in this round's form,
 * in this session (its session id), so the form keeps it by hash and no other stored file passes as the scan.
 */
export function paperScanProofFor(secret: Buffer, roundId: string, sessionId: string, sha256: string): string {
  return mac(secret, 'paper-scan', `${roundId}\n${sessionId}\n${sha256}`).toString('base64url');
}

export function checkPaperScanProof(
  secret: Buffer,
  roundId: string,
  sessionId: string,
  sha256: string,
  given: string | undefined,
): boolean {
  return sameToken(paperScanProofFor(secret, roundId, sessionId, sha256), given);
}

/**
 * The server secret: LINK_SECRET when configured (hex or base64, at least 32 bytes); else the
 * embedded default, generated once and kept in the data folder.
 */
export async function loadOrCreateSecret(configured: string | undefined, dataDir: string): Promise<Buffer> {
  if (configured) return decodeSecret(configured);
  const file = path.join(dataDir, 'link-secret');
  try {
    return decodeSecret((await readFile(file, 'utf8')).trim());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32);
  await writeFile(file, secret.toString('hex') + '\n', { mode: 0o600, flag: 'wx' }).catch(
    async (err: NodeJS.ErrnoException) => {
      // Another process created it first: use theirs.
      if (err.code !== 'EEXIST') throw err;
    },
  );
  await chmod(file, 0o600);
  return decodeSecret((await readFile(file, 'utf8')).trim());
}

export function decodeSecret(value: string): Buffer {
  const bytes = /^[0-9a-f]+$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (bytes.length < 32) throw new Error('the link secret must be at least 32 bytes (64 hex characters)');
  return bytes;
}
