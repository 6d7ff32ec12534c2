/**
 * Hostile input: what a person, a script or a broken client may send to a form or write in a file.
 * Every generated input starts from something the app accepts (a value the page itself offers, a
 * seed file, or a value drawn from the field's zod schema) and is then mutated or left alone, so a
 * run reaches accepted inputs as well as refused ones. The web routes (test/hostile/webWorld.ts)
 * and the CLI's files (test/hostile/cliFiles.ts) both draw from here.
 */
import fc from 'fast-check';
import type { z } from 'zod';

/** Characters that change the direction of text (domain/records.ts BIDI_CONTROL refuses them). */
export const BIDI = ['\u202e', '\u202d', '\u202a', '\u2066', '\u2067', '\u2068', '\u2069'] as const;
/** Line breaks of every kind (single-line fields refuse them). */
export const BREAKS = ['\n', '\r\n', '\r', '\u0085', '\u2028', '\u2029'] as const;

/** Text a person could type: Chinese, English, digits and punctuation, never a control character. */
export const plainText = (maxLength = 40): fc.Arbitrary<string> =>
  fc
    .array(fc.constantFrom(...'规划生态环境保护建议修改第一章总则水资源林草局财政ABCxyz0123 ,.，。；（）-'.split('')), {
      minLength: 1,
      maxLength,
    })
    .map((cs) => cs.join('').trim() || '意见');

/** One hostile string: each kind of bad text the issue names, alone or wrapped around plain text. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...BIDI).chain((b) => plainText(10).map((t) => `${t}${b}gpj.exe`)),
  fc.constantFrom(...BREAKS).chain((b) => plainText(10).map((t) => `${t}${b}${t}`)),
  plainText(10).map((t) => `${t}\u0000${t}`),
  // A lone surrogate: what a decoder makes of bytes that were not UTF-8 once it is re-encoded.
  plainText(10).map((t) => `${t}\ud800`),
  plainText(10).map((t) => `${t}\ufffd`),
  fc.constantFrom('../../../etc/passwd', '..\\..\\windows\\win.ini', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/dev/zero'),
  fc.constantFrom('<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' OR 1=1 --", '{{constructor}}'),
  fc.constantFrom('', ' ', '\t', '0', '-1', '1e309', 'NaN', 'null', 'undefined', 'true', '[]', '{}'),
  fc.integer({ min: 2_000, max: 70_000 }).map((n) => '长'.repeat(n)),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

/** A value of the wrong type for a file (YAML/JSON): where a string was expected, and the other way round. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/**
 * Values drawn from a zod schema: the shapes the schema describes, with strings within its length and
 * pattern checks. Refinements cannot be drawn from, so such a value may still be refused: that is
 * what the mutation runs count as refused, and why the valid base of a form comes from its page.
 */
export function fromZod(schema: z.ZodType, depth = 0): fc.Arbitrary<unknown> {
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  const inner = (key: string) => fromZod(def[key] as z.ZodType, depth + 1);
  switch (def.type) {
    case 'string': {
      let min = 0;
      let max = 40;
      let pattern: RegExp | undefined;
      for (const check of (def.checks as { _zod: { def: Record<string, unknown> } }[] | undefined) ?? []) {
        const c = check._zod.def;
        if (c.check === 'min_length') min = c.minimum as number;
        if (c.check === 'max_length') max = Math.min(max, c.maximum as number);
        if (c.check === 'string_format' && c.pattern instanceof RegExp) pattern = c.pattern;
      }
      if (pattern) return fc.stringMatching(pattern).filter((s) => s.length >= min && s.length <= Math.max(max, min));
      return plainText(Math.max(1, max)).filter((s) => s.length >= min);
    }
    case 'number':
      return fc.integer({ min: 0, max: 1000 });
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries as Record<string, string>));
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return inner('innerType');
    case 'pipe':
      return inner('in');
    case 'lazy':
      return depth > 4 ? fc.constant(null) : fromZod((def.getter as () => z.ZodType)(), depth + 1);
    case 'array':
      return fc.array(inner('element'), { minLength: 1, maxLength: depth > 2 ? 1 : 3 });
    case 'union':
      return fc.oneof(...(def.options as z.ZodType[]).map((o) => fromZod(o, depth + 1)));
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      return fc.record(Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, fromZod(v, depth + 1)])));
    }
    case 'record':
      return fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), inner('valueType'), { maxKeys: 2 });
    default:
      return wrongType;
  }
}

/** A path into a JSON-like value, and the value there. */
function leaves(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return [at, ...value.flatMap((v, i) => leaves(v, [...at, i]))];
  if (value && typeof value === 'object')
    return [at, ...Object.entries(value).flatMap(([k, v]) => leaves(v, [...at, k]))];
  return [at];
}

/** What a mutation does at one place of a file's value. */
export type FileMutation =
  | { kind: 'keep' }
  | { kind: 'replace'; pick: number; value: unknown }
  | { kind: 'drop'; pick: number }
  | { kind: 'extraKey'; pick: number; key: string; value: unknown };

export const fileMutation: fc.Arbitrary<FileMutation[]> = fc.array(
  fc.oneof(
    { weight: 2, arbitrary: fc.constant({ kind: 'keep' as const }) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('replace' as const),
        pick: fc.nat(),
        value: fc.oneof(hostileString, wrongType),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('extraKey' as const),
        pick: fc.nat(),
        key: fc.constantFrom('__proto__', 'constructor', 'extra', 'name'),
        value: fc.oneof(hostileString, wrongType),
      }),
    },
  ),
  { minLength: 1, maxLength: 3 },
);

/** The value with the mutations applied (a fresh copy; `keep` alone leaves it as it was). */
export function mutateValue(value: unknown, mutations: FileMutation[]): unknown {
  let out: unknown = structuredClone(value);
  for (const m of mutations) {
    if (m.kind === 'keep') continue;
    const places = leaves(out);
    const at = places[m.pick % places.length]!;
    if (at.length === 0) {
      if (m.kind === 'replace') out = m.value;
      continue;
    }
    const parent = at.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], out) as
      Record<string | number, unknown> | unknown[];
    const last = at[at.length - 1]!;
    if (m.kind === 'replace') (parent as Record<string | number, unknown>)[last] = m.value;
    else if (m.kind === 'drop') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete (parent as Record<string | number, unknown>)[last];
    } else {
      const target = (parent as Record<string | number, unknown>)[last];
      if (target && typeof target === 'object' && !Array.isArray(target))
        Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

/** A valid value that is no value: the field is left out (an unticked checkbox). */
export const ABSENT = '\u0000absent';

/**
 * A form's fields: mostly valid (the value the page gave, or another valid one of the field's), a few
 * replaced by hostile text or dropped, so a run reaches both taken and refused posts.
 */
export function formFields(valid: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<Record<string, string>> {
  const names = Object.keys(valid);
  if (names.length === 0) return fc.constant({});
  const choice = (name: string): fc.Arbitrary<string | undefined> =>
    fc.oneof(
      { weight: 30, arbitrary: valid[name]! },
      { weight: 1, arbitrary: hostileString },
      { weight: 1, arbitrary: fc.constant(undefined) },
    );
  return fc.record(Object.fromEntries(names.map((n) => [n, choice(n)]))).map((r) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(r)) if (v !== undefined && v !== ABSENT) out[k] = v;
    return out;
  });
}

/** Something wrong with the request as a whole (its credentials, its origin, its size, its encoding). */
export type RequestFault =
  'none' | 'noCsrf' | 'foreignOrigin' | 'noOrigin' | 'oversize' | 'invalidUtf8' | 'extraField' | 'duplicateFields';

export const requestFault: fc.Arbitrary<RequestFault> = fc.oneof(
  { weight: 10, arbitrary: fc.constant('none' as const) },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'noCsrf' as const,
      'foreignOrigin' as const,
      'noOrigin' as const,
      'oversize' as const,
      'invalidUtf8' as const,
      'extraField' as const,
      'duplicateFields' as const,
    ),
  },
);

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Percent-encodes text, spelling a lone surrogate as the bytes a broken client sends for it (not UTF-8). */
export const percentEncode = (s: string): string =>
  s
    .split(LONE_SURROGATE)
    .map((part) => encodeURIComponent(part))
    .join('%ED%A0%80');

/** A URL path segment: the valid one, or a hostile one (percent-encoded as a browser would send it, or raw). */
export function pathSegment(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: valid },
    {
      weight: 3,
      arbitrary: hostileString.map((s) => percentEncode(s.slice(0, 3000)).replace(/%2F/g, '/')),
    },
    { weight: 1, arbitrary: fc.constantFrom('..', '%2e%2e', '..%2f..%2fetc%2fpasswd', '%00', '%ff%fe', '%', '') },
  );
}

/** A query string: none, or hostile parameters. */
export const queryString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.constantFrom('next', 'bureau', 'kind', 'from', 'to', 'actor', 'q', 'page', 'format', 'n'),
          hostileString,
        ),
        {
          minLength: 1,
          maxLength: 3,
        },
      )
      .map((ps) => `?${ps.map(([k, v]) => `${k}=${percentEncode(v.slice(0, 3000))}`).join('&')}`),
  },
  fc.constantFrom('?%ff%fe=%c0%af', '?next=//evil.example', '?next=https://evil.example/', '?a=1&a=2&a=3'),
);

/** The body of a form post with a fault applied (urlencoded; `invalidUtf8` spells bytes that are not UTF-8). */
export function encodeForm(
  fields: Record<string, string>,
  fault: RequestFault,
  csrfField: string,
): URLSearchParams | Uint8Array | string {
  const f = { ...fields };
  if (fault === 'noCsrf') delete f[csrfField];
  if (fault === 'extraField') f['__proto__[admin]'] = '1';
  const params = new URLSearchParams(f);
  if (fault === 'duplicateFields') for (const [k, v] of Object.entries(f)) params.append(k, `${v}x`);
  if (fault === 'oversize') params.append('pad', 'x'.repeat(12 * 1024 * 1024));
  if (fault === 'invalidUtf8') return `${params.toString()}&${Object.keys(f)[0] ?? 'x'}=%ff%fe%c0%af`;
  return params;
}
