/**
 * Deterministic names and times: pod-name suffixes and association ids derive from a hash of their
 * names, so regenerating the demo gives byte-identical files.
 */
import { hash64 } from '../../lambda/core/findings';

/** The alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alikes). */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const ASSOCIATION_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `prefix` followed by characters of `alphabet` drawn from hashes of `seed`, up to `length` in all. */
function hashedName(seed: string, prefix: string, length: number, alphabet: string): string {
  let out = prefix;
  for (let round = 0; out.length < length; round++) {
    const hex = hash64(`${seed}#${round}`);
    for (let i = 0; i + 2 <= hex.length && out.length < length; i += 2) {
      out += alphabet[Number.parseInt(hex.slice(i, i + 2), 16) % alphabet.length];
    }
  }
  return out;
}

export function suffix(seed: string, length: number): string {
  return hashedName(seed, '', length, SAFE_ALPHABET);
}

export function associationId(seed: string): string {
  return hashedName(`association:${seed}`, 'a-', 19, ASSOCIATION_ALPHABET);
}

export function plusMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString().replace('.000Z', 'Z');
}
