import { pyStrRepr } from './format.js';

/** A JSON number written with a fraction or exponent: Python reads it as a float (`0.0`, not `0`). */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** What {@link parsePyJson} returns: objects are Maps so that key order and odd keys survive. */
export type PyValue = null | boolean | number | string | PyFloat | PyValue[] | Map<string, PyValue>;

/** Anything {@link pyJsonDumps} and {@link pyRepr} print: parsed values or plain JSON data. */
export type Printable = PyValue | Printable[] | { [key: string]: Printable } | undefined;

/**
 * Parses JSON as Python's `json.loads` does: numbers with a fraction or an
 * exponent stay floats, object keys keep their order.
 */
export function parsePyJson(text: string): PyValue {
  let at = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`Invalid JSON: ${what} at position ${at}`);
  };
  const skip = (): void => {
    while (at < text.length && ' \t\n\r'.includes(text[at] as string)) at += 1;
  };
  const value = (): PyValue => {
    skip();
    const ch = text[at];
    if (ch === '{') {
      at += 1;
      const map = new Map<string, PyValue>();
      skip();
      if (text[at] === '}') {
        at += 1;
        return map;
      }
      for (;;) {
        skip();
        if (text[at] !== '"') fail('expected a key');
        const key = string();
        skip();
        if (text[at] !== ':') fail("expected ':'");
        at += 1;
        map.set(key, value());
        skip();
        if (text[at] === ',') at += 1;
        else if (text[at] === '}') {
          at += 1;
          return map;
        } else fail("expected ',' or '}'");
      }
    }
    if (ch === '[') {
      at += 1;
      const list: PyValue[] = [];
      skip();
      if (text[at] === ']') {
        at += 1;
        return list;
      }
      for (;;) {
        list.push(value());
        skip();
        if (text[at] === ',') at += 1;
        else if (text[at] === ']') {
          at += 1;
          return list;
        } else fail("expected ',' or ']'");
      }
    }
    if (ch === '"') return string();
    for (const [word, result] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return result;
      }
    }
    const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
    if (!match) return fail('unexpected character');
    at += match[0].length;
    const number = Number(match[0]);
    return match[1] !== undefined || match[2] !== undefined ? new PyFloat(number) : number;
  };
  const string = (): string => {
    const match = /^"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/.exec(text.slice(at));
    if (!match) return fail('bad string');
    at += match[0].length;
    return JSON.parse(match[0]) as string;
  };
  const result = value();
  skip();
  if (at !== text.length) fail('trailing data');
  return result;
}

/** Python's `repr(float)`: shortest round-trip digits, `1.0`, `1e-05`, `1e+16`. */
export function pyFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = value.toExponential().split('e') as [string, string];
  const exponent = Number(exp);
  if (exponent >= -4 && exponent < 16) {
    const fixed = fixedFromExponential(mantissa, exponent);
    return fixed.includes('.') ? fixed : `${fixed}.0`;
  }
  const sign = exponent < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

function fixedFromExponential(mantissa: string, exponent: number): string {
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  let out: string;
  if (exponent < 0) out = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  else if (digits.length <= exponent + 1) out = digits + '0'.repeat(exponent + 1 - digits.length);
  else out = `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
  return negative ? `-${out}` : out;
}

function entries(value: Map<string, Printable> | { [key: string]: Printable }): Array<[string, Printable]> {
  const list = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return list.filter(([, v]) => v !== undefined);
}

function isObject(value: Printable): value is Map<string, PyValue> | { [key: string]: Printable } {
  return value instanceof Map || (typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof PyFloat));
}

function numberText(value: number | PyFloat): string {
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  return Number.isInteger(value) ? String(value) : pyFloatRepr(value);
}

/** A JSON string as Python's `json.dumps` writes it (ensure_ascii). */
export function pyJsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] as string;
    const code = text.charCodeAt(i);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** `json.dumps(value, sort_keys=True, indent=2)`. */
export function pyJsonDumps(value: Printable, indent = 2, depth = 0): string {
  if (value === null || value === undefined) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number' || value instanceof PyFloat) return numberText(value);
  if (typeof value === 'string') return pyJsonString(value);
  const pad = ' '.repeat(indent * (depth + 1));
  const end = ' '.repeat(indent * depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((item) => pad + pyJsonDumps(item, indent, depth + 1)).join(',\n')}\n${end}]`;
  }
  const items = entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (items.length === 0) return '{}';
  return `{\n${items.map(([k, v]) => `${pad}${pyJsonString(k)}: ${pyJsonDumps(v, indent, depth + 1)}`).join(',\n')}\n${end}}`;
}

/** Python's `repr()` of the value as `json.loads` would have built it. */
export function pyRepr(value: Printable): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number' || value instanceof PyFloat) return numberText(value);
  if (typeof value === 'string') return pyStrRepr(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  return `{${entries(value).map(([k, v]) => `${pyStrRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
}

/** Python's `str()`: strings unquoted, everything else as repr. */
export function pyStr(value: Printable): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

/** Sorted [key, value] pairs of an object (Map or plain). */
export function sortedEntries(value: Printable): Array<[string, Printable]> {
  if (!isObject(value)) return [];
  return entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
