import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkCsrf,
  csrfTokenFor,
  decodeSecret,
  InvalidLinkError,
  loadOrCreateSecret,
  signLink,
  verifyLink,
} from '../../infra/linkTokens.js';

const secret = Buffer.alloc(32, 1);
const target = { roundId: 'round:xinrong-eco-plan:1', bureauId: 'forestry', linkId: 'f0e1d2c3' };

describe('reply link tokens', () => {
  it('verify what they signed', () => {
    expect(verifyLink(secret, signLink(secret, target))).toEqual(target);
  });

  it('refuse a token signed with another secret, a changed payload, or garbage', () => {
    const token = signLink(secret, target);
    expect(() => verifyLink(Buffer.alloc(32, 2), token)).toThrow(InvalidLinkError);
    const otherBureau = signLink(secret, { ...target, bureauId: 'finance' });
    expect(() => verifyLink(secret, `${otherBureau.split('.')[0]}.${token.split('.')[1]}`)).toThrow(
      /signature does not match/,
    );
    for (const bad of ['', 'abc', 'a.b', `${token}x`, token.replace('.', '..'), '../../etc/passwd']) {
      expect(() => verifyLink(secret, bad), bad).toThrow(InvalidLinkError);
    }
  });

  it('work in one spelling only: the signature’s unused low bits must be zero', () => {
    const token = signLink(secret, target);
    const sig = token.split('.')[1]!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig.at(-1)!);
    const variants = [1, 2, 3].map((bits) => `${token.slice(0, -1)}${alphabet[(last & ~3) | ((last + bits) & 3)]}`);
    for (const v of variants) {
      expect(Buffer.from(v.split('.')[1]!, 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
      expect(() => verifyLink(secret, v)).toThrow(InvalidLinkError);
    }
    expect(verifyLink(secret, token)).toEqual(target);
  });

  it('carry no deadline: whether a link may act is the round’s decision', () => {
    const claims = JSON.parse(Buffer.from(signLink(secret, target).split('.')[0]!, 'base64url').toString());
    expect(Object.keys(claims).sort()).toEqual(['b', 'l', 'r']);
  });

  it('bind the form token to one link', () => {
    const token = signLink(secret, target);
    expect(checkCsrf(secret, token, csrfTokenFor(secret, token))).toBe(true);
    expect(checkCsrf(secret, token, csrfTokenFor(secret, signLink(secret, { ...target, linkId: 'other' })))).toBe(
      false,
    );
    expect(checkCsrf(secret, token, undefined)).toBe(false);
    expect(checkCsrf(secret, token, 'short')).toBe(false);
  });
});

describe('the server secret', () => {
  it('is generated once into the data folder (0600) and kept', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'secret-'));
    const first = await loadOrCreateSecret(undefined, dir);
    const second = await loadOrCreateSecret(undefined, dir);
    expect(first.equals(second)).toBe(true);
    expect(first.length).toBe(32);
    expect((await stat(path.join(dir, 'link-secret'))).mode & 0o777).toBe(0o600);
    expect((await readFile(path.join(dir, 'link-secret'), 'utf8')).trim()).toBe(first.toString('hex'));
  });

  it('comes from LINK_SECRET when configured, and must be long enough', async () => {
    expect((await loadOrCreateSecret('ab'.repeat(32), '/nonexistent')).equals(Buffer.alloc(32, 0xab))).toBe(true);
    expect(() => decodeSecret('abcd')).toThrow(/at least 32 bytes/);
  });
});
