/**
 * The receipt hash of a reply: SHA-256 over the RFC 8785 canonical JSON of the reply record
 * without its own hash field, so that anyone holding the record can recompute it. Pure JS (the
 * workflow computes it; Node's crypto is not available there).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import canonicalize from 'canonicalize';
import type { Reply } from './records.js';

export function canonicalJson(value: unknown): string {
  const json = canonicalize(value);
  if (json === undefined) throw new Error('value has no JSON form');
  return json;
}

export function replyContentSha256(reply: Omit<Reply, 'contentSha256'>): string {
  const { contentSha256: _drop, ...rest } = reply as Reply;
  return bytesToHex(sha256(new TextEncoder().encode(canonicalJson(rest))));
}

/** SHA-256 of a value's canonical JSON (RFC 8785): equal for equal values, whatever the key order. */
export function canonicalSha256(value: unknown): string {
  return bytesToHex(sha256(new TextEncoder().encode(canonicalJson(value))));
}
