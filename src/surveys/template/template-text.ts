/**
 * Text rules of the Customer Feedback Template: length and "No URLs".
 */

/**
 * Length in Unicode code points, so an emoji such as 😀 (two UTF-16 units) counts as one
 * character, as a customer would count it. Sequences built of several code points (skin tones,
 * ZWJ families, flags) count as several: the conservative reading of Meta's limit.
 */
export function countCharacters(text: string): number {
  let count = 0;
  // for…of iterates code points, not UTF-16 units.
  for (const _ of text) count++;
  return count;
}

/** The first `max` code points of `text`. */
export function truncateCharacters(text: string, max: number): string {
  return Array.from(text).slice(0, max).join('');
}

// Any scheme ("https://", "ftp://"): "://" never occurs in ordinary prose.
const SCHEME = /:\/\//;
// Runs of characters a host name can hold; everything else (spaces, "/", "@", "_", ",") ends one.
const HOST_CHARACTERS = /[\p{L}\p{N}.-]+/gu;
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const HAS_LETTER = /\p{L}/u;
const TOP_LEVEL_DOMAIN = /^\p{L}{2,63}$/u;
const IPV4_PART = /^\d{1,3}$/;

/**
 * Whether `text` contains something Meta would treat as a link: a scheme, a bare host name
 * ("example.com", "foo.co.uk", "t.me/x", "www.shop") or an IPv4 address.
 * A host name is a label holding a letter, a dot, then a top-level domain of 2+ letters that ends
 * the run. That keeps prose out: "Rate us. Thanks" (space), "v1.5" and "3.5 stars" (digits),
 * "e.g." (one letter), "1.5kg" (no letter before the dot). It does flag run-together words such
 * as "Node.js" or "thanks.See": Meta rejects templates with links, and a clear 400 naming the
 * field is cheaper than a failed send.
 * Runs are split and checked label by label rather than with one big regular expression, whose
 * backtracking made long inputs ("a.a.a.…") take seconds.
 */
export function containsUrl(text: string): boolean {
  if (SCHEME.test(text)) return true;
  for (const [run] of text.matchAll(HOST_CHARACTERS)) {
    const labels = trimSeparators(run).split('.');
    if (labels.length === 4 && labels.every((part) => IPV4_PART.test(part))) return true;
    for (let i = 1; i < labels.length; i++) {
      const [host, tld] = [labels[i - 1], labels[i]];
      if (TOP_LEVEL_DOMAIN.test(tld) && LABEL.test(host) && HAS_LETTER.test(host)) return true;
    }
  }
  return false;
}

/** Drops leading and trailing dots and hyphens ("...example.com." → "example.com"). */
function trimSeparators(run: string): string {
  const isSeparator = (c: string) => c === '.' || c === '-';
  let start = 0;
  let end = run.length;
  while (start < end && isSeparator(run[start])) start++;
  while (end > start && isSeparator(run[end - 1])) end--;
  return run.slice(start, end);
}
