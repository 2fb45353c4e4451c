/**
 * The one form of a request path that the gateway routes, judges and forwards. Services decode
 * percent-escapes and may tolerate `//`, `.` or a trailing slash, so a rule judged on the raw path
 * could be walked around (`/%62rands` is `/brands` to the brand service); judging and forwarding
 * this form closes that gap.
 *
 * Each segment is percent-decoded once and written back in one encoding; empty and `.` segments
 * go, `..` takes the previous segment away, a trailing slash goes. Paths that no client of this
 * API sends are refused instead of guessed at: a `%` left after decoding (double encoding), an
 * encoded `/` or `\`, control characters, malformed escapes and `..` above the root.
 */
export type CanonicalPath = { ok: true; path: string } | { ok: false };

const REFUSED: CanonicalPath = { ok: false };
// eslint-disable-next-line no-control-regex
const FORBIDDEN_DECODED = /[%/\\\u0000-\u001f\u007f]/;

export function canonicalPath(rawPath: string): CanonicalPath {
  if (!rawPath.startsWith('/')) return REFUSED;
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return REFUSED;
    }
    if (FORBIDDEN_DECODED.test(segment)) return REFUSED;
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.pop() === undefined) return REFUSED;
      continue;
    }
    segments.push(segment);
  }
  return { ok: true, path: '/' + segments.map(encodeSegment).join('/') };
}

/** Everything but the characters a path segment may carry as they are (RFC 3986 pchar). */
const encodeSegment = (segment: string) =>
  encodeURIComponent(segment).replace(/%(24|26|2B|2C|3A|3B|3D|40)/g, (escape) => decodeURIComponent(escape));

/** `path?query` with the path canonical and the query as sent; undefined when refused. */
export function canonicalUrl(url: string): string | undefined {
  const queryAt = url.indexOf('?');
  const result = canonicalPath(queryAt === -1 ? url : url.slice(0, queryAt));
  if (!result.ok) return undefined;
  return queryAt === -1 ? result.path : result.path + url.slice(queryAt);
}
